"""Datasets: one registry, one call, one shape of result.

``load_dataset(name)`` returns a :class:`Dataset` for every registered name: images as
float32 in [0, 1] with a channel axis (``(n, h, w, c)``), integer labels, class names in
English and Korean, a train/test split and a sentence saying where the data came from.
The swiss roll is the one non-image dataset: 3-D points whose "label" is the float roll
position, used as a colour.

Image datasets are looked for in a fixed order, local copies first, so nothing touches
the network while a copy is on disk: a folder the user names (``data_dir`` or the
``LATENT_EXPLORER_DATA_DIR`` environment variable), the Debian package's files, Keras'
own cache, a Keras download, and finally the small sample bundled in ``pretrained/``.
When nothing works, :class:`DatasetUnavailable` lists every place tried and how to get
the data.

``load_user_dataset(path)`` reads what a user uploads: an ``.npz`` (loaded with
``allow_pickle=False``) or a zip of PNG/JPEG images with one folder per class. Anything
malformed raises :class:`DataFormatError` with a message that says what to fix.
"""

from __future__ import annotations

import functools
import gzip
import io
import math
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from latent_core.images import MAX_PICTURE_PIXELS, PictureError, read_picture
from latent_core.uploads import MAX_DATASET_BYTES, MAX_PICTURE_BYTES, UploadRefused, check_size, megabytes

DATA_DIR_ENV = "LATENT_EXPLORER_DATA_DIR"
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
BUNDLED_SAMPLES_DIR = Path(__file__).resolve().parent.parent / "pretrained" / "samples"
KERAS_CACHE_DIR = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

# Limits for user uploads: enough for any classroom dataset, small enough that a
# hostile file cannot exhaust the server.
MAX_USER_IMAGES = 20_000
MAX_USER_CLASSES = 1_000
MAX_USER_ARRAY_BYTES = 512 * 2**20
MAX_IMAGE_PIXELS = MAX_PICTURE_PIXELS
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class DatasetUnavailable(LookupError):
    """No source of a dataset could be read; the message lists what was tried."""


class DataFormatError(UploadRefused, ValueError):
    """A data file is malformed; the message says what is wrong and what was expected, and
    for uploads ``code`` names the problem so the interface can say it in any language."""


@dataclass(frozen=True)
class Dataset:
    """A train/test split plus the facts a page needs to show it.

    Images are float32 in [0, 1] shaped ``(n, h, w, c)``; labels are int64 class
    indices. For point datasets (the swiss roll) ``x`` is ``(n, d)`` and ``y`` is a float
    colour value. Arrays are read-only because loads are cached and shared.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    class_names_en: tuple[str, ...] = ()
    class_names_ko: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def is_image(self) -> bool:
        return self.x_train.ndim == 4

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names_en)

    def class_names(self, lang: str = "en") -> list[str]:
        """Class names in ``lang`` ("en" or "ko"); English where no Korean is known."""
        if lang == "ko" and self.class_names_ko:
            return list(self.class_names_ko)
        return list(self.class_names_en)


@dataclass(frozen=True)
class DatasetInfo:
    """A registry entry: how to load a dataset and how to name it."""

    name: str
    title_en: str
    title_ko: str
    loader: Callable[[Path | None], Dataset]
    is_image: bool = True


FASHION_MNIST_CLASSES_EN = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
FASHION_MNIST_CLASSES_KO = (
    "티셔츠/탑", "바지", "풀오버", "드레스", "코트",
    "샌들", "셔츠", "스니커즈", "가방", "앵클 부츠",
)
DIGIT_CLASSES = tuple(str(d) for d in range(10))


# --------------------------------------------------------------------------- IDX files


def read_idx(path: Path) -> np.ndarray:
    """Read one IDX file (optionally gzipped), the format MNIST and Fashion-MNIST ship in."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise DataFormatError(f"Cannot read IDX file {path}: {error}") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataFormatError(
            f"{path} is not an IDX file of unsigned bytes (expected the magic bytes "
            "00 00 08 followed by the number of dimensions)."
        )
    ndim = raw[3]
    header_end = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header_end:
        raise DataFormatError(f"{path} has a truncated IDX header.")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape))
    if len(raw) - header_end != expected:
        raise DataFormatError(
            f"{path} declares shape {shape} ({expected} bytes of data) but holds "
            f"{len(raw) - header_end} bytes: the file is truncated or corrupt."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_end).reshape(shape)


