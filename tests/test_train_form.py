"""Texts of model kinds: every shipped kind is translated; a kind registered without texts shows its own
English instead of failing, and the server log says which key to add."""

import pytest

from latent_core.models import MODEL_KINDS
from ui import text
from ui.text import TEXT, translate


def kind_text_keys(cls) -> list[str]:
    return [f"kind.{cls.kind}", f"train.kind_help.{cls.kind}"] + [
        f"train.option.{option.name}" for option in cls.train_options]


def test_every_registered_kind_has_its_texts_in_both_languages():
    missing = [(key, lang) for cls in MODEL_KINDS.values() for key in kind_text_keys(cls)
               for lang in ("en", "ko") if not TEXT.get(key, {}).get(lang)]
    assert missing == []


def test_a_kind_without_texts_shows_its_own_english_and_logs_the_key_once(throwaway_kind, caplog, monkeypatch):
    monkeypatch.setattr(text, "_reported_missing", set())
    for _ in range(2):
        assert translate("kind.tiny_ae", "ko") == "tiny AE"
    assert translate("train.kind_help.tiny_ae", "en") == "A dense AE with one hidden layer of 8 units."
    assert translate("train.option.latent_activation", "ko") == "latent activation"
    warnings = [record.getMessage() for record in caplog.records if record.name == "ui.text"]
    assert warnings == ["No UI text 'kind.tiny_ae': showing the model kind's own English; add it to ui/texts/",
                        "No UI text 'train.kind_help.tiny_ae': showing the model kind's own English; add it to ui/texts/",
                        "No UI text 'train.option.latent_activation': showing the model kind's own English; add it to ui/texts/"]


def test_texts_of_translated_kinds_win_and_other_missing_keys_still_fail(throwaway_kind):
    assert translate("kind.vae", "ko") == "VAE" and translate("train.option.beta", "ko") == "β (KL 항의 가중치)"
    for key in ("kind.transformer", "train.option.dropout_rate", "train.no_such_text"):
        with pytest.raises(KeyError, match="add it to the page's module in ui/texts/"):
            translate(key, "en")
