"""Uploads in the UI: how big they may be here, and refusals in the user's language.

``latent_core`` refuses a bad file with an ``UploadRefused`` error naming the problem
(``code``) and its particulars (``details``); :func:`refusal_text` turns that into the
sentence of ``ui/texts/uploads.py`` in the current language.
"""

from __future__ import annotations

from latent_core.uploads import MIB, UploadRefused
from ui.models import limits
from ui.shell import t
from ui.text import TEXT


def upload_limit(default_bytes: int) -> int:
    """The most bytes an upload may have: ``default_bytes``, or less on a hosted server
    (``LATENT_EXPLORER_MAX_UPLOAD_MB``)."""
    return limits().cap("max_upload_mb", default_bytes // MIB) * MIB


def refusal_text(error: UploadRefused) -> str:
    """Why ``error``'s file was refused, translated, with its names and numbers filled in.

    A code without a sentence of its own falls back to the error's English text.
    """
    key = f"upload.{error.code}"
    return t(key if key in TEXT else "upload.invalid", **error.details)