def _find_idx_file(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem, folder / stem.replace("-idx", ".idx")):
        if candidate.is_file():
            return candidate
    return None


def read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    """Read the four MNIST-style IDX files from ``folder`` (gzipped or not)."""
    paths = {key: _find_idx_file(folder, stem) for key, stem in IDX_FILES.items()}
    missing = [IDX_FILES[key] for key, path in paths.items() if path is None]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)} (.gz or plain)")
    arrays = {key: read_idx(path) for key, path in paths.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DataFormatError(
                f"{folder}: {split} images {images.shape} and labels {labels.shape} do not "
                "match (expected (n, h, w) images and n labels)."
            )
    return arrays


# --------------------------------------------------------------------------- building


def _images_to_float(images: np.ndarray) -> np.ndarray:
    """uint8 (0–255) or float (0–1) images to read-only float32 in [0, 1] with a channel axis."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    result = images.astype(np.float32)
    if images.dtype == np.uint8:
        result /= 255.0
    result.flags.writeable = False
    return result


def _labels(labels: np.ndarray) -> np.ndarray:
    result = np.asarray(labels).astype(np.int64)
    result.flags.writeable = False
    return result


def _image_dataset(name: str, arrays: dict[str, np.ndarray], source: str,
                   classes_en: tuple[str, ...], classes_ko: tuple[str, ...],
                   notes: tuple[str, ...] = ()) -> Dataset:
    return Dataset(
        name=name,
        x_train=_images_to_float(arrays["x_train"]),
        y_train=_labels(arrays["y_train"]),
        x_test=_images_to_float(arrays["x_test"]),
        y_test=_labels(arrays["y_test"]),
        source=source,
        class_names_en=classes_en,
        class_names_ko=classes_ko,
        notes=notes,
    )


def _bundled_sample(name: str) -> tuple[dict[str, np.ndarray], str]:
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


def _keras_load(name: str) -> dict[str, np.ndarray]:
    """``keras.datasets.<name>.load_data()``: reads Keras' cache, downloading when it is empty."""
    import importlib

    module = importlib.import_module(f"keras.datasets.{name}")  # TensorFlow loads only when needed
    (x_train, y_train), (x_test, y_test) = module.load_data()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _idx_attempt(folder: Path) -> tuple[str, Callable[[], tuple[dict, str]]]:
    return f"IDX files in {folder}", lambda: (read_idx_folder(folder), f"IDX files in {folder}")


def _first_available(name: str, attempts: list[tuple[str, Callable[[], tuple[dict, str]]]],
                     how_to_get: str) -> tuple[dict[str, np.ndarray], str]:
    """Run ``attempts`` in order and return the first that works, else explain them all."""
    failures = []
    for label, attempt in attempts:
        try:
            return attempt()
        except (OSError, DataFormatError, ValueError, KeyError, EOFError) as error:
            failures.append(f"  - {label}: {error}")
        except Exception as error:  # a download can fail in many ways (URL, SSL, HTTP)
            failures.append(f"  - {label}: {type(error).__name__}: {error}")
    raise DatasetUnavailable(
        f"Could not load the '{name}' dataset. Tried, in order:\n"
        + "\n".join(failures) + f"\nTo get it: {how_to_get}"
    )


def _user_folder(data_dir: Path | None) -> Path | None:
    if data_dir is not None:
        return Path(data_dir)
    from_env = os.environ.get(DATA_DIR_ENV)
    return Path(from_env) if from_env else None


def _download_allowed() -> bool:
    return os.environ.get("LATENT_EXPLORER_OFFLINE", "") not in ("1", "true", "yes")


def _load_fashion_mnist(data_dir: Path | None) -> Dataset:
    folder = _user_folder(data_dir)
    attempts = []
    if folder is not None:
        attempts += [_idx_attempt(candidate) for candidate in
                     (folder / "fashion-mnist", folder / "fashion_mnist", folder)]
    debian = f"Debian package dataset-fashion-mnist ({DEBIAN_FASHION_MNIST_DIR})"
    attempts.append((debian, lambda: (read_idx_folder(DEBIAN_FASHION_MNIST_DIR), debian)))
    cache = KERAS_CACHE_DIR / "fashion-mnist"
    attempts.append((f"Keras cache ({cache})", lambda: (read_idx_folder(cache), f"Keras dataset cache ({cache})")))
    if _download_allowed():
        attempts.append(("keras.datasets.fashion_mnist download", lambda: (
            _keras_load("fashion_mnist"), "downloaded by keras.datasets.fashion_mnist")))
    attempts.append(("bundled sample", lambda: _bundled_sample("fashion_mnist")))
    arrays, source = _first_available(
        "fashion_mnist", attempts,
        "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or run "
        "`python -c \"import keras; keras.datasets.fashion_mnist.load_data()\"` once on a "
        f"machine with internet, or put the four IDX .gz files in a folder and set {DATA_DIR_ENV} to it.")
    return _image_dataset("fashion_mnist", arrays, source, FASHION_MNIST_CLASSES_EN, FASHION_MNIST_CLASSES_KO)


def _read_mnist_npz(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}")
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in IDX_FILES if key not in archive.files]
        if missing:
            raise DataFormatError(f"{path} lacks the arrays {', '.join(missing)}")
        return {key: archive[key] for key in IDX_FILES}


