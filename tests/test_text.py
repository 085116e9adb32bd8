"""Every UI text exists in both languages with the same placeholders."""

import string

import pytest

from ui.text import LANGUAGES, TEXT, translate


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_text_has_both_languages_and_the_same_placeholders(key):
    entry = TEXT[key]
    assert set(entry) == set(LANGUAGES)
    assert all(entry[lang].strip() for lang in LANGUAGES)
    assert placeholders(entry["en"]) == placeholders(entry["ko"])


def test_translate_fills_placeholders_in_the_chosen_language():
    assert translate("data.header", "ko", title="MNIST") == "데이터: MNIST"
    assert translate("data.header", "en", title="MNIST") == "Data: MNIST"


def test_unknown_key_says_where_to_add_it():
    with pytest.raises(KeyError, match="ui/texts/"):
        translate("no.such.key", "en")
