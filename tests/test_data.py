"""The dataset registry: every name loads as one shape of result, subsampled with a seed,
read-only and cached; and the real Debian Fashion-MNIST when it is installed."""

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
