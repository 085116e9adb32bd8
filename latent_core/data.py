"""Datasets: one registry, one call, one shape of result.

``load_dataset(name)`` returns a :class:`Dataset` for every registered name: images as
float32 in [0, 1] with a channel axis (``(n, h, w, c)``), integer labels, class names in
English and Korean, a train/test split and a sentence saying where the data came from.
Training images stored as bytes (MNIST, Fashion-MNIST) stay bytes (:class:`ByteImages`, a quarter of
float32's memory: 141 MiB less for Fashion-MNIST's 60,000, in every server process) and read as
float32 in [0, 1], row by row as they are indexed. The swiss roll is the one non-image dataset: 3-D
points whose "label" is the float roll position, used as a colour.

Where the arrays are read from, and in which order, is ``latent_core.sources``; when no
source works, :class:`DatasetUnavailable` lists every place tried and how to get the
data. What users upload is ``latent_core.user_data``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from latent_core import sources


class DatasetUnavailable(LookupError):
    """No source of a dataset could be read; the message lists what was tried."""


class ByteImages(NDArrayOperatorsMixin):
    """Images kept as their uint8 pixels that read as float32 in [0, 1] (``pixels / 255``).

    Indexing converts only the rows asked for (``images[:500]``, ``images[indices]``,
    ``images[labels == 3]``: a new float32 array); ``np.asarray(images)`` and NumPy's operators convert
    the whole. What a page needs of a training split is a sample of its rows, so the split itself
    stays four times smaller than in float32. The pixels are read-only.
    """

    dtype = np.dtype(np.float32)

    def __init__(self, pixels: np.ndarray):
        pixels = np.asarray(pixels)
        if pixels.dtype != np.uint8:
            raise TypeError(f"ByteImages holds uint8 pixels, not {pixels.dtype}.")
        self.pixels = pixels if not pixels.flags.writeable else pixels.copy()
        self.pixels.flags.writeable = False

    @property
    def shape(self) -> tuple[int, ...]:
        return self.pixels.shape

    @property
    def ndim(self) -> int:
        return self.pixels.ndim

    @property
    def size(self) -> int:
        return self.pixels.size

    def __len__(self) -> int:
        return len(self.pixels)

    def __getitem__(self, index) -> np.ndarray:
        return _bytes_to_float(self.pixels[index])

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = _bytes_to_float(self.pixels)
        return whole if dtype is None else whole.astype(dtype, copy=False)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        arrays = [np.asarray(value) if isinstance(value, ByteImages) else value for value in inputs]
        return getattr(ufunc, method)(*arrays, **kwargs)

    def min(self) -> np.float32:
        return _bytes_to_float(self.pixels.min())

    def max(self) -> np.float32:
        return _bytes_to_float(self.pixels.max())

    def __setstate__(self, state: dict) -> None:  # unpickled (a Ray worker's copy): read-only again
        self.__dict__.update(state)
        self.pixels.flags.writeable = False

    def __repr__(self) -> str:
        return f"ByteImages(shape={self.shape})"


def _bytes_to_float(pixels) -> np.ndarray:
    """uint8 pixels as float32 in [0, 1], the same values whether converted whole or row by row."""
    return np.asarray(pixels, dtype=np.float32) / np.float32(255.0)


@dataclass(frozen=True)
class Dataset:
    """A train/test split plus the facts a page needs to show it.

    Images are float32 in [0, 1] shaped ``(n, h, w, c)`` (``x_train`` may be :class:`ByteImages`,
    which read as such: index it, or ``np.asarray`` it for the whole); labels are int64 class
    indices. For point datasets (the swiss roll) ``x`` is ``(n, d)`` and ``y`` is a float
    colour value. Arrays are read-only because loads are cached and shared.
    """

    name: str
    x_train: np.ndarray | ByteImages
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
    # One example's shape, declared so models can be matched to datasets without loading them.
    input_shape: tuple[int, ...] = (28, 28, 1)
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


# --------------------------------------------------------------------------- building


def _images_to_float(images: np.ndarray) -> np.ndarray:
    """uint8 (0–255) or float (0–1) images to read-only float32 in [0, 1] with a channel axis."""
    images = _with_channel_axis(images)
    result = _bytes_to_float(images) if images.dtype == np.uint8 else images.astype(np.float32)
    result.flags.writeable = False
    return result


def _training_images(images: np.ndarray) -> np.ndarray | ByteImages:
    """A training split's images with a channel axis: uint8 ones kept as :class:`ByteImages`, others as
    :func:`_images_to_float` makes them."""
    images = _with_channel_axis(images)
    return ByteImages(images) if images.dtype == np.uint8 else _images_to_float(images)


def _with_channel_axis(images) -> np.ndarray:
    images = np.asarray(images)
    return images[..., np.newaxis] if images.ndim == 3 else images


def _read_only(array: np.ndarray, dtype) -> np.ndarray:
    result = np.asarray(array).astype(dtype)
    result.flags.writeable = False
    return result


def _image_dataset(name: str, arrays: sources.Arrays, source: str,
                   classes_en: tuple[str, ...], classes_ko: tuple[str, ...]) -> Dataset:
    return Dataset(
        name=name,
        x_train=_training_images(arrays["x_train"]),
        y_train=_read_only(arrays["y_train"], np.int64),
        x_test=_images_to_float(arrays["x_test"]),
        y_test=_read_only(arrays["y_test"], np.int64),
        source=source,
        class_names_en=classes_en,
        class_names_ko=classes_ko,
    )


def _first_available(chain: sources.SourceChain) -> tuple[sources.Arrays, str]:
    """Run the chain's attempts in order and return the first that works, else explain them all."""
    failures = []
    for label, attempt in chain.attempts:
        try:
            return attempt()
        except (OSError, ValueError, KeyError, EOFError) as error:  # ValueError covers SourceFormatError
            failures.append(f"  - {label}: {error}")
        except Exception as error:  # a download can fail in many ways (URL, SSL, HTTP)
            failures.append(f"  - {label}: {type(error).__name__}: {error}")
    raise DatasetUnavailable(
        f"Could not load the '{chain.dataset}' dataset. Tried, in order:\n"
        + "\n".join(failures) + f"\nTo get it: {chain.how_to_get}"
    )


