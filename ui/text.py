"""Every piece of UI text in English and Korean, looked up by key.

Pages never hard-code a sentence: they call ``translate(key, lang)`` (through
``ui.shell.t``), so the language switch changes the whole app at once. Each page keeps
its text in its own module ``ui/texts/<page>.py``, found automatically. A test checks that every
key has both languages and the same ``{placeholders}`` in each.
"""

from __future__ import annotations

import importlib
import pkgutil

import ui.texts

LANGUAGES = {"en": "English", "ko": "한국어"}



def _merge_texts() -> dict[str, dict[str, str]]:
    """Every module in ``ui/texts/`` merged into one table; a key defined twice fails."""
    merged: dict[str, dict[str, str]] = {}
    for name in sorted(info.name for info in pkgutil.iter_modules(ui.texts.__path__)):
        module = importlib.import_module(f"ui.texts.{name}")
        clashes = merged.keys() & module.TEXT.keys()
        if clashes:
            raise ValueError(f"ui/texts/{name}.py redefines {sorted(clashes)}")
        merged.update(module.TEXT)
    return merged


TEXT: dict[str, dict[str, str]] = _merge_texts()


def translate(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` ("en"/"ko"), with ``{placeholders}`` filled in."""
    try:
        entry = TEXT[key]
    except KeyError:
        raise KeyError(f"No UI text with key '{key}'; add it to the page's module in ui/texts/ in both languages.") from None
    text = entry.get(lang) or entry["en"]
    return text.format(**values) if values else text