def _load_mnist(data_dir: Path | None) -> Dataset:
    folder = _user_folder(data_dir)
    attempts = []
    if folder is not None:
        npz = folder / "mnist.npz"
        attempts.append((f"{npz}", lambda: (_read_mnist_npz(npz), f"{npz}")))
        attempts += [_idx_attempt(candidate) for candidate in (folder / "mnist", folder)]
    cached = KERAS_CACHE_DIR / "mnist.npz"
    attempts.append((f"Keras cache ({cached})", lambda: (_read_mnist_npz(cached), f"Keras dataset cache ({cached})")))
    if _download_allowed():
        attempts.append(("keras.datasets.mnist download", lambda: (
            _keras_load("mnist"), "downloaded by keras.datasets.mnist")))
    attempts.append(("bundled sample", lambda: _bundled_sample("mnist")))
    arrays, source = _first_available(
        "mnist", attempts,
        "run `python -c \"import keras; keras.datasets.mnist.load_data()\"` once on a machine "
        f"with internet, or put mnist.npz or the four IDX files in a folder and set {DATA_DIR_ENV} to it.")
    return _image_dataset("mnist", arrays, source, DIGIT_CLASSES, DIGIT_CLASSES)


def _load_digits(data_dir: Path | None) -> Dataset:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)
    x_train, x_test, y_train, y_test = train_test_split(
        images, bunch.target, test_size=0.2, random_state=0, stratify=bunch.target)
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return _image_dataset("digits", arrays, "scikit-learn's bundled 8×8 digits (UCI ML hand-written digits)",
                          DIGIT_CLASSES, DIGIT_CLASSES)


def _load_swiss_roll(data_dir: Path | None) -> Dataset:
    from sklearn.datasets import make_swiss_roll

    points, position = make_swiss_roll(n_samples=3000, noise=0.05, random_state=0)
    cut = 2400
    arrays = [points[:cut], position[:cut], points[cut:], position[cut:]]
    for index, array in enumerate(arrays):
        arrays[index] = array.astype(np.float32)
        arrays[index].flags.writeable = False
    return Dataset(name="swiss_roll", x_train=arrays[0], y_train=arrays[1], x_test=arrays[2],
                   y_test=arrays[3], source="sklearn.datasets.make_swiss_roll(3000, noise=0.05, seed 0)")


DATASETS: dict[str, DatasetInfo] = {
    info.name: info for info in (
        DatasetInfo("fashion_mnist", "Fashion-MNIST", "패션 MNIST", _load_fashion_mnist),
        DatasetInfo("mnist", "MNIST digits", "MNIST 손글씨 숫자", _load_mnist),
        DatasetInfo("digits", "Digits (8×8)", "숫자 (8×8)", _load_digits),
        DatasetInfo("swiss_roll", "Swiss roll (3-D)", "스위스 롤 (3차원)", _load_swiss_roll, is_image=False),
    )
}


