"""Tests for latent_core.latent: class means, directions, perturbations, interpolation."""

import numpy as np
import pytest

from latent_core.latent import (
    class_averages,
    class_directions,
    class_means,
    code_from_dimension_sliders,
    code_from_sliders,
    interpolate,
    perturbation_grid,
    prior_samples,
)


def elongated_class(n=500, seed=0):
    """Codes of one class spread 3.0 along a known direction, 0.5 along another, 0.05 elsewhere."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    stds = np.array([3.0, 0.5, 0.05, 0.05, 0.05, 0.05])
    mean = np.arange(6, dtype=float)
    codes = mean + (rng.normal(size=(n, 6)) * stds) @ basis.T
    return codes, mean, basis


# --- class means -----------------------------------------------------------------


def test_class_means_average_each_class():
    codes = np.array([[0.0, 0.0], [2.0, 4.0], [10.0, 10.0], [12.0, 10.0], [5.0, 5.0]])
    labels = np.array([3, 3, 1, 1, 7])
    means = class_means(codes, labels)
    assert list(means) == [1, 3, 7]
    np.testing.assert_allclose(means[1], [11.0, 10.0])
    np.testing.assert_allclose(means[3], [1.0, 2.0])
    np.testing.assert_allclose(means[7], [5.0, 5.0])
    assert means[1].dtype == np.float32


def test_class_means_reject_mismatched_labels():
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\)"):
        class_means(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="integers"):
        class_means(np.zeros((2, 2)), np.array([0.5, 1.5]))
    with pytest.raises(ValueError, match="non-empty 2-D"):
        class_means(np.zeros((0, 2)), np.array([], dtype=int))


def test_class_averages_move_each_mean_out_to_its_class_typical_distance_from_the_centre():
    # symmetric about the centre (0, 0): classes 0 and 1 spread over the upper and lower half of a ring of
    # radius 2 (their means lie well inside it, at 2·2/π), classes 2 and 3 tight clusters at (±3, 0)
    angles = np.linspace(0.0, np.pi, 101)
    upper = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    tight = np.array([[0.0, -0.01], [0.0, 0.01], [0.0, 0.0]])
    codes = np.concatenate([upper, -upper, tight + [3.0, 0.0], tight - [3.0, 0.0]])
    labels = np.repeat([0, 1, 2, 3], [len(upper), len(upper), len(tight), len(tight)])
    averages = class_averages(codes, labels)
    np.testing.assert_allclose(averages.plain[0], [0.0, 4.0 / np.pi], atol=0.02)  # 101 points of the arc
    np.testing.assert_allclose(averages.typical[0], [0.0, 2.0], atol=1e-5)  # same direction, out at radius 2
    np.testing.assert_allclose(averages.typical[1], [0.0, -2.0], atol=1e-5)
    assert averages.shrink[0] == pytest.approx(2.0 / np.pi, abs=0.02)
    assert averages.shrink[2] == pytest.approx(1.0, abs=1e-4)  # a tight cluster's mean stays where it is
    np.testing.assert_allclose(averages.typical[2], [3.0, 0.0], atol=1e-4)
    assert averages.typical[0].dtype == np.float32


def test_a_class_mean_on_the_centre_has_no_direction_and_stays_the_plain_mean():
    codes = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    averages = class_averages(codes, np.zeros(4, dtype=int))
    np.testing.assert_allclose(averages.typical[0], [0.0, 0.0], atol=1e-12)
    assert averages.shrink[0] == 0.0


# --- directions and sliders ---------------------------------------------------------


def test_class_directions_find_the_main_direction_and_its_std():
    codes, _, basis = elongated_class()
    directions = class_directions(codes, n_components=3)
    assert directions.components.shape == (3, 6)
    assert abs(directions.components[0] @ basis[:, 0]) > 0.99
    assert abs(directions.components[1] @ basis[:, 1]) > 0.95
    np.testing.assert_allclose(directions.std[:2], [3.0, 0.5], rtol=0.1)
    assert directions.explained_variance_ratio[0] > 0.9
    np.testing.assert_allclose(directions.dimension_std, codes.std(axis=0, ddof=1))


def test_class_directions_are_limited_by_the_data():
    codes = np.random.default_rng(0).normal(size=(3, 8))
    assert class_directions(codes, n_components=5).components.shape == (2, 8)
    assert class_directions(codes[:, :1], n_components=5).components.shape == (1, 1)


def test_class_directions_refuse_empty_or_single_code_classes():
    with pytest.raises(ValueError, match="at least 2 codes"):
        class_directions(np.zeros((1, 4)))
    with pytest.raises(ValueError, match="non-empty"):
        class_directions(np.zeros((0, 4)))
    with pytest.raises(ValueError, match="n_components must be a positive integer"):
        class_directions(np.eye(3), n_components=0)


def test_sliders_at_zero_give_the_mean():
    codes, mean, _ = elongated_class()
    directions = class_directions(codes)
    np.testing.assert_allclose(code_from_sliders(mean, directions, np.zeros(5)), mean, atol=1e-6)
    np.testing.assert_allclose(code_from_sliders(mean, directions, []), mean, atol=1e-6)


@pytest.mark.parametrize("value", [1.0, -1.0, 2.5])
def test_slider_moves_along_its_component_by_its_std(value):
    codes, mean, _ = elongated_class()
    directions = class_directions(codes)
    for i in range(2):
        sliders = np.zeros(5)
        sliders[i] = value
        step = code_from_sliders(mean, directions, sliders) - mean
        np.testing.assert_allclose(step, value * directions.std[i] * directions.components[i], atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(step), abs(value) * directions.std[i], rtol=1e-5)


def test_slider_values_must_fit_the_directions():
    codes, mean, _ = elongated_class()
    directions = class_directions(codes, n_components=2)
    with pytest.raises(ValueError, match="at most 2 values"):
        code_from_sliders(mean, directions, np.zeros(3))
    with pytest.raises(ValueError, match=r"mean must be one code of shape \(6,\)"):
        code_from_sliders(mean[:4], directions, np.zeros(2))


def test_dimension_sliders_move_one_dimension_by_its_std():
    codes, mean, _ = elongated_class()
    directions = class_directions(codes)
    sliders = np.zeros(6)
    sliders[2] = -2.0
    moved = code_from_dimension_sliders(mean, directions, sliders)
    expected = mean.copy()
    expected[2] -= 2.0 * directions.dimension_std[2]
    np.testing.assert_allclose(moved, expected, atol=1e-5)
    with pytest.raises(ValueError, match=r"slider_values must be one code of shape \(6,\)"):
        code_from_dimension_sliders(mean, directions, np.zeros(5))


# --- perturbations, interpolation, prior -----------------------------------------------


def test_perturbation_grid_is_seeded_and_scales_with_spread():
    center = np.array([1.0, -2.0, 0.5])
    grid = perturbation_grid(center, n=4000, spread=0.5, seed=1)
    assert grid.shape == (4000, 3) and grid.dtype == np.float32
    np.testing.assert_allclose(grid.mean(axis=0), center, atol=0.05)
    np.testing.assert_allclose(grid.std(axis=0), 0.5, rtol=0.05)
    np.testing.assert_array_equal(grid, perturbation_grid(center, n=4000, spread=0.5, seed=1))
    doubled = perturbation_grid(center, n=4000, spread=1.0, seed=1)
    np.testing.assert_allclose(doubled - center, 2 * (grid - center), atol=1e-5)
    np.testing.assert_array_equal(perturbation_grid(center, n=3, spread=0.0, seed=2), np.tile(center, (3, 1)))


def test_perturbation_grid_uses_per_dimension_scale():
    center = np.zeros(3)
    scale = np.array([0.0, 1.0, 4.0])
    grid = perturbation_grid(center, n=4000, spread=0.5, seed=0, scale=scale)
    np.testing.assert_allclose(grid.std(axis=0), 0.5 * scale, rtol=0.05)
    assert np.all(grid[:, 0] == 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(n=0, spread=1.0, seed=0), "n must be a positive integer"),
        (dict(n=3, spread=-1.0, seed=0), "spread must be a finite number >= 0"),
        (dict(n=3, spread=1.0, seed=0, scale=np.ones(2)), r"scale must be one code of shape \(3,\)"),
        (dict(n=3, spread=1.0, seed=0, scale=-np.ones(3)), "non-negative"),
    ],
)
def test_perturbation_grid_rejects_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        perturbation_grid(np.zeros(3), **kwargs)


def test_linear_interpolation_is_evenly_spaced_with_both_ends():
    z0, z1 = np.array([0.0, 0.0]), np.array([4.0, 8.0])
    path = interpolate(z0, z1, 5)
    np.testing.assert_allclose(path, [[0, 0], [1, 2], [2, 4], [3, 6], [4, 8]])


def test_slerp_hits_the_endpoints_and_follows_the_circle():
    z0, z1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    path = interpolate(z0, z1, 7, method="slerp")
    np.testing.assert_allclose(path[0], z0, atol=1e-6)
    np.testing.assert_allclose(path[-1], z1, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(path[3], [np.sqrt(0.5), np.sqrt(0.5)], atol=1e-6)
    # Linear interpolation cuts through the middle: its midpoint is shorter.
    assert np.linalg.norm(interpolate(z0, z1, 7)[3]) < 0.75


def test_slerp_of_parallel_codes_falls_back_to_linear():
    z0 = np.array([1.0, 2.0])
    np.testing.assert_allclose(interpolate(z0, 3 * z0, 3, method="slerp"), [[1, 2], [2, 4], [3, 6]])
    np.testing.assert_allclose(interpolate(np.zeros(2), z0, 2, method="slerp"), [[0, 0], [1, 2]])


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((np.zeros(2), np.ones(2), 1), {}, "steps must be an integer >= 2"),
        ((np.zeros(2), np.ones(2), 2.5), {}, "steps must be an integer >= 2"),
        ((np.zeros(2), np.ones(3), 4), {}, r"z1 must be one code of shape \(2,\)"),
        ((np.zeros(2), np.ones(2), 4), {"method": "cubic"}, "valid methods: linear, slerp"),
        ((np.zeros((1, 2)), np.ones(2), 4), {}, "z0 must be one code"),
    ],
)
def test_interpolate_rejects_bad_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        interpolate(*args, **kwargs)


def test_prior_samples_are_standard_normal_and_seeded():
    samples = prior_samples(20000, 4, seed=0)
    assert samples.shape == (20000, 4) and samples.dtype == np.float32
    np.testing.assert_allclose(samples.mean(axis=0), 0.0, atol=0.03)
    np.testing.assert_allclose(samples.std(axis=0), 1.0, atol=0.03)
    np.testing.assert_array_equal(samples[:5], prior_samples(5, 4, seed=0))
    assert not np.array_equal(samples[:5], prior_samples(5, 4, seed=1))
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):
        prior_samples(3, 0, seed=0)
