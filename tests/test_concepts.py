"""Tests for latent_core.concepts: KL divergence, BCE/MSE, degradation, reparameterisation."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from latent_core.concepts import bce, degrade, kl_divergence, mse, reparameterise


def ring_image(size=28):
    """A soft ring, like a drawn zero, with values in [0, 1]."""
    y, x = np.mgrid[:size, :size] - (size - 1) / 2
    radius = np.hypot(x, y)
    return np.clip(1.5 - np.abs(radius - size / 4) / 1.5, 0, 1)


# --- KL divergence -----------------------------------------------------------------


def test_kl_of_identical_distributions_is_zero():
    p = np.array([0.1, 0.2, 0.7])
    assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)
    assert kl_divergence(p, 10 * p) == pytest.approx(0.0, abs=1e-12)  # weights are normalised


def test_kl_matches_the_definition_and_is_asymmetric():
    p = np.array([0.5, 0.5])
    q = np.array([0.9, 0.1])
    forward = kl_divergence(p, q, epsilon=0)
    backward = kl_divergence(q, p, epsilon=0)
    assert forward == pytest.approx(0.5 * np.log(0.5 / 0.9) + 0.5 * np.log(0.5 / 0.1))
    assert backward == pytest.approx(0.9 * np.log(0.9 / 0.5) + 0.1 * np.log(0.1 / 0.5))
    assert forward > 0 and backward > 0
    assert abs(forward - backward) > 0.1


def test_kl_epsilon_keeps_zero_bars_finite():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([1.0, 0.0, 0.0])
    assert kl_divergence(p, q, epsilon=0) == np.inf
    finite = kl_divergence(p, q)
    assert np.isfinite(finite) and finite > 10  # about 0.5 * ln(0.5 / 1e-10)
    assert kl_divergence(q, p, epsilon=0) == pytest.approx(np.log(2))  # p covers q: finite


@pytest.mark.parametrize(
    ("p", "q", "message"),
    [
        ([0.5, 0.5], [0.2, 0.3, 0.5], "same outcomes"),
        ([1.0], [1.0], "at least 2 outcomes"),
        ([0.5, -0.1], [0.5, 0.5], "non-negative"),
        ([0.5, np.nan], [0.5, 0.5], "finite"),
        ([0.0, 0.0], [0.5, 0.5], "all zeros"),
    ],
)
def test_kl_rejects_bad_distributions(p, q, message):
    with pytest.raises(ValueError, match=message):
        kl_divergence(p, q)


def test_kl_rejects_negative_epsilon():
    with pytest.raises(ValueError, match="epsilon"):
        kl_divergence([0.5, 0.5], [0.5, 0.5], epsilon=-1.0)


# --- BCE, MSE and degradation --------------------------------------------------------


def test_mse_and_bce_per_image_match_hand_computed_values():
    target = np.array([[[0.0, 1.0]], [[0.5, 0.5]]])
    reconstruction = np.array([[[0.2, 0.6]], [[0.5, 0.5]]])
    np.testing.assert_allclose(mse(target, reconstruction), [(0.04 + 0.16) / 2, 0.0])
    expected_first = -(np.log(0.8) + np.log(0.6)) / 2
    np.testing.assert_allclose(bce(target, reconstruction), [expected_first, np.log(2)], rtol=1e-6)


def test_bce_of_a_perfect_binary_reconstruction_is_near_zero():
    target = (ring_image() > 0.5).astype(float)[None]
    assert bce(target, target)[0] < 1e-6
    # A grey image keeps its entropy even when reconstructed perfectly.
    grey = np.full((1, 4, 4), 0.5)
    assert bce(grey, grey)[0] == pytest.approx(np.log(2), rel=1e-6)


@pytest.mark.parametrize("kind", ["blur", "noise"])
def test_losses_rise_monotonically_with_degradation(kind):
    images = [ring_image(), load_digits().images[3] / 16.0]
    amounts = np.linspace(0, 1, 6)
    for image in images:
        degraded = np.stack([degrade(image, amount, kind=kind) for amount in amounts])
        targets = np.repeat(image[None], len(amounts), axis=0)
        for loss in (mse, bce):
            values = loss(targets, degraded)
            assert np.all(np.diff(values) > 0), (kind, loss.__name__, values)
        assert mse(targets[:1], degraded[:1])[0] == pytest.approx(0.0, abs=1e-12)


def test_degrade_is_deterministic_and_stays_in_range():
    image = ring_image()
    for kind in ("blur", "noise"):
        first = degrade(image, 0.7, kind=kind, seed=4)
        np.testing.assert_array_equal(first, degrade(image, 0.7, kind=kind, seed=4))
        assert first.shape == image.shape and first.min() >= 0 and first.max() <= 1
    assert not np.array_equal(degrade(image, 0.7, kind="noise", seed=4), degrade(image, 0.7, kind="noise", seed=5))


def test_degrade_blurs_only_the_spatial_axes_of_colour_images():
    image = np.stack([ring_image(), np.zeros((28, 28)), np.ones((28, 28))], axis=-1)
    blurred = degrade(image, 1.0, kind="blur")
    np.testing.assert_allclose(blurred[..., 1], 0.0, atol=1e-7)  # channels do not mix
    np.testing.assert_allclose(blurred[..., 2], 1.0, atol=1e-6)
    assert not np.allclose(blurred[..., 0], image[..., 0])


@pytest.mark.parametrize(
    ("image", "amount", "kind", "message"),
    [
        (np.zeros(5), 0.5, "blur", r"\(H, W\) or \(H, W, C\)"),
        (np.full((4, 4), 255.0), 0.5, "blur", "scale 0-255 images by 1/255"),
        (np.zeros((4, 4)), 1.5, "blur", "amount must be between 0 and 1"),
        (np.zeros((4, 4)), 0.5, "jpeg", "valid kinds: blur, noise"),
    ],
)
def test_degrade_rejects_bad_arguments(image, amount, kind, message):
    with pytest.raises(ValueError, match=message):
        degrade(image, amount, kind=kind)


def test_losses_reject_mismatched_or_unbatched_images():
    with pytest.raises(ValueError, match="same shape"):
        mse(np.zeros((2, 4, 4)), np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match=r"image\[None\]"):
        bce(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        bce(np.zeros((1, 2, 2)), np.full((1, 2, 2), 2.0))


# --- reparameterisation ---------------------------------------------------------------


def test_reparameterise_samples_have_mean_mu_and_std_sigma():
    mu = np.array([0.0, 2.0, -1.0])
    log_var = np.log(np.array([1.0, 0.25, 4.0]))
    z = reparameterise(mu, log_var, n=20000, seed=0)
    assert z.shape == (20000, 3) and z.dtype == np.float32
    np.testing.assert_allclose(z.mean(axis=0), mu, atol=0.05)
    np.testing.assert_allclose(z.std(axis=0), [1.0, 0.5, 2.0], rtol=0.03)
    np.testing.assert_array_equal(z[:10], reparameterise(mu, log_var, n=10, seed=0))


def test_reparameterise_rejects_bad_shapes():
    with pytest.raises(ValueError, match="same length"):
        reparameterise(np.zeros(3), np.zeros(2), n=4, seed=0)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        reparameterise(np.zeros(3), np.zeros(3), n=0, seed=0)
