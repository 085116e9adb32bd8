"""The page registry: every page is registered, titled in both languages and starts in the shell."""

import ast
from pathlib import Path

import pytest

from ui.shell import PAGES
from ui.text import TEXT

ROOT = Path(__file__).resolve().parents[1]
SPECS = [spec for specs in PAGES.values() for spec in specs]


def test_every_page_file_is_registered_once():
    registered = [spec.path for spec in SPECS]
    on_disk = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))
    assert sorted(registered) == on_disk
    assert len(set(registered)) == len(registered)


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.path)
def test_page_has_a_title_and_starts_inside_the_shell(spec):
    assert spec.title_key in TEXT
    tree = ast.parse((ROOT / spec.path).read_text(encoding="utf-8"))
    calls = [node for node in tree.body if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    assert calls and getattr(calls[0].value.func, "id", None) == "start_page", \
        f"{spec.path} must call start_page() before anything else it draws"


def test_sections_have_titles():
    assert all(section in TEXT for section in PAGES)
