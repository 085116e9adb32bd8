"""An uploaded ``.keras`` archive read and checked without Keras.

A ``.keras`` file is a zip archive of ``config.json``, ``metadata.json`` and
``model.weights.h5``. ``read_model_archive`` opens it with the standard library and
h5py only (no TensorFlow, so it can run in a child process with tight limits) and
refuses, before anything is built or converted:

- any other member, a member twice, encrypted or oddly compressed members, and a member
  or a whole archive over its byte cap (each member is read with a byte cap, whatever
  its header declares);
- a weights file holding anything but float32 datasets in plain groups (links, external
  or virtual storage, filters other than gzip and shuffle), datasets declared but not
  stored (fill-value only, missing chunks), stored sizes that do not match the declared
  ones, and compression ratios no trained weights reach. A compiled model's optimizer
  state (the top-level ``optimizer`` group, which a model saved after ``fit`` carries) is
  skipped unread.

What it returns is plain data: the parsed config and the weights file's datasets as
float32 arrays (path -> array), whose layout ``store`` matches against the model the
kind's schema builds. An upload is read in the sandbox (``read_in_child`` is its
"model archive" task), so a file that still costs too much memory or time to unpack
costs only that child.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

from latent_core.uploads import UploadRefused, megabytes

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = "model.weights.h5"
# Most weight values a model file may hold (float32: 40 MB), checked against the options'
# own count before anything is built; far above every model this app trains.
MAX_WEIGHT_VALUES = 10_000_000
WEIGHT_DTYPE = np.dtype("<f4")
MEMBER_LIMITS = {
    CONFIG_MEMBER: 2**20,
    METADATA_MEMBER: 2**16,
    # The weights plus HDF5's own bookkeeping (a few KB per dataset).
    WEIGHTS_MEMBER: MAX_WEIGHT_VALUES * WEIGHT_DTYPE.itemsize + 2**22,
}
MAX_ARCHIVE_BYTES = sum(MEMBER_LIMITS.values())
MAX_DATASETS = 512
# Where Keras writes a compiled model's optimizer state (its step count is int64); skipped
# unread, so a model saved after ``fit`` loads like one saved before.
OPTIMIZER_GROUP = "optimizer"
MAX_GROUP_DEPTH = 16
MAX_CHUNKS = 100_000
# Trained float32 weights barely compress (about 1.1×); all-zero ones compress 1000×.
MAX_COMPRESSION_RATIO = 10.0
COMPRESSION_CHECK_BYTES = 2**16
_ALLOWED_FILTERS = {h5py.h5z.FILTER_DEFLATE: "gzip", h5py.h5z.FILTER_SHUFFLE: "shuffle"}


class StoreError(Exception):
    """Base of the errors raised when saving or loading models."""


class InvalidModelFileError(StoreError, UploadRefused, ValueError):
    """The file is not a Keras archive, not a Latent Explorer model, or not one this app
    can rebuild safely."""


@dataclass(frozen=True)
class ModelArchive:
    """A checked ``.keras`` archive: its config and its weights file's datasets (path -> values)."""

    config: dict
    weights: dict[str, np.ndarray]

    @property
    def layout(self) -> dict[str, tuple[int, ...]]:
        """The weights file's datasets, path -> shape."""
        return {path: tuple(values.shape) for path, values in self.weights.items()}

    @property
    def weight_values(self) -> int:
        """How many values the weights file declares, all datasets together."""
        return sum(math.prod(shape) for shape in self.layout.values())


def read_model_archive(source, label: str = "the uploaded file") -> ModelArchive:
    """Read and check the ``.keras`` archive at the path ``source`` (or its bytes); ``label``
    names it in messages.

    Pure (files in, plain data out, no TensorFlow). Raises ``InvalidModelFileError`` with
    a ``code`` for every refusal.
    """
    path = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else Path(source)
    if not zipfile.is_zipfile(path):
        raise InvalidModelFileError(
            f"{label} is not a Keras .keras file (those are zip archives). Save a model with "
            "keras.saving.save_model(model, 'name.keras').", "not_keras")
    try:
        with zipfile.ZipFile(path) as archive:
            members = _checked_members(archive, label)
            config = _parse_config(members[CONFIG_MEMBER], label)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, zlib.error) as error:
        raise InvalidModelFileError(f"{label} is a damaged zip archive: {error}.", "damaged") from None
    return ModelArchive(config=config, weights=_weight_values(members[WEIGHTS_MEMBER], label))


