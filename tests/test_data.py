"""The dataset layer on files the tests make, and on the real Debian Fashion-MNIST."""

import gzip
import io
import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from latent_core import data

FASHION_DIR = data.DEBIAN_FASHION_MNIST_DIR


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
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(data, "KERAS_CACHE_DIR", tmp_path / "no-keras-cache")
    monkeypatch.setattr(data, "BUNDLED_SAMPLES_DIR", tmp_path / "no-samples")
    monkeypatch.setenv("LATENT_EXPLORER_OFFLINE", "1")
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)


# --------------------------------------------------------------------------- IDX


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
    monkeypatch.setenv(data.DATA_DIR_ENV, str(tmp_path / "mine"))
    data._load_full.cache_clear()
    dataset = data.load_dataset("mnist")
    data._load_full.cache_clear()
    assert dataset.x_train.shape == (30, 28, 28, 1)
    assert dataset.class_names("en") == [str(d) for d in range(10)]


def test_truncated_idx_file_is_reported(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((5, 28, 28)), compress=False)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(data.DataFormatError, match="truncated or corrupt"):
        data.read_idx(path)


def test_non_idx_file_is_reported(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(b"this is not an idx file"))
    with pytest.raises(data.DataFormatError, match="not an IDX file"):
        data.read_idx(path)


def test_corrupt_gzip_is_reported(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(data.DataFormatError, match="Cannot read IDX file"):
        data.read_idx(path)


def test_mismatched_images_and_labels_are_reported(tmp_path):
    write_idx_folder(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(3))
    with pytest.raises(data.DataFormatError, match="do not match"):
        data.read_idx_folder(tmp_path)


def test_unavailable_dataset_lists_what_was_tried(tmp_path, no_other_sources):
    with pytest.raises(data.DatasetUnavailable) as caught:
        data.load_dataset("mnist", data_dir=tmp_path / "empty")
    message = str(caught.value)
    assert "mnist.npz" in message and "Keras cache" in message and "bundled sample" in message
    assert "To get it" in message and data.DATA_DIR_ENV in message


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
    monkeypatch.setattr(data, "BUNDLED_SAMPLES_DIR", samples)
    dataset = data.load_dataset("fashion_mnist", data_dir=tmp_path / "empty")
    assert len(dataset.x_train) == 40 and len(dataset.x_test) == 10
    assert sorted(dataset.y_test) == list(range(10))  # stratified, though the file is sorted by class
    assert dataset.source.startswith("bundled sample of 50 images")


@pytest.mark.parametrize("name", ["fashion_mnist", "mnist"])
def test_shipped_samples_are_real_and_balanced(name, tmp_path, no_other_sources, monkeypatch):
    monkeypatch.setattr(data, "BUNDLED_SAMPLES_DIR", Path(__file__).resolve().parents[1] / "pretrained" / "samples")
    dataset = data.load_dataset(name, data_dir=tmp_path / "empty")
    assert dataset.source.startswith("bundled sample of 2,000 images")
    assert len(dataset.x_train) == 1600 and dataset.input_shape == (28, 28, 1)
    assert np.bincount(dataset.y_test).tolist() == [40] * 10
    ink = dataset.x_test.mean()
    assert 0.08 < ink < 0.35  # real pictures, not blank or noise


# --------------------------------------------------------------------------- registry


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(KeyError, match="fashion_mnist, mnist, digits, swiss_roll"):
        data.load_dataset("cifar")


def test_digits_are_always_available():
    dataset = data.load_dataset("digits")
    assert dataset.input_shape == (8, 8, 1)
    assert len(dataset.x_train) + len(dataset.x_test) == 1797
    assert dataset.num_classes == 10 and dataset.is_image
    assert dataset.x_train.max() == 1.0 and dataset.x_train.min() == 0.0
    assert set(np.unique(dataset.y_test)) == set(range(10))
    assert "scikit-learn" in dataset.source


def test_swiss_roll_is_points_coloured_by_roll_position():
    dataset = data.load_dataset("swiss_roll")
    assert dataset.x_train.shape == (2400, 3) and dataset.x_test.shape == (600, 3)
    assert not dataset.is_image and dataset.num_classes == 0
    assert dataset.y_train.dtype == np.float32
    assert 4.5 < dataset.y_train.min() < dataset.y_train.max() < 14.2  # 1.5π .. 4.5π


def test_subsample_is_deterministic_and_bounded():
    first = data.load_dataset("digits", max_train=100, max_test=20, seed=3)
    again = data.load_dataset("digits", max_train=100, max_test=20, seed=3)
    other = data.load_dataset("digits", max_train=100, max_test=20, seed=4)
    assert first.x_train.shape == (100, 8, 8, 1) and first.x_test.shape == (20, 8, 8, 1)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    assert not np.array_equal(first.y_train, other.y_train)


def test_bad_subsample_size_is_refused():
    with pytest.raises(ValueError, match="max_train must be a positive number"):
        data.load_dataset("digits", max_train=0)


def test_loaded_arrays_are_read_only_because_they_are_shared():
    dataset = data.load_dataset("digits")
    with pytest.raises(ValueError):
        dataset.x_train[0, 0, 0, 0] = 1.0


def test_repeat_loads_reuse_the_parsed_arrays():
    assert data.load_dataset("digits").x_train is data.load_dataset("digits").x_train


@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="needs `apt-get install dataset-fashion-mnist`")
def test_real_fashion_mnist_from_debian_files():
    dataset = data.load_dataset("fashion_mnist")
    assert dataset.x_train.shape == (60000, 28, 28, 1)
    assert dataset.x_test.shape == (10000, 28, 28, 1)
    assert np.bincount(dataset.y_train).tolist() == [6000] * 10
    assert np.bincount(dataset.y_test).tolist() == [1000] * 10
    assert "Debian package dataset-fashion-mnist" in dataset.source
    assert 0.25 < float(dataset.x_test.mean()) < 0.32  # Fashion-MNIST's known mean pixel ≈ 0.286


