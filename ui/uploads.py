"""Uploads in the UI: how big they may be here, and refusals in the user's language.

``latent_core`` refuses a bad file with an ``UploadRefused`` error naming the problem
(``code``) and its particulars (``details``); :func:`refusal_text` turns that into the
sentence of ``ui/texts/uploads.py`` in the current language. :func:`canvas_pixels` reads
a drawing canvas's PNG, which the browser sends, through the same sandbox as uploads.
"""

from __future__ import annotations

import logging

import numpy as np

from latent_core import images
from latent_core.uploads import MIB, UploadRefused
from latent_core.hosting import limits_from_env
from ui.shell import lang
from ui.text import TEXT, translate

logger = logging.getLogger(__name__)
# A canvas sends its PNG at its size times the screen's pixel ratio (2 on a tablet, 3 on
# some phones); anything far beyond that did not come from the canvas.
CANVAS_MAX_SCALE = 8


def upload_limit(default_bytes: int) -> int:
    """The most bytes an upload may have: ``default_bytes``, or less on a hosted server
    (``LATENT_EXPLORER_MAX_UPLOAD_MB``)."""
    return limits_from_env().cap("max_upload_mb", default_bytes // MIB) * MIB


def refusal_text(error: UploadRefused) -> str:
    """Why ``error``'s file was refused, in the current language."""
    return refusal_in(error, lang())


def refusal_in(error: UploadRefused, language: str) -> str:
    """Why ``error``'s file was refused, in ``language``, with its names and numbers filled in;
    an option's refusal has its reason worded in that language too.

    A code without a sentence of its own falls back to the error's English text.
    """
    key = f"upload.{error.code}"
    details = dict(error.details)
    if "reason_code" in details:
        details["reason"] = reason_in(language, details.pop("reason_code"), details.pop("reason_field"),
                                      details.pop("reason_params"))
    return translate(key if key in TEXT else "upload.invalid", language, **details)


def reason_in(language: str, code: str, field: str | None, params: dict) -> str:
    """Why an option or a layer field was refused (a code of ``latent_core.models.options.REFUSAL_REASONS``),
    in ``language``; ``field`` names the layer field at fault."""
    reason = translate(f"upload.reason.{code}", language, **params)
    return translate("upload.reason_in_field", language, field=field, reason=reason) if field else reason


def canvas_pixels(png: bytes | None, canvas_size: int) -> np.ndarray | None:
    """The RGBA pixels of a canvas of ``canvas_size`` from the PNG its browser sent, or None
    when there is none yet or it is refused (logged: a real canvas never sends one)."""
    if png is None:
        return None
    try:
        return images.read_canvas(png, max_side=CANVAS_MAX_SCALE * canvas_size)
    except images.PictureError as error:
        logger.warning("A drawing canvas sent an unusable picture: %s", error)
        return None
