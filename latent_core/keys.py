"""Cache keys for results that depend on a model or a dataset: what they are made of, in one place.

A cached result (encoded codes, a latent map, errors, a download) must be recomputed
when what it was computed from changes, never only when a name does:

- a model's key is its picker key plus its **version**, a stamp of the bundle's files
  (their sizes, modification times to the nanosecond and inodes: one ``stat`` each, cheap
  enough for every run), so a workspace entry saved again under the same ID — a
  training's checkpoint replaced by its final model — gets a new key, as does a rebuilt
  pretrained bundle; a pretrained classifier is versioned the same way;
- a dataset's key is a **content hash** of its arrays (images and labels of both splits),
  so two uploads with the same name and shape but other pictures never share a result.
  It is computed once per loaded dataset (about 0.15 s for Fashion-MNIST's 70,000
  float32 images) and remembered for as long as that dataset object lives.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from pathlib import Path

import numpy as np

from latent_core.classifier import CLASSIFIER_FILENAME
from latent_core.data import ByteImages
from latent_core.history import HISTORY_FILENAME
from latent_core.store import MANIFEST_FILENAME, MODEL_FILENAME

BUNDLE_FILES = (MANIFEST_FILENAME, MODEL_FILENAME, HISTORY_FILENAME)
CLASSIFIER_FILES = (MANIFEST_FILENAME, CLASSIFIER_FILENAME)

_dataset_keys: dict[int, tuple[weakref.ref, str]] = {}
_dataset_lock = threading.Lock()


def bundle_version(folder: str | Path, files: tuple[str, ...] = BUNDLE_FILES) -> str:
    """A stamp that changes whenever the bundle in ``folder`` (its ``files``) is written again.

    Saving writes a bundle's files anew (into a fresh folder renamed into place), so their
    modification times (in nanoseconds), inodes and sizes change even when two saves fall
    within the same second, which the manifest's ``created_at`` (in seconds) cannot tell
    apart. A missing file counts as absent.
    """
    folder = Path(folder)
    parts = []
    for name in files:
        try:
            stat = (folder / name).stat()
        except FileNotFoundError:
            parts.append(f"{name}:-")
            continue
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def classifier_version(folder: str | Path) -> str:
    """A stamp that changes whenever the classifier saved in ``folder`` is written again."""
    return bundle_version(folder, CLASSIFIER_FILES)


def model_key(choice_key: str, version: str) -> str:
    """The cache key of a model: its picker key (``pretrained:NAME``, ``workspace:ID``) at ``version``."""
    return f"{choice_key}@{version}"


def file_digest(path: str | Path) -> str:
    """A hash of a file's bytes: the same on every copy of the file, wherever and whenever it was
    written (unlike :func:`bundle_version`), so a result shipped beside a model can name the model it
    was made with."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:24]


def array_digest(*arrays: np.ndarray) -> str:
    """A hash of the arrays' dtypes, shapes and bytes."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()[:24]


def _stored(images) -> np.ndarray:
    """The array ``images`` are stored as: a ``data.ByteImages``' uint8 pixels, hashed without being
    converted to float32 first (the same content either way)."""
    return images.pixels if isinstance(images, ByteImages) else images


def dataset_key(dataset) -> str:
    """The cache key of a ``latent_core.data.Dataset``: a hash of its train and test arrays.

    Remembered per dataset object (datasets are immutable: frozen, with read-only arrays),
    so a page asking on every run pays for the hash once.
    """
    with _dataset_lock:
        found = _dataset_keys.get(id(dataset))
        if found is not None and found[0]() is dataset:
            return found[1]
    key = array_digest(_stored(dataset.x_train), dataset.y_train, dataset.x_test, dataset.y_test)
    with _dataset_lock:
        _dataset_keys[id(dataset)] = (weakref.ref(dataset), key)
        weakref.finalize(dataset, _dataset_keys.pop, id(dataset), None)
    return key