@functools.lru_cache(maxsize=8)
def _load_full(name: str, data_dir: Path | None) -> Dataset:
    return DATASETS[name].loader(data_dir)


def load_dataset(name: str, *, max_train: int | None = None, max_test: int | None = None,
                 seed: int = 0, data_dir: str | Path | None = None) -> Dataset:
    """Load a registered dataset, optionally subsampled with a fixed seed.

    Full loads are cached per process, so a second call costs nothing; subsamples are
    cheap views chosen by ``numpy.random.default_rng(seed)``.
    """
    if name not in DATASETS:
        raise KeyError(f"Unknown dataset '{name}'. Known datasets: {', '.join(DATASETS)}.")
    for label, limit in (("max_train", max_train), ("max_test", max_test)):
        if limit is not None and limit < 1:
            raise ValueError(f"{label} must be a positive number of examples or None, got {limit}.")
    dataset = _load_full(name, Path(data_dir) if data_dir is not None else None)
    return subsample(dataset, max_train=max_train, max_test=max_test, seed=seed)


def subsample(dataset: Dataset, *, max_train: int | None = None, max_test: int | None = None,
              seed: int = 0) -> Dataset:
    """At most ``max_train``/``max_test`` examples of each split, chosen with ``seed``."""
    rng = np.random.default_rng(seed)

    def pick(x: np.ndarray, y: np.ndarray, limit: int | None) -> tuple[np.ndarray, np.ndarray]:
        if limit is None or limit >= len(x):
            return x, y
        index = np.sort(rng.choice(len(x), size=limit, replace=False))
        return x[index], y[index]

    x_train, y_train = pick(dataset.x_train, dataset.y_train, max_train)
    x_test, y_test = pick(dataset.x_test, dataset.y_test, max_test)
    if x_train is dataset.x_train and x_test is dataset.x_test:
        return dataset
    return Dataset(dataset.name, x_train, y_train, x_test, y_test, dataset.source,
                   dataset.class_names_en, dataset.class_names_ko, dataset.notes)


# --------------------------------------------------------------------------- user data


