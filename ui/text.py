"""Every piece of UI text in English and Korean, looked up by key.

Pages never hard-code a sentence: they call ``translate(key, lang)`` (through
``ui.shell.t``), so the language switch changes the whole app at once. Each page keeps
its text in its own module ``ui/texts/<page>.py``, found automatically. A test checks that every
key has both languages and the same ``{placeholders}`` in each.

A model kind registered without its texts (``kind.<kind>``, ``train.kind_help.<kind>``,
``train.option.<name>``) shows what its class says of itself in English (its title, its
docstring's first paragraph, an option's name) instead of failing, and the server log
says which key to add.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil

import ui.texts

LANGUAGES = {"en": "English", "ko": "한국어"}
logger = logging.getLogger(__name__)
_reported_missing: set[str] = set()


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
    entry = TEXT.get(key)
    if entry is not None:
        text = entry.get(lang) or entry["en"]
    else:
        text = model_kind_text(key)
        if text is None:
            raise KeyError(f"No UI text with key '{key}'; add it to the page's module in ui/texts/ in both languages.")
        if key not in _reported_missing:
            _reported_missing.add(key)
            logger.warning("No UI text %r: showing the model kind's own English; add it to ui/texts/", key)
    return text.format(**values) if values else text


def model_kind_text(key: str) -> str | None:
    """What a registered model kind says about itself in English for ``key``: its title
    for ``kind.<kind>``, its docstring's first paragraph for ``train.kind_help.<kind>``,
    an option's name in words for ``train.option.<name>``; None for any other key."""
    # Imported here: only a key missing from ui/texts pays for loading the model zoo.
    from latent_core.models.registry import MODEL_KINDS

    prefix, _, name = key.rpartition(".")
    for cls in MODEL_KINDS.values():
        if prefix == "kind" and cls.kind == name:
            return cls.title or cls.kind
        if prefix == "train.kind_help" and cls.kind == name:
            return " ".join((inspect.getdoc(cls) or "").split("\n\n")[0].split())
        if prefix == "train.option" and any(option.name == name for option in cls.train_options):
            return name.replace("_", " ")
    return None
