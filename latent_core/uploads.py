"""Files users upload: how big they may be, and the error every refusal raises.

Everything that reads an uploaded file (datasets in ``data``, models in ``store``,
pictures in ``images``) refuses bad input with an :class:`UploadRefused` subclass. Its
``code`` names the problem and its ``details`` fill in the message, so the interface can
say what is wrong in the user's language (``ui/texts/uploads.py`` holds a sentence per
code), while the exception's own text stays a full English sentence for logs and the
command line. A refusal never leaves anything behind: readers only return a result once
the whole file has been checked.
"""

from __future__ import annotations

MIB = 2**20
# Streamlit's own limit (server.maxUploadSize in .streamlit/config.toml) is 50 MB; these
# hold for every caller, the app's tests and scripts included.
MAX_DATASET_BYTES = 50 * MIB
MAX_MODEL_BYTES = 50 * MIB
MAX_PICTURE_BYTES = 20 * MIB


class UploadRefused(Exception):
    """An uploaded file was refused; ``code`` names why and ``details`` fill in the message.

    Subclasses also derive from the exception their module has always raised
    (``ValueError`` and friends), so existing handlers keep working.
    """

    def __init__(self, message: str, code: str = "invalid", **details: object):
        super().__init__(message)
        self.code = code
        self.details = {"error": message, **details}


def megabytes(size: int) -> str:
    """A byte count in MiB for messages: ``"51.2 MB"``."""
    return f"{size / MIB:,.1f} MB"


def check_size(payload: bytes, limit: int, error: type[UploadRefused], filename: str) -> None:
    """Refuse an empty upload or one over ``limit`` bytes, before anything parses it."""
    if not payload:
        raise error(f"{filename} is empty.", "empty", name=filename)
    if len(payload) > limit:
        raise error(f"{filename} is {megabytes(len(payload))}; uploads may be at most {megabytes(limit)}.",
                    "too_large", name=filename, size=megabytes(len(payload)), limit=megabytes(limit))
