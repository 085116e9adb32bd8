"""The interpolation meter: re-encoding error and image change along a path, the prior's log-density,
and the pixel-space cross-fade beside it."""

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from latent_core.interpolation import measure_path, pixel_path, prior_log_density, typical_prior_log_density

MIXING = np.array([[2.0, 0.5, 0.0], [0.0, 1.0, -1.0], [0.5, 0.0, 3.0]])


def linear_decode(codes):
    """An exact linear model: codes (n, 3) to "images" (n, 3, 1) by an invertible matrix."""
    return (np.asarray(codes) @ MIXING)[..., np.newaxis]


def linear_encode(images):
    return np.asarray(images)[..., 0] @ np.linalg.inv(MIXING)


def circle_decode(codes):
    """A model with a hole: every code decodes to the image of its direction only (its point on the
    unit circle), so codes inside the circle are never what the encoder gives."""
    codes = np.asarray(codes, dtype=np.float64)
    return codes / np.linalg.norm(codes, axis=1, keepdims=True)


def identity(array):
    return np.asarray(array)


@pytest.mark.parametrize("method", ["linear", "slerp"])
def test_an_exact_linear_model_re_encodes_every_step_without_error(method):
    meter = measure_path(linear_encode, linear_decode, np.array([1.0, -2.0, 0.5]), np.array([-0.5, 1.0, 2.0]),
                         9, method=method)
    np.testing.assert_allclose(meter.code_error, 0.0, atol=1e-5)
    np.testing.assert_allclose(meter.image_change, 0.0, atol=1e-5)
    assert meter.codes.shape == (9, 3) and meter.images.shape == (9, 3, 1) and meter.prior_log_density is None


def test_a_hole_in_the_middle_of_a_linear_path_shows_as_a_peak_and_slerp_goes_around_it():
    z0, z1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    linear = measure_path(identity, circle_decode, z0, z1, 9, method="linear")
    assert linear.worst_step == 4  # the middle (0.5, 0.5) is furthest inside the circle
    assert linear.code_error[4] == pytest.approx(1 - math.sqrt(0.5), abs=1e-6)
    assert linear.code_error[0] == pytest.approx(0.0, abs=1e-6) == linear.code_error[-1]
    slerp = measure_path(identity, circle_decode, z0, z1, 9, method="slerp")
    np.testing.assert_allclose(slerp.code_error, 0.0, atol=1e-6)  # the great circle stays on the unit circle


def test_image_change_is_the_rms_of_the_second_decoding_minus_the_first():
    meter = measure_path(lambda images: 2 * np.asarray(images), identity, np.zeros(4), np.ones(4), 3)
    # D(E(D(z))) − D(z) = 2z − z = z, whose RMS over 4 equal values is the value itself
    np.testing.assert_allclose(meter.image_change, [0.0, 0.5, 1.0], atol=1e-6)
    np.testing.assert_allclose(meter.code_error, [0.0, 1.0, 2.0], atol=1e-6)  # ||2z − z|| = ||z||


def test_prior_log_density_is_the_standard_normal_log_pdf():
    codes = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    expected = multivariate_normal(mean=np.zeros(3), cov=np.eye(3)).logpdf(codes)
    np.testing.assert_allclose(prior_log_density(codes), expected, rtol=1e-10)


def test_typical_prior_log_density_is_the_average_over_prior_samples():
    samples = np.random.default_rng(0).standard_normal((20_000, 16))
    assert prior_log_density(samples).mean() == pytest.approx(typical_prior_log_density(16), abs=0.1)


def test_slerp_keeps_the_norm_and_the_prior_density_level_where_linear_cuts_through_the_centre():
    z0, z1 = np.array([3.0, 0.0, 0.0, 0.0]), np.array([0.0, 0.0, 3.0, 0.0])  # equal norms, orthogonal
    slerp = measure_path(identity, identity, z0, z1, 11, method="slerp", with_prior=True)
    linear = measure_path(identity, identity, z0, z1, 11, method="linear", with_prior=True)
    np.testing.assert_allclose(slerp.codes[[0, -1]], [z0, z1], atol=1e-6)  # both ends are the given codes
    np.testing.assert_allclose(np.linalg.norm(slerp.codes, axis=1), 3.0, rtol=1e-5)
    np.testing.assert_allclose(slerp.prior_log_density, slerp.prior_log_density[0], rtol=1e-5)
    assert np.linalg.norm(linear.codes[5]) == pytest.approx(3 / math.sqrt(2), rel=1e-5)
    assert linear.prior_log_density[5] > linear.prior_log_density[0] + 2  # the middle is nearer the centre


def test_pixel_path_cross_fades_from_the_first_image_to_the_second():
    x0, x1 = np.zeros((2, 2, 1), np.float32), np.ones((2, 2, 1), np.float32)
    path = pixel_path(x0, x1, 5)
    assert path.shape == (5, 2, 2, 1)
    np.testing.assert_array_equal(path[0], x0)
    np.testing.assert_array_equal(path[-1], x1)
    np.testing.assert_allclose(path[2], 0.5)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: pixel_path(np.zeros((2, 2)), np.zeros((3, 3)), 4), "one shape"),
    (lambda: pixel_path(np.zeros(2), np.zeros(2), 1), "steps must be"),
    (lambda: prior_log_density(np.zeros(3)), r"\(n, d\)"),
])
def test_bad_arguments_are_refused_with_a_reason(call, message):
    with pytest.raises(ValueError, match=message):
        call()
