"""Refused uploads in the user's language.

``latent_core`` refuses a bad file with an ``UploadRefused`` error naming the problem
(``code``) and its particulars (``details``); :func:`refusal_text` turns that into the
sentence of ``ui/texts/uploads.py`` in the current language.
"""

from __future__ import annotations

from latent_core.uploads import UploadRefused
from ui.shell import t
from ui.text import TEXT


def refusal_text(error: UploadRefused) -> str:
    """Why ``error``'s file was refused, translated, with its names and numbers filled in.

    A code without a sentence of its own falls back to the error's English text.
    """
    key = f"upload.{error.code}"
    return t(key if key in TEXT else "upload.invalid", **error.details)