def read_in_child(payload: bytes, options) -> tuple[dict, dict[str, np.ndarray]]:
    """The sandbox's "model archive" task: the checked config as metadata, the weights as
    float32 arrays named by their path in the weights file."""
    archive = read_model_archive(payload, str(options["label"]))
    return {"config": archive.config}, archive.weights


def _weight_values(weights: bytes, label: str) -> dict[str, np.ndarray]:
    """Every dataset of a checked weights file, read into float32 arrays (path -> values)."""
    layout = weights_layout(weights, label)
    try:
        with h5py.File(io.BytesIO(weights), "r") as file:
            values = {path: np.empty(shape, WEIGHT_DTYPE) for path, shape in layout.items()}
            for path, array in values.items():
                if array.size:
                    file[path].read_direct(array)
            return values
    except (OSError, KeyError, ValueError, RuntimeError, TypeError) as error:
        raise InvalidModelFileError(f"{label} could not be loaded: its weights file is damaged ({error}).",
                                    "damaged") from None


def _checked_members(archive: zipfile.ZipFile, label: str) -> dict[str, bytes]:
    infos = archive.infolist()
    names = [info.filename for info in infos]
    if CONFIG_MEMBER not in names:
        raise InvalidModelFileError(
            f"{label} is a zip archive but not a Keras model: it has no config.json.", "no_config")
    for name in names:
        if name not in MEMBER_LIMITS or names.count(name) > 1:
            raise InvalidModelFileError(
                f"{label} holds '{name[:80]}'{' twice' if names.count(name) > 1 else ''}; a model file holds "
                f"only {', '.join(MEMBER_LIMITS)}.", "model_unexpected_member", member=name[:80])
    if WEIGHTS_MEMBER not in names:
        raise InvalidModelFileError(f"{label} has no {WEIGHTS_MEMBER}: it holds no weights.", "no_weights")
    declared = sum(info.file_size for info in infos)
    if declared > MAX_ARCHIVE_BYTES:
        raise _member_too_large(label, "all members", MAX_ARCHIVE_BYTES)
    members = {}
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InvalidModelFileError(
                f"{label}: '{info.filename}' is encrypted or packed in an unusual way.", "damaged")
        limit = MEMBER_LIMITS[info.filename]
        if info.file_size > limit:
            raise _member_too_large(label, info.filename, limit)
        with archive.open(info) as handle:
            payload = handle.read(limit + 1)
        if len(payload) > limit:
            raise _member_too_large(label, info.filename, limit)
        members[info.filename] = payload
    return members


def _member_too_large(label: str, member: str, limit: int) -> InvalidModelFileError:
    return InvalidModelFileError(f"{label}: {member} unpacks to over {megabytes(limit)}.",
                                 "model_member_too_large", member=member, limit=megabytes(limit))


def _parse_config(text: bytes, label: str) -> dict:
    try:
        config = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise InvalidModelFileError(f"{label} has a damaged config.json: {error}.", "bad_config",
                                    error=type(error).__name__) from None
    if not isinstance(config, dict):
        raise InvalidModelFileError(f"{label} has a config.json that is not a JSON object.", "bad_config",
                                    error="not a JSON object")
    return config


def weights_layout(weights: bytes, label: str = "the uploaded file") -> dict[str, tuple[int, ...]]:
    """The datasets of a Keras weights file (path -> shape), after checking each is a
    float32 array stored in full, uncompressed or gzip-compressed within reason.

    Pure; reads the HDF5 headers only, never a dataset's values.
    """
    try:
        with h5py.File(io.BytesIO(weights), "r") as file:
            layout: dict[str, tuple[int, ...]] = {}
            _walk(file, "", 0, layout, label)
            return layout
    except (OSError, KeyError, ValueError, RuntimeError) as error:
        if isinstance(error, UploadRefused):
            raise
        raise InvalidModelFileError(f"{label} could not be loaded: its weights file is damaged ({error}).",
                                    "damaged") from None


