"""Where a registered dataset's arrays come from on this machine, in the order to try.

Image datasets are looked for local copies first, so nothing touches the network while
a copy is on disk: a folder the user names (``data_dir`` or the
``LATENT_EXPLORER_DATA_DIR`` environment variable), the Debian package's files, Keras'
own cache, a Keras download, and finally the small sample bundled in ``pretrained/``.
Each ``*_sources(data_dir)`` returns that order as a :class:`SourceChain`;
``latent_core.data`` runs it. Every reader returns the four split arrays
(``x_train``, ``y_train``, ``x_test``, ``y_test``) as stored, with a sentence naming the
source.
"""

from __future__ import annotations

import gzip
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATA_DIR_ENV = "LATENT_EXPLORER_DATA_DIR"
OFFLINE_ENV = "LATENT_EXPLORER_OFFLINE"
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
BUNDLED_SAMPLES_DIR = Path(__file__).resolve().parent.parent / "pretrained" / "samples"
KERAS_CACHE_DIR = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

Arrays = dict[str, np.ndarray]
Attempt = tuple[str, Callable[[], tuple[Arrays, str]]]


class SourceFormatError(ValueError):
    """A local copy of a dataset is malformed; the message says what is wrong with which file."""


@dataclass(frozen=True)
class SourceChain:
    """The places to read one dataset from, in order, and how to get it when none works."""

    dataset: str
    attempts: list[Attempt]
    how_to_get: str


# --------------------------------------------------------------------------- IDX files


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped), the format MNIST and Fashion-MNIST ship in."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise SourceFormatError(f"Cannot read IDX file {path}: {error}") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise SourceFormatError(
            f"{path} is not an IDX file of unsigned bytes (expected the magic bytes "
            "00 00 08 followed by the number of dimensions)."
        )
    ndim = raw[3]
    header_end = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header_end:
        raise SourceFormatError(f"{path} has a truncated IDX header.")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape))
    if len(raw) - header_end != expected:
        raise SourceFormatError(
            f"{path} declares shape {shape} ({expected} bytes of data) but holds "
            f"{len(raw) - header_end} bytes: the file is truncated or corrupt."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_end).reshape(shape)


def _find_idx_file(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem, folder / stem.replace("-idx", ".idx")):
        if candidate.is_file():
            return candidate
    return None


def read_idx_folder(folder: Path) -> Arrays:
    """Read the four MNIST-style IDX files from ``folder`` (gzipped or not)."""
    paths = {key: _find_idx_file(folder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[key] for key, path in paths.items() if path is None]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)} (.gz or plain)")
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise SourceFormatError(
                f"{folder}: {split} images {images.shape} and labels {labels.shape} do not "
                "match (expected (n, h, w) images and n labels)."
            )
    return arrays


def read_mnist_npz(path: Path) -> Arrays:
    """Keras' ``mnist.npz``: the four split arrays under their usual names."""
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}")
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in IDX_FILES if key not in archive.files]
        if missing:
            raise SourceFormatError(f"{path} lacks the arrays {', '.join(missing)}")
        return {key: archive[key] for key in IDX_FILES}


# --------------------------------------------------------------------------- other sources


def bundled_sample(name: str) -> tuple[Arrays, str]:
    """The small sample shipped in ``pretrained/samples``, split 80/20 stratified by class."""
    from sklearn.model_selection import train_test_split

    path = BUNDLED_SAMPLES_DIR / f"{name}.npz"
    if not path.is_file():
        raise FileNotFoundError(f"no bundled sample at {path}")
    with np.load(path, allow_pickle=False) as sample:
        images, labels = sample["x"], sample["y"]
        origin = str(sample["source"]) if "source" in sample.files else name
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=0.2, random_state=0, stratify=labels)
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return arrays, f"bundled sample of {len(images):,} images ({origin})"