def _load_fashion_mnist(data_dir: Path | None) -> Dataset:
    arrays, source = _first_available(sources.fashion_mnist_sources(data_dir))
    return _image_dataset("fashion_mnist", arrays, source, FASHION_MNIST_CLASSES_EN, FASHION_MNIST_CLASSES_KO)


def _load_mnist(data_dir: Path | None) -> Dataset:
    arrays, source = _first_available(sources.mnist_sources(data_dir))
    return _image_dataset("mnist", arrays, source, DIGIT_CLASSES, DIGIT_CLASSES)


def _load_digits(data_dir: Path | None) -> Dataset:
    arrays, source = sources.sklearn_digits()
    return _image_dataset("digits", arrays, source, DIGIT_CLASSES, DIGIT_CLASSES)


def _load_swiss_roll(data_dir: Path | None) -> Dataset:
    arrays, source = sources.swiss_roll()
    return Dataset(name="swiss_roll", **{key: _read_only(value, np.float32) for key, value in arrays.items()},
                   source=source)


DATASETS: dict[str, DatasetInfo] = {
    info.name: info for info in (
        DatasetInfo("fashion_mnist", "Fashion-MNIST", "패션 MNIST", _load_fashion_mnist),
        DatasetInfo("mnist", "MNIST digits", "MNIST 손글씨 숫자", _load_mnist),
        DatasetInfo("digits", "Digits (8×8)", "숫자 (8×8)", _load_digits, input_shape=(8, 8, 1)),
        DatasetInfo("swiss_roll", "Swiss roll (3-D)", "스위스 롤 (3차원)", _load_swiss_roll, input_shape=(3,),
                    is_image=False),
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
