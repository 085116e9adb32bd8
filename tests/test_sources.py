"""Where datasets are read from: IDX files the tests write, Keras' mnist.npz, the fallback
order (the user's folder, Debian's package, Keras' cache, the bundled sample) and what an
unavailable dataset says."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from latent_core import data, sources


def write_idx(path: Path, array: np.ndarray, *, compress: bool = True) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)


def write_idx_folder(folder: Path, *, n_train: int = 30, n_test: int = 10, compress: bool = True) -> None:
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if compress else ""
    write_idx(folder / f"train-images-idx3-ubyte{suffix}", rng.integers(0, 256, (n_train, 28, 28)), compress=compress)
    write_idx(folder / f"train-labels-idx1-ubyte{suffix}", np.arange(n_train) % 10, compress=compress)
    write_idx(folder / f"t10k-images-idx3-ubyte{suffix}", rng.integers(0, 256, (n_test, 28, 28)), compress=compress)
    write_idx(folder / f"t10k-labels-idx1-ubyte{suffix}", np.arange(n_test) % 10, compress=compress)


@pytest.fixture
def no_other_sources(monkeypatch, tmp_path):
    """Hide every machine-wide source so only the folder a test names can be found."""
    monkeypatch.setattr(sources, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(sources, "KERAS_CACHE_DIR", tmp_path / "no-keras-cache")
    monkeypatch.setattr(sources, "BUNDLED_SAMPLES_DIR", tmp_path / "no-samples")
    monkeypatch.setenv(sources.OFFLINE_ENV, "1")
    monkeypatch.delenv(sources.DATA_DIR_ENV, raising=False)


# --------------------------------------------------------------------------- IDX files and fallback order


@pytest.mark.parametrize("compress", [True, False])
def test_idx_folder_loads_as_fashion_mnist(tmp_path, no_other_sources, compress):
    write_idx_folder(tmp_path / "fashion-mnist", compress=compress)
    dataset = data.load_dataset("fashion_mnist", data_dir=tmp_path)
    assert dataset.x_train.shape == (30, 28, 28, 1)
    assert dataset.x_test.shape == (10, 28, 28, 1)
    assert dataset.x_train.dtype == np.float32
    assert 0.0 <= dataset.x_train.min() and dataset.x_train.max() <= 1.0
    assert dataset.y_train.dtype == np.int64
    assert list(dataset.y_test) == list(range(10))
    assert "IDX files" in dataset.source and "fashion-mnist" in dataset.source
    assert dataset.class_names("ko")[0] == "티셔츠/탑"
    assert dataset.class_names("en")[9] == "Ankle boot"


def test_data_dir_from_environment(tmp_path, no_other_sources, monkeypatch):
    write_idx_folder(tmp_path / "mine" / "mnist")
    monkeypatch.setenv(sources.DATA_DIR_ENV, str(tmp_path / "mine"))
    data._load_full.cache_clear()
    dataset = data.load_dataset("mnist")
    data._load_full.cache_clear()
    assert dataset.x_train.shape == (30, 28, 28, 1)
    assert dataset.class_names("en") == [str(d) for d in range(10)]


def test_truncated_idx_file_is_reported(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((5, 28, 28)), compress=False)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(sources.SourceFormatError, match="truncated or corrupt"):
        sources.read_idx(path)


def test_non_idx_file_is_reported(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(b"this is not an idx file"))
    with pytest.raises(sources.SourceFormatError, match="not an IDX file"):
        sources.read_idx(path)


def test_corrupt_gzip_is_reported(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(sources.SourceFormatError, match="Cannot read IDX file"):
        sources.read_idx(path)


def test_mismatched_images_and_labels_are_reported(tmp_path):
    write_idx_folder(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(3))
    with pytest.raises(sources.SourceFormatError, match="do not match"):
        sources.read_idx_folder(tmp_path)


def test_unavailable_dataset_lists_what_was_tried(tmp_path, no_other_sources):
    with pytest.raises(data.DatasetUnavailable) as caught:
        data.load_dataset("mnist", data_dir=tmp_path / "empty")
    message = str(caught.value)
    assert "mnist.npz" in message and "Keras cache" in message and "bundled sample" in message
    assert "To get it" in message and sources.DATA_DIR_ENV in message


def test_fashion_mnist_unavailable_says_how_to_install(tmp_path, no_other_sources):
    with pytest.raises(data.DatasetUnavailable, match="apt-get install dataset-fashion-mnist"):
        data.load_dataset("fashion_mnist", data_dir=tmp_path / "empty")


def test_mnist_npz_in_data_dir(tmp_path, no_other_sources):
    rng = np.random.default_rng(1)
    np.savez(tmp_path / "mnist.npz", x_train=rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
             y_train=np.arange(20) % 10, x_test=rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
             y_test=np.arange(5))
    dataset = data.load_dataset("mnist", data_dir=tmp_path)
    assert dataset.x_train.shape == (20, 28, 28, 1) and str(tmp_path / "mnist.npz") in dataset.source


def test_bundled_sample_is_the_last_resort(tmp_path, no_other_sources, monkeypatch):
    samples = tmp_path / "samples"
    samples.mkdir()
    images = np.random.default_rng(2).integers(0, 256, (50, 28, 28), dtype=np.uint8)
    np.savez_compressed(samples / "fashion_mnist.npz", x=images, y=np.sort(np.arange(50) % 10),
                        source="Fashion-MNIST test set")
    monkeypatch.setattr(sources, "BUNDLED_SAMPLES_DIR", samples)
    dataset = data.load_dataset("fashion_mnist", data_dir=tmp_path / "empty")
    assert len(dataset.x_train) == 40 and len(dataset.x_test) == 10
    assert sorted(dataset.y_test) == list(range(10))  # stratified, though the file is sorted by class
    assert dataset.source.startswith("bundled sample of 50 images")


@pytest.mark.parametrize("name", ["fashion_mnist", "mnist"])
def test_shipped_samples_are_real_and_balanced(name, tmp_path, no_other_sources, monkeypatch):
    monkeypatch.setattr(sources, "BUNDLED_SAMPLES_DIR", Path(__file__).resolve().parents[1] / "pretrained" / "samples")
    dataset = data.load_dataset(name, data_dir=tmp_path / "empty")
    assert dataset.source.startswith("bundled sample of 2,000 images")
    assert len(dataset.x_train) == 1600 and dataset.input_shape == (28, 28, 1)
    assert np.bincount(dataset.y_test).tolist() == [40] * 10
    ink = dataset.x_test.mean()
    assert 0.08 < ink < 0.35  # real pictures, not blank or noise
