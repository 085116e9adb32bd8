"""Files users upload: how big they may be, and the error every refusal raises.

Everything that reads an uploaded file (datasets in ``data``, models in ``store``,
pictures in ``images``) refuses bad input with an :class:`UploadRefused` subclass. Its
``code`` names the problem and its ``details`` fill in the message, so the interface can
say what is wrong in the user's language (``ui/texts/uploads.py`` holds a sentence per
code), while the exception's own text stays a full English sentence for logs and the
command line. A refusal never leaves anything behind: readers only return a result once
the whole file has been checked.

:class:`ParseLimits` bounds what reading one file may cost: the bytes its arrays unpack to,
the pixels of a zip's pictures (summed from their headers), and the time and memory of the
child process that parses it (``latent_core.sandbox``). :func:`parse_limits` lowers them on
a hosted server (``latent_core.hosting``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from latent_core.hosting import HostingLimits, limits_from_env

MIB = 2**20
# Streamlit's own limit (server.maxUploadSize in .streamlit/config.toml) is 50 MB; these
# hold for every caller, the app's tests and scripts included.
MAX_DATASET_BYTES = 50 * MIB
MAX_MODEL_BYTES = 50 * MIB
MAX_PICTURE_BYTES = 20 * MIB


@dataclass(frozen=True)
class ParseLimits:
    """What reading one uploaded file may cost; the defaults are a local run's.

    ``max_array_bytes``: what a dataset's images may unpack to (as float32).
    ``max_pixels``: the pixels of all pictures of a zip together, read from their headers
    before any is decoded. ``max_seconds``: the wall-clock time of one parse (decoding stops
    there, and the parsing process is killed a little later). ``memory_bytes``: the address
    space of the parsing process, which must hold the arrays a few times over.
    """

    max_array_bytes: int = 512 * MIB
    max_pixels: int = 1_000_000_000
    max_seconds: float = 120.0
    memory_bytes: int = 3 * 1024 * MIB


def parse_limits(hosting: HostingLimits | None = None) -> ParseLimits:
    """The parse limits under ``hosting`` (default: ``hosting.limits_from_env()``): each set
    one replaces the local default."""
    hosting = limits_from_env() if hosting is None else hosting
    local = ParseLimits()
    return ParseLimits(
        max_array_bytes=hosting.cap("max_upload_array_mb", local.max_array_bytes // MIB) * MIB,
        max_pixels=hosting.cap("max_upload_megapixels", local.max_pixels // 1_000_000) * 1_000_000,
        max_seconds=float(hosting.cap("max_parse_seconds", int(local.max_seconds))),
        memory_bytes=(hosting.max_parse_memory_mb * MIB if hosting.max_parse_memory_mb is not None
                      else local.memory_bytes))


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
    _check_length(len(payload), limit, error, filename)


def read_file_within(path: Path, limit: int, error: type[UploadRefused], filename: str) -> bytes:
    """The bytes of the file at ``path``, refused by its size before it is read when it holds
    over ``limit`` bytes (and never more than ``limit + 1`` read if it grows meanwhile)."""
    _check_length(path.stat().st_size, limit, error, filename)
    with path.open("rb") as file:
        return file.read(limit + 1)


def _check_length(size: int, limit: int, error: type[UploadRefused], filename: str) -> None:
    if size > limit:
        raise error(f"{filename} is {megabytes(size)}; uploads may be at most {megabytes(limit)}.",
                    "too_large", name=filename, size=megabytes(size), limit=megabytes(limit))