def _odd(label: str, what: str) -> InvalidModelFileError:
    return InvalidModelFileError(f"{label}'s weights file is refused: {what}.", "weights_odd_storage", what=what)


def _walk(group: h5py.Group, prefix: str, depth: int, layout: dict, label: str) -> None:
    if depth > MAX_GROUP_DEPTH:
        raise _odd(label, f"groups nested over {MAX_GROUP_DEPTH} deep")
    for name in group:
        path = f"{prefix}{name}"
        if path == OPTIMIZER_GROUP:
            continue  # training state of a model saved after fit(): never read, never built
        link = group.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            raise _odd(label, f"'{path[:80]}' is a link")
        item = group[name]
        if isinstance(item, h5py.Group):
            _walk(item, path + "/", depth + 1, layout, label)
        elif isinstance(item, h5py.Dataset):
            if len(layout) >= MAX_DATASETS:
                raise _odd(label, f"over {MAX_DATASETS} datasets")
            layout[path] = _checked_dataset(item, path, label)
        else:
            raise _odd(label, f"'{path[:80]}' is neither a group nor a dataset")


def _checked_dataset(dataset: h5py.Dataset, path: str, label: str) -> tuple[int, ...]:
    shown = path[:80]
    if dataset.dtype != WEIGHT_DTYPE:
        raise _odd(label, f"'{shown}' holds {dataset.dtype} values, not float32")
    shape = tuple(int(d) for d in dataset.shape or ())
    values = math.prod(shape)
    if values > MAX_WEIGHT_VALUES:
        raise InvalidModelFileError(
            f"{label} declares {values:,} weight values in '{shown}', beyond what this app builds.",
            "too_big_model", what=f"{values:,} weight values")
    plist = dataset.id.get_create_plist()
    if plist.get_layout() not in (h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED, h5py.h5d.COMPACT):
        raise _odd(label, f"'{shown}' has virtual storage")
    if plist.get_external_count():
        raise _odd(label, f"'{shown}' is stored in another file")
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    unknown = [f for f in filters if f not in _ALLOWED_FILTERS]
    if unknown:
        raise _odd(label, f"'{shown}' uses HDF5 filter {unknown[0]} (only gzip is accepted)")
    declared = values * WEIGHT_DTYPE.itemsize
    stored = dataset.id.get_storage_size()
    chunks = (math.prod(math.ceil(side / chunk) for side, chunk in zip(shape, dataset.chunks))
              if plist.get_layout() == h5py.h5d.CHUNKED else 1)
    if chunks > MAX_CHUNKS:
        raise _odd(label, f"'{shown}' is cut into over {MAX_CHUNKS:,} chunks")
    if declared and not _fully_stored(dataset, chunks, plist):
        raise InvalidModelFileError(
            f"{label}'s weights file declares '{shown}' of shape {shape} but does not store its values.",
            "weights_not_stored", what=shown)
    if not filters and plist.get_layout() != h5py.h5d.CHUNKED and stored != declared:
        raise _odd(label, f"'{shown}' stores {stored:,} bytes for {declared:,} declared")
    if filters and declared > COMPRESSION_CHECK_BYTES and declared > MAX_COMPRESSION_RATIO * max(stored, 1):
        raise InvalidModelFileError(
            f"{label}'s weights file packs '{shown}' {declared / max(stored, 1):,.0f}-fold; trained weights "
            "do not compress like that.", "weights_compressed", what=shown)
    return shape


def _fully_stored(dataset: h5py.Dataset, chunks: int, plist) -> bool:
    """Whether every value of the dataset is written in the file (not left to the fill value)."""
    if plist.get_layout() != h5py.h5d.CHUNKED:
        return dataset.id.get_storage_size() > 0
    return dataset.id.get_num_chunks() == chunks


__all__ = [
    "InvalidModelFileError",
    "ModelArchive",
    "StoreError",
    "read_in_child",
    "read_model_archive",
    "weights_layout",
]