def load_user_dataset(source: str | Path | bytes, *, filename: str | None = None,
                      image_size: tuple[int, int] = (28, 28), channels: int = 1,
                      test_fraction: float = 0.2, seed: int = 0,
                      max_bytes: int = MAX_DATASET_BYTES) -> Dataset:
    """Read an uploaded ``.npz`` or zip of images into a :class:`Dataset`.

    ``source`` is a path or the file's bytes (then ``filename`` tells the format), at
    most ``max_bytes`` long. Images are resized to ``image_size`` and converted to
    ``channels`` (1 grey, 3 RGB).
    Anything unusable raises :class:`DataFormatError` whose ``code`` names the problem;
    nothing is returned until the whole file has been checked.
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (colour), got {channels}.")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}.")
    if isinstance(source, (str, Path)):
        filename = filename or Path(source).name
        payload = Path(source).read_bytes()
    else:
        payload = bytes(source)
    if not filename:
        raise ValueError("Pass filename= with raw bytes so the format (.npz or .zip) is known.")
    check_size(payload, max_bytes, DataFormatError, filename)
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix == ".npz":
        images, labels, class_names = _read_user_npz(payload, filename)
        images = _conform_images(images, image_size, channels, filename)
    elif suffix == ".zip":
        images, labels, class_names = _read_image_zip(payload, filename, image_size, channels)
    else:
        raise DataFormatError(f"{filename}: expected an .npz file or a .zip of images, not '{suffix or 'no extension'}'.",
                              "wrong_type", name=filename, suffix=suffix or "—")
    return _split_user_data(PurePosixPath(filename).stem, images, labels, class_names,
                            f"uploaded file {filename}", test_fraction, seed)


def _refuse(filename: str, message: str, code: str, **details: object) -> DataFormatError:
    """A ``DataFormatError`` about ``filename``: "x.npz is …", "x.npz: y has …"."""
    verb = message.split(" ", 1)[0] in ("is", "has", "holds", "contains", "unpacks")
    return DataFormatError(f"{filename}{' ' if verb else ': '}{message}", code, name=filename, **details)


def _npy_header(archive: np.lib.npyio.NpzFile, key: str, filename: str) -> tuple[tuple[int, ...], np.dtype]:
    """An array's shape and dtype read from its ``.npy`` header, before any data is read,
    so a compressed bomb or a pickled object array is refused without unpacking it."""
    try:
        with archive.zip.open(f"{key}.npy") as handle:
            version = np.lib.format.read_magic(handle)
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = reader(handle)
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError, SyntaxError) as error:
        raise _refuse(filename, f"array '{key}' is not a readable .npy array ({error}).",
                      "npz_unreadable") from None
    if dtype.hasobject:
        raise _refuse(filename, f"'{key}' stores Python objects, which are refused for safety; save plain numeric arrays.",
                      "pickled")
    return tuple(int(d) for d in shape), dtype


def _read_user_npz(payload: bytes, filename: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    if payload.startswith(b"\x93NUMPY"):
        raise _refuse(filename, "holds a single array; save an .npz with np.savez(path, x=images, y=labels).",
                      "npz_single_array")
    if payload[:1] == b"\x80":
        raise _refuse(filename, "is a Python pickle, not a readable .npz archive; pickles can run code and are refused "
                      "for safety.", "pickled")
    if not payload.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise _refuse(filename, "is not a readable .npz archive (it is not a zip of .npy arrays).", "npz_unreadable")
    try:
        archive = np.load(io.BytesIO(payload), allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise _refuse(filename, f"is not a readable .npz archive: {error}", "npz_unreadable") from None
    with archive:
        if "x" not in archive.files:
            raise _refuse(filename, f"has arrays {archive.files} but no 'x': save images as x= (and labels as y=).",
                          "npz_no_x", found=", ".join(archive.files) or "—")
        shape, dtype = _npy_header(archive, "x", filename)
        _check_image_array(shape, dtype, filename)
        label_shape = None
        if "y" in archive.files:
            label_shape, label_dtype = _npy_header(archive, "y", filename)
            _check_label_array(label_shape, label_dtype, shape[0], filename)
        try:
            images = archive["x"]
            labels = archive["y"] if label_shape is not None else None
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
            raise _refuse(filename, f"is not a readable .npz archive: {error}", "npz_unreadable") from None
    images = images.astype(np.float32)
    if not np.isfinite(images).all():
        raise _refuse(filename, "x contains NaN or infinite values.", "not_finite")
    low, high = float(images.min()), float(images.max())
    if low < 0 or high > 255:
        raise _refuse(filename, f"x ranges over [{low:g}, {high:g}]; expected 0–255 or 0–1.", "out_of_range",
                      low=f"{low:g}", high=f"{high:g}")
    if high > 1.0:
        images = images / 255.0
    if labels is None:
        labels = np.zeros(len(images), dtype=np.int64)
    else:
        labels = _integer_labels(labels, filename)
    class_count = int(labels.max()) + 1
    return images, labels, tuple(str(c) for c in range(class_count))


def _check_image_array(shape: tuple[int, ...], dtype: np.dtype, filename: str) -> None:
    """Refuse an ``x`` that cannot be images, judged from its header alone."""
    if dtype.kind not in "uif":
        raise _refuse(filename, f"x has dtype {dtype}; expected numbers (uint8 0–255 or floats 0–1).",
                      "bad_dtype", array="x", dtype=str(dtype))
    if len(shape) not in (3, 4) or 0 in shape[1:]:
        raise _refuse(filename, f"x has shape {shape}; expected (n, height, width) or (n, height, width, channels) "
                      "with n ≥ 1.", "bad_shape", shape=str(shape))
    if shape[0] == 0:
        raise _refuse(filename, f"x has shape {shape}: it holds no images.", "no_images", shape=str(shape))
    if len(shape) == 4 and shape[3] not in (1, 3, 4):
        raise _refuse(filename, f"images have {shape[3]} channels; expected 1 (grey), 3 (RGB) or 4 (RGBA).",
                      "bad_channels", channels=shape[3])
    if shape[0] > MAX_USER_IMAGES:
        raise _refuse(filename, f"holds {shape[0]:,} images; the limit is {MAX_USER_IMAGES:,}.", "too_many_images",
                      count=f"{shape[0]:,}", limit=f"{MAX_USER_IMAGES:,}")
    if shape[1] * shape[2] > MAX_IMAGE_PIXELS:
        raise _refuse(filename, f"images are {shape[2]}×{shape[1]} pixels; images must have at most "
                      f"{MAX_IMAGE_PIXELS:,} pixels.", "npz_images_too_big", width=shape[2], height=shape[1],
                      limit=f"{MAX_IMAGE_PIXELS:,}")
    size = math.prod(shape) * max(dtype.itemsize, 4)  # converted to float32
    if size > MAX_USER_ARRAY_BYTES:
        raise _refuse(filename, f"x unpacks to {megabytes(size)}; the limit is {megabytes(MAX_USER_ARRAY_BYTES)}.",
                      "npz_too_big", size=megabytes(size), limit=megabytes(MAX_USER_ARRAY_BYTES))


def _check_label_array(shape: tuple[int, ...], dtype: np.dtype, count: int, filename: str) -> None:
    if dtype.kind not in "iuf":
        raise _refuse(filename, f"y has dtype {dtype}; expected {count} integer labels.",
                      "labels_not_integers", dtype=str(dtype))
    if shape != (count,):
        raise _refuse(filename, f"y has shape {shape} and dtype {dtype}; expected {count} integer labels.",
                      "labels_mismatch", shape=str(shape), count=f"{count:,}")


def _integer_labels(labels: np.ndarray, filename: str) -> np.ndarray:
    """Labels as int64 class indices; whole-number floats (0.0, 1.0, …) count as integers."""
    if labels.dtype.kind == "f" and not (np.isfinite(labels).all() and (labels == np.round(labels)).all()):
        raise _refuse(filename, f"y holds values such as {labels[labels != np.round(labels)][:1]} that are not "
                      f"whole numbers; expected {len(labels)} integer labels.", "labels_not_integers",
                      dtype=str(labels.dtype))
    if labels.min() < 0:
        raise _refuse(filename, "y has negative labels; expected class indices 0, 1, 2, …", "labels_negative")
    if labels.max() >= MAX_USER_CLASSES:
        raise _refuse(filename, f"y has a label {int(labels.max()):,}; class indices must be below {MAX_USER_CLASSES}.",
                      "too_many_classes", label=f"{int(labels.max()):,}", limit=MAX_USER_CLASSES)
    return labels.astype(np.int64)


def _conform_images(images: np.ndarray, image_size: tuple[int, int], channels: int, filename: str) -> np.ndarray:
    """Float images in [0, 1] resized and converted to ``image_size`` × ``channels``."""
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.shape[1:3] == tuple(image_size) and images.shape[-1] == channels:
        return images.astype(np.float32)
    converted = [_to_model_pixels(Image.fromarray(_as_uint8(image)), image_size, channels) for image in images]
    return np.stack(converted)


def _as_uint8(image: np.ndarray) -> np.ndarray:
    pixels = (image * 255.0).round().astype(np.uint8)
    return pixels[..., 0] if pixels.shape[-1] == 1 else pixels


def _to_model_pixels(image: Image.Image, image_size: tuple[int, int], channels: int) -> np.ndarray:
    mode = "L" if channels == 1 else "RGB"
    image = image.convert(mode).resize((image_size[1], image_size[0]), Image.Resampling.LANCZOS)
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    return pixels[..., np.newaxis] if channels == 1 else pixels


def _unsafe_member(name: str) -> bool:
    """Absolute paths, drive letters and ``..`` would point outside a folder if extracted."""
    normal = name.replace("\\", "/")
    return normal.startswith("/") or bool(re.match(r"^[A-Za-z]:", normal)) or ".." in PurePosixPath(normal).parts


def _read_image_zip(payload: bytes, filename: str, image_size: tuple[int, int],
                    channels: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DataFormatError(f"{filename} is not a valid zip archive.", "zip_unreadable", name=filename) from error
    with archive:
        for info in archive.infolist():
            if _unsafe_member(info.filename):
                raise _refuse(filename, f"contains the unsafe path '{info.filename}'; refusing the archive.",
                              "zip_unsafe_path", member=info.filename)
        members = [info for info in archive.infolist()
                   if not info.is_dir() and not _is_hidden(info.filename)
                   and PurePosixPath(info.filename).suffix.lower() in IMAGE_SUFFIXES]
        if not members:
            raise DataFormatError(f"{filename} holds no PNG or JPEG images; put them in one folder per class.",
                                  "zip_no_images", name=filename)
        if len(members) > MAX_USER_IMAGES:
            raise _refuse(filename, f"holds {len(members):,} images; the limit is {MAX_USER_IMAGES:,}.",
                          "too_many_images", count=f"{len(members):,}", limit=f"{MAX_USER_IMAGES:,}")
        class_of = _class_folders(members, filename)
        class_names = tuple(sorted(set(class_of.values())))
        images, labels, budget = [], [], MAX_USER_ARRAY_BYTES
        for info in members:
            pixels, used = _decode_member(archive, info, filename, image_size, channels, budget)
            budget -= used
            images.append(pixels)
            labels.append(class_names.index(class_of[info.filename]))
    return np.stack(images), np.asarray(labels, dtype=np.int64), class_names


def _is_hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def _class_folders(members: list[zipfile.ZipInfo], filename: str) -> dict[str, str]:
    """Map each image's path to its class: the folder right above the image.

    Every image must sit at the same depth (``cats/1.png``, or ``pets/cats/1.png`` inside
    one top folder); images at different depths mean folders nested inside class folders,
    whose class would be a guess.
    """
    class_of, depth_of = {}, {}
    for info in members:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if len(parts) < 2:
            raise _refuse(filename, f"'{info.filename}' is not inside a class folder; put images in one "
                          "sub-folder per class (e.g. cats/1.png, dogs/2.png).", "zip_no_class_folder",
                          member=info.filename)
        depth_of.setdefault(len(parts), info.filename)
        class_of[info.filename] = parts[-2]
    if len(depth_of) > 1:
        shallow, deep = depth_of[min(depth_of)], depth_of[max(depth_of)]
        raise _refuse(filename, f"has images at different folder depths ('{shallow}' and '{deep}'); put each class's "
                      "images directly in its own folder, with no folders inside class folders.",
                      "zip_nested_folders", shallow=shallow, deep=deep)
    return class_of


def _decode_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str,
                   image_size: tuple[int, int], channels: int, budget: int) -> tuple[np.ndarray, int]:
    """One image of the zip as model pixels, and how many bytes it unpacked to.

    Reads at most ``MAX_PICTURE_BYTES`` (and what is left of the archive's ``budget``)
    whatever the member's header claims, so a zip bomb stops early.
    """
    limit = min(MAX_PICTURE_BYTES, budget)
    try:
        with archive.open(info) as handle:
            payload = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise _refuse(filename, f"'{info.filename}' cannot be unpacked ({error}).", "zip_member_damaged",
                      member=info.filename) from None
    if len(payload) > limit:
        if limit < MAX_PICTURE_BYTES:
            raise _refuse(filename, f"unpacks to more than {megabytes(MAX_USER_ARRAY_BYTES)}.", "zip_too_much_data",
                          limit=megabytes(MAX_USER_ARRAY_BYTES))
        raise _refuse(filename, f"'{info.filename}' unpacks to more than {megabytes(limit)}; images must be smaller.",
                      "zip_member_too_large", member=info.filename, limit=megabytes(limit))
    try:
        picture = read_picture(payload, name=f"'{info.filename}'", max_pixels=MAX_IMAGE_PIXELS)
    except PictureError as error:
        raise DataFormatError(f"{filename}: {error}", error.code, **error.details) from None
    return _to_model_pixels(picture.image, image_size, channels), len(payload)


def _split_user_data(name: str, images: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...],
                     source: str, test_fraction: float, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    test_count = max(1, round(len(images) * test_fraction)) if len(images) > 1 else 0
    test_index, train_index = np.sort(order[:test_count]), np.sort(order[test_count:])
    if test_count == 0:
        test_index = train_index
    arrays = [images[train_index].astype(np.float32), labels[train_index],
              images[test_index].astype(np.float32), labels[test_index]]
    for array in arrays:
        array.flags.writeable = False
    notes = () if len(images) > 1 else ("Only one image: it serves as both train and test set.",)
    return Dataset(name=name, x_train=arrays[0], y_train=arrays[1],
                   x_test=arrays[2], y_test=arrays[3], source=source,
                   class_names_en=class_names, class_names_ko=class_names, notes=notes)