# --------------------------------------------------------------------------- user data


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def test_user_npz_with_labels(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (40, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "mine.npz", x=images, y=np.arange(40) % 4)
    dataset = data.load_user_dataset(tmp_path / "mine.npz")
    assert dataset.name == "mine" and dataset.input_shape == (28, 28, 1)
    assert len(dataset.x_train) == 32 and len(dataset.x_test) == 8
    assert dataset.num_classes == 4 and dataset.x_train.max() <= 1.0
    assert "mine.npz" in dataset.source


def test_user_npz_is_resized_to_the_asked_size():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.random.default_rng(0).random((6, 32, 32, 3)).astype(np.float32))
    dataset = data.load_user_dataset(buffer.getvalue(), filename="colour.npz", image_size=(28, 28), channels=1)
    assert dataset.input_shape == (28, 28, 1) and dataset.num_classes == 1


def test_pickled_npz_is_refused():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.array([{"evil": 1}, None], dtype=object))
    with pytest.raises(data.DataFormatError, match="refused for safety"):
        data.load_user_dataset(buffer.getvalue(), filename="pickled.npz")


def test_a_pickle_named_npz_is_refused():
    with pytest.raises(data.DataFormatError, match="not a readable .npz"):
        data.load_user_dataset(pickle.dumps({"x": [1, 2]}), filename="evil.npz")


@pytest.mark.parametrize("arrays, message", [
    ({"images": np.zeros((2, 8, 8))}, "no 'x'"),
    ({"x": np.zeros((8, 8))}, "expected \\(n, height, width\\)"),
    ({"x": np.full((2, 8, 8), np.nan)}, "NaN or infinite"),
    ({"x": np.full((2, 8, 8), 300.0)}, "ranges over"),
    ({"x": np.array(["a", "b"])}, "dtype"),
    ({"x": np.zeros((3, 8, 8)), "y": np.array([0, 1])}, "expected 3 integer labels"),
    ({"x": np.zeros((2, 8, 8)), "y": np.array([0.5, 1.5])}, "integer labels"),
    ({"x": np.zeros((2, 8, 8, 7))}, "channels"),
])
def test_bad_user_npz_gets_a_specific_message(arrays, message):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with pytest.raises(data.DataFormatError, match=message):
        data.load_user_dataset(buffer.getvalue(), filename="bad.npz")


def test_zip_of_images_one_folder_per_class():
    rng = np.random.default_rng(0)
    entries = {f"shapes/{cls}/{i}.png": png_bytes(rng.integers(0, 256, (40, 30), dtype=np.uint8))
               for cls in ("circle", "square") for i in range(5)}
    entries["shapes/square/extra.jpg"] = _jpeg(rng.integers(0, 256, (20, 20, 3), dtype=np.uint8))
    entries["__MACOSX/shapes/._x.png"] = b"resource fork"
    entries["shapes/readme.txt"] = b"ignored"
    dataset = data.load_user_dataset(make_zip(entries), filename="shapes.zip")
    assert dataset.class_names() == ["circle", "square"]
    assert dataset.input_shape == (28, 28, 1)
    assert len(dataset.x_train) + len(dataset.x_test) == 11
    assert np.bincount(np.concatenate([dataset.y_train, dataset.y_test])).tolist() == [5, 6]


def _jpeg(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_zip_in_colour_when_asked():
    entries = {"a/1.png": png_bytes(np.zeros((10, 10), dtype=np.uint8)), "b/1.png": png_bytes(np.zeros((10, 10), dtype=np.uint8))}
    dataset = data.load_user_dataset(make_zip(entries), filename="c.zip", image_size=(16, 16), channels=3)
    assert dataset.input_shape == (16, 16, 3)


@pytest.mark.parametrize("entries, message", [
    ({}, "holds no PNG or JPEG images"),
    ({"notes.txt": b"hello"}, "holds no PNG or JPEG images"),
    ({"loose.png": png_bytes(np.zeros((5, 5), dtype=np.uint8))}, "not inside a class folder"),
    ({"../../etc/evil.png": png_bytes(np.zeros((5, 5), dtype=np.uint8))}, "unsafe path"),
    ({"cls/broken.png": b"\x89PNG\r\n\x1a\n not really"}, "not a readable image"),
    ({"cls/truncated.png": png_bytes(np.zeros((64, 64), dtype=np.uint8))[:60]}, "not a readable image"),
])
def test_bad_zip_gets_a_specific_message(entries, message):
    with pytest.raises(data.DataFormatError, match=message):
        data.load_user_dataset(make_zip(entries), filename="bad.zip")


def test_huge_image_in_zip_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(data, "MAX_IMAGE_PIXELS", 100 * 100)
    entries = {"big/1.png": png_bytes(np.zeros((200, 200), dtype=np.uint8))}
    with pytest.raises(data.DataFormatError, match="200×200 pixels"):
        data.load_user_dataset(make_zip(entries), filename="big.zip")


@pytest.mark.parametrize("payload, filename, message", [
    (b"not a zip", "x.zip", "not a valid zip"),
    (b"", "x.npz", "is empty"),
    (b"abc", "x.csv", "expected an .npz file or a .zip"),
])
def test_wrong_files_get_a_specific_message(payload, filename, message):
    with pytest.raises(data.DataFormatError, match=message):
        data.load_user_dataset(payload, filename=filename)
