"""Every UI text exists in both languages with the same placeholders, and every key the code asks for exists.

Each check collects every problem in the whole table before it asserts, so one run lists all of them.
"""

import ast
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from ui.text import LANGUAGES, TEXT, translate

ROOT = Path(__file__).resolve().parents[1]
CODE_FOLDERS = ("pages", "ui")
TRANSLATING_FUNCTIONS = {"t", "translate"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def report(problems: list[str], what: str) -> str:
    return f"{len(problems)} {what}:\n  " + "\n  ".join(problems)


@dataclass(frozen=True)
class TextCall:
    """One ``t(...)`` / ``translate(...)`` call in the code: where it is, its key and the values it passes."""

    where: str
    key: str
    is_prefix: bool  # an f-string key: only its literal start is known
    values: frozenset[str]
    passes_any_values: bool  # ``**values``: the names are not known here


def literal_keys(node: ast.expr) -> list[tuple[str, bool]]:
    """The keys an argument can be: string literals, both sides of ``a if c else b``, an f-string's start."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node.value, False)]
    if isinstance(node, ast.IfExp):
        return literal_keys(node.body) + literal_keys(node.orelse)
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return [(node.values[0].value, True)]
    return []


def text_calls() -> list[TextCall]:
    calls = []
    for folder in CODE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "texts" in path.relative_to(ROOT).parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and node.args):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name not in TRANSLATING_FUNCTIONS:
                    continue
                values = frozenset(keyword.arg for keyword in node.keywords if keyword.arg)
                unpacks = any(keyword.arg is None for keyword in node.keywords)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                calls += [TextCall(where, key, is_prefix, values, unpacks)
                          for key, is_prefix in literal_keys(node.args[0])]
    return calls


CALLS = text_calls()


def test_the_code_asks_for_texts():
    """Guards the scan below: it must find the pages' calls, or the key checks would pass on nothing."""
    assert len(CALLS) > 300
    assert {call.where.split("/")[0] for call in CALLS} == set(CODE_FOLDERS)


def test_every_text_has_exactly_both_languages():
    problems = [f"{key}: has {sorted(entry)}, needs {sorted(LANGUAGES)}"
                for key, entry in sorted(TEXT.items()) if set(entry) != set(LANGUAGES)]
    assert not problems, report(problems, "texts without exactly English and Korean")


def test_no_text_is_empty():
    problems = [f"{key} [{lang}]" for key, entry in sorted(TEXT.items())
                for lang in LANGUAGES if not str(entry.get(lang, "x")).strip()]
    assert not problems, report(problems, "empty texts")


def test_both_languages_have_the_same_placeholders():
    problems = []
    for key, entry in sorted(TEXT.items()):
        english, korean = placeholders(entry.get("en", "")), placeholders(entry.get("ko", ""))
        if english != korean:
            problems.append(f"{key}: en {sorted(english)} vs ko {sorted(korean)}")
    assert not problems, report(problems, "texts whose languages differ in placeholders")


def test_every_key_the_code_uses_exists():
    problems = []
    for call in CALLS:
        known = any(key.startswith(call.key) for key in TEXT) if call.is_prefix else call.key in TEXT
        if not known:
            problems.append(f"{call.where}: {call.key}{'…' if call.is_prefix else ''}")
    assert not problems, report(problems, "keys used in pages/ or ui/ but missing from ui/texts/")


PAGES = {path.stem for path in (ROOT / "pages").glob("*.py")}
PAGE_HELPERS = {"ui/train_form.py": "train"}  # besides ui/<page>_views.py, which draws for <page>


def page_of(where: str) -> str | None:
    """The page a file of the code belongs to: its own name in pages/, the page a ui/ helper draws for."""
    path = where.split(":")[0]
    if path.startswith("pages/"):
        return Path(path).stem
    views_of = Path(path).stem.removesuffix("_views")
    if path.startswith("ui/") and Path(path).stem.endswith("_views") and views_of in PAGES:
        return views_of
    return PAGE_HELPERS.get(path)


def test_a_page_uses_no_other_pages_texts():
    """Words several pages show live under ``common.*`` (ui/texts/common.py), not in one page's module."""
    problems = [f"{call.where}: {call.key} (use or add a common.* key)" for call in CALLS
                if call.key.split(".")[0] in PAGES and call.key.split(".")[0] != page_of(call.where)]
    assert not problems, report(problems, "texts of one page used elsewhere")


def test_every_placeholder_gets_a_value_where_the_text_is_used():
    problems = []
    for call in CALLS:
        if call.is_prefix or call.passes_any_values or call.key not in TEXT:
            continue
        needed = placeholders(TEXT[call.key].get("en", ""))
        if needed - call.values:
            problems.append(f"{call.where}: {call.key} needs {sorted(needed - call.values)}")
    assert not problems, report(problems, "calls that leave placeholders unfilled")


def test_translate_fills_placeholders_in_the_chosen_language():
    assert translate("data.header", "ko", title="MNIST") == "데이터: MNIST"
    assert translate("data.header", "en", title="MNIST") == "Data: MNIST"


def test_unknown_key_says_where_to_add_it():
    with pytest.raises(KeyError, match="ui/texts/"):
        translate("no.such.key", "en")