def keras_download(name: str) -> Arrays:
    """``keras.datasets.<name>.load_data()``: reads Keras' cache, downloading when it is empty."""
    module = importlib.import_module(f"keras.datasets.{name}")  # TensorFlow loads only when needed
    (x_train, y_train), (x_test, y_test) = module.load_data()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def sklearn_digits() -> tuple[Arrays, str]:
    """scikit-learn's 8×8 digits as floats in [0, 1], split 80/20 stratified by class."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        images, bunch.target, test_size=0.2, random_state=0, stratify=bunch.target)
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return arrays, "scikit-learn's bundled 8×8 digits (UCI ML hand-written digits)"


def swiss_roll() -> tuple[Arrays, str]:
    """3,000 swiss-roll points (fixed seed), the first 2,400 for training; ``y`` is the roll position."""
    from sklearn.datasets import make_swiss_roll

    points, position = make_swiss_roll(n_samples=3000, noise=0.05, random_state=0)
    cut = 2400
    arrays = {"x_train": points[:cut], "y_train": position[:cut],
              "x_test": points[cut:], "y_test": position[cut:]}
    return arrays, "sklearn.datasets.make_swiss_roll(3000, noise=0.05, seed 0)"


# --------------------------------------------------------------------------- fallback chains


def _user_folder(data_dir: Path | None) -> Path | None:
    if data_dir is not None:
        return Path(data_dir)
    from_env = os.environ.get(DATA_DIR_ENV)
    return Path(from_env) if from_env else None


def _download_allowed() -> bool:
    return os.environ.get(OFFLINE_ENV, "") not in ("1", "true", "yes")


def _idx_attempt(folder: Path) -> Attempt:
    return f"IDX files in {folder}", lambda: (read_idx_folder(folder), f"IDX files in {folder}")


def fashion_mnist_sources(data_dir: Path | None) -> SourceChain:
    """Fashion-MNIST: the user's folder, Debian's package, Keras' cache, a download, the sample."""
    folder = _user_folder(data_dir)
    attempts = []
    if folder is not None:
        attempts += [_idx_attempt(candidate) for candidate in
                     (folder / "fashion-mnist", folder / "fashion_mnist", folder)]
    debian_dir = DEBIAN_FASHION_MNIST_DIR
    debian = f"Debian package dataset-fashion-mnist ({debian_dir})"
    attempts.append((debian, lambda: (read_idx_folder(debian_dir), debian)))
    cache = KERAS_CACHE_DIR / "fashion-mnist"
    attempts.append((f"Keras cache ({cache})", lambda: (read_idx_folder(cache), f"Keras dataset cache ({cache})")))
    if _download_allowed():
        attempts.append(("keras.datasets.fashion_mnist download", lambda: (
            keras_download("fashion_mnist"), "downloaded by keras.datasets.fashion_mnist")))
    attempts.append(("bundled sample", lambda: bundled_sample("fashion_mnist")))
    return SourceChain(
        "fashion_mnist", attempts,
        "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or run "
        "`python -c \"import keras; keras.datasets.fashion_mnist.load_data()\"` once on a "
        f"machine with internet, or put the four IDX .gz files in a folder and set {DATA_DIR_ENV} to it.")


def mnist_sources(data_dir: Path | None) -> SourceChain:
    """MNIST: the user's ``mnist.npz`` or IDX files, Keras' cache, a download, the sample."""
    folder = _user_folder(data_dir)
    attempts = []
    if folder is not None:
        npz = folder / "mnist.npz"
        attempts.append((f"{npz}", lambda: (read_mnist_npz(npz), f"{npz}")))
        attempts += [_idx_attempt(candidate) for candidate in (folder / "mnist", folder)]
    cached = KERAS_CACHE_DIR / "mnist.npz"
    attempts.append((f"Keras cache ({cached})", lambda: (read_mnist_npz(cached), f"Keras dataset cache ({cached})")))
    if _download_allowed():
        attempts.append(("keras.datasets.mnist download", lambda: (
            keras_download("mnist"), "downloaded by keras.datasets.mnist")))
    attempts.append(("bundled sample", lambda: bundled_sample("mnist")))
    return SourceChain(
        "mnist", attempts,
        "run `python -c \"import keras; keras.datasets.mnist.load_data()\"` once on a machine "
        f"with internet, or put mnist.npz or the four IDX files in a folder and set {DATA_DIR_ENV} to it.")
