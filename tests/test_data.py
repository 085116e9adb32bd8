"""The dataset registry: every name loads as one shape of result, subsampled with a seed,
read-only and cached; and the real Debian Fashion-MNIST when it is installed."""

import pickle

import numpy as np
import pytest

from latent_core import data, sources

FASHION_DIR = sources.DEBIAN_FASHION_MNIST_DIR


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


def test_byte_images_read_as_the_float32_images_they_stand_for():
    pixels = np.random.default_rng(0).integers(0, 256, size=(50, 4, 4, 1), dtype=np.uint8)
    images = data.ByteImages(pixels)
    whole = pixels.astype(np.float32) / np.float32(255.0)
    assert images.shape == (50, 4, 4, 1) and images.ndim == 4 and len(images) == 50 and images.dtype == np.float32
    np.testing.assert_array_equal(np.asarray(images), whole)
    for index in (slice(3, 9), np.array([4, 0, 7]), pixels[:, 0, 0, 0] > 128, 5, (slice(None), 0)):
        np.testing.assert_array_equal(images[index], whole[index])
        assert images[index].dtype == np.float32
    np.testing.assert_array_equal(images * 0.5, whole * 0.5)
    assert images.max() == whole.max() and images.min() == whole.min()


def test_byte_images_keep_their_own_read_only_pixels():
    pixels = np.zeros((3, 2, 2, 1), dtype=np.uint8)
    images = data.ByteImages(pixels)
    pixels[0] = 255  # the caller's array changing later leaves the images as they were
    assert images.max() == 0.0 and not images.pixels.flags.writeable
    with pytest.raises(TypeError, match="uint8"):
        data.ByteImages(np.zeros((3, 2, 2, 1), dtype=np.float32))
    copied = pickle.loads(pickle.dumps(images))  # as a Ray worker gets them
    assert not copied.pixels.flags.writeable and np.array_equal(np.asarray(copied), np.asarray(images))


@pytest.mark.skipif(not FASHION_DIR.is_dir(), reason="needs `apt-get install dataset-fashion-mnist`")
def test_a_byte_sourced_training_split_is_stored_as_bytes():
    dataset = data.load_dataset("fashion_mnist")
    assert isinstance(dataset.x_train, data.ByteImages)
    assert dataset.x_train.pixels.nbytes * 4 == len(dataset.x_train) * 28 * 28 * 4  # a quarter of float32's bytes
    assert isinstance(dataset.x_test, np.ndarray) and dataset.x_test.dtype == np.float32  # every page reads it whole
    assert float(dataset.x_train[:100].max()) <= 1.0 and float(dataset.x_train[:100].max()) > 0.5


def test_datasets_whose_training_bytes_differ_get_other_keys():
    from latent_core import keys

    pixels = np.zeros((4, 2, 2, 1), dtype=np.uint8)
    other = pixels.copy()
    other[3, 1, 1, 0] = 1
    labels, test = np.zeros(4, np.int64), np.zeros((1, 2, 2, 1), np.float32)
    first = data.Dataset("bytes", data.ByteImages(pixels), labels, test, np.zeros(1, np.int64), "test")
    second = data.Dataset("bytes", data.ByteImages(other), labels, test, np.zeros(1, np.int64), "test")
    assert keys.dataset_key(first) != keys.dataset_key(second)
