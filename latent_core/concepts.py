"""The math behind the Concepts page's teaching widgets.

KL divergence between two discrete distributions, BCE and MSE per image, a
deterministic way to make progressively worse "reconstructions", and the VAE
reparameterisation trick.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.special import rel_entr

__all__ = ["bce", "degrade", "kl_divergence", "mse", "reparameterise"]

DEGRADATIONS = ("blur", "noise")

MAX_BLUR_SIGMA = 3.0
"""Gaussian blur width in pixels at ``amount=1``: a 28x28 digit is barely legible."""


def kl_divergence(p: np.ndarray, q: np.ndarray, *, epsilon: float = 1e-10) -> float:
    """KL(p || q) in nats between two discrete distributions over the same outcomes.

    ``p`` and ``q`` are non-negative weights (bar heights the user drags); each is
    normalised to sum to 1. KL is not symmetric: ``kl_divergence(p, q)`` and
    ``kl_divergence(q, p)`` generally differ, which is the point of the widget.

    Epsilon: where ``q`` is 0 but ``p`` is not, KL is infinite. So that a bar
    dragged to zero shows a large number rather than ``inf``, ``epsilon`` is added
    to every outcome of both normalised distributions, which are then normalised
    again (with ``q = 0`` and
    ``p = 0.5`` the term is about ``0.5 * ln(0.5 / 1e-10) = 11.2``). Pass
    ``epsilon=0`` for the exact value, possibly ``inf``.
    """
    p = _as_distribution(p, name="p")
    q = _as_distribution(q, name="q")
    if p.shape != q.shape:
        raise ValueError(
            f"p and q must be over the same outcomes, got {p.size} and {q.size} values."
        )
    if not np.isfinite(epsilon) or epsilon < 0:
        raise ValueError(f"epsilon must be a finite number >= 0, got {epsilon!r}.")
    p = (p + epsilon) / (p + epsilon).sum()
    q = (q + epsilon) / (q + epsilon).sum()
    return float(np.sum(rel_entr(p, q)))


def bce(target: np.ndarray, reconstruction: np.ndarray, *, epsilon: float = 1e-7) -> np.ndarray:
    """Binary cross-entropy per image, averaged over pixels: shape ``(n,)``.

    Both arrays are ``(n, ...)`` batches with values in [0, 1]. The reconstruction
    is clipped to ``[epsilon, 1 - epsilon]`` as Keras does, so a pixel that is
    exactly wrong costs ``-ln(epsilon)`` (about 16) instead of infinity. Unlike
    MSE, BCE of a perfect reconstruction is 0 only for black-and-white targets:
    grey pixels keep their own entropy.
    """
    target, reconstruction = _as_image_pair(target, reconstruction)
    r = np.clip(reconstruction, epsilon, 1 - epsilon)
    per_pixel = -(target * np.log(r) + (1 - target) * np.log1p(-r))
    return per_pixel.reshape(len(target), -1).mean(axis=1)


def mse(target: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Mean squared error per image: shape ``(n,)`` for ``(n, ...)`` batches in [0, 1]."""
    target, reconstruction = _as_image_pair(target, reconstruction)
    return ((target - reconstruction) ** 2).reshape(len(target), -1).mean(axis=1)


def degrade(image: np.ndarray, amount: float, *, kind: str = "blur", seed: int = 0) -> np.ndarray:
    """A worse "reconstruction" of ``image``: ``amount`` 0 is the image, 1 the worst.

    ``image`` is ``(H, W)`` or ``(H, W, C)`` with values in [0, 1].
    ``"blur"``: Gaussian blur over the two spatial axes, sigma ``amount *
    MAX_BLUR_SIGMA`` pixels. ``"noise"``: blend ``(1 - amount) * image + amount *
    noise`` towards a fixed uniform-noise image drawn with ``seed``, so every pixel
    moves steadily away from the original as ``amount`` grows and MSE and BCE rise
    with it. Deterministic: the same arguments give the same image.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"image must be (H, W) or (H, W, C), got shape {image.shape}.")
    _check_unit_interval(image, name="image")
    if not 0 <= amount <= 1:
        raise ValueError(f"amount must be between 0 and 1, got {amount!r}.")
    if kind not in DEGRADATIONS:
        raise ValueError(f"Unknown degradation {kind!r}; valid kinds: {', '.join(DEGRADATIONS)}.")
    if kind == "blur":
        sigma = (amount * MAX_BLUR_SIGMA,) * 2 + (0.0,) * (image.ndim - 2)
        degraded = gaussian_filter(image, sigma=sigma)
    else:
        noise = np.random.default_rng(seed).uniform(size=image.shape)
        degraded = (1 - amount) * image + amount * noise
    return degraded.astype(np.float32)


def reparameterise(mu: np.ndarray, log_var: np.ndarray, *, n: int, seed: int) -> np.ndarray:
    """``n`` samples ``z = mu + sigma * eps`` with ``sigma = exp(log_var / 2)``, ``eps ~ N(0, I)``.

    The VAE trick: the randomness sits in ``eps``, outside the network, so ``z`` is a
    differentiable function of ``mu`` and ``log_var``. Returns ``(n, d)`` float32.
    """
    mu = np.asarray(mu, dtype=np.float64)
    log_var = np.asarray(log_var, dtype=np.float64)
    if mu.ndim != 1 or mu.size == 0 or log_var.shape != mu.shape:
        raise ValueError(
            f"mu and log_var must be 1-D arrays of the same length (one per latent "
            f"dimension), got shapes {mu.shape} and {log_var.shape}."
        )
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(log_var))):
        raise ValueError("mu and log_var must be finite.")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    eps = np.random.default_rng(seed).standard_normal((n, mu.size))
    return (mu + np.exp(0.5 * log_var) * eps).astype(np.float32)


def _as_distribution(weights: np.ndarray, *, name: str) -> np.ndarray:
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim != 1 or array.size < 2:
        raise ValueError(f"{name} must be a 1-D array of at least 2 outcomes, got shape {array.shape}.")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must hold finite, non-negative weights.")
    if array.sum() == 0:
        raise ValueError(f"{name} is all zeros; give at least one outcome some weight.")
    return array / array.sum()


def _as_image_pair(target: np.ndarray, reconstruction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    target = np.asarray(target, dtype=np.float64)
    reconstruction = np.asarray(reconstruction, dtype=np.float64)
    if target.shape != reconstruction.shape:
        raise ValueError(
            f"target and reconstruction must have the same shape, got {target.shape} "
            f"and {reconstruction.shape}."
        )
    if target.ndim < 2 or target.shape[0] == 0:
        raise ValueError(
            f"Expected a batch of images (n, H, W[, C]), got shape {target.shape}; "
            "for one image pass image[None]."
        )
    _check_unit_interval(target, name="target")
    _check_unit_interval(reconstruction, name="reconstruction")
    return target, reconstruction


def _check_unit_interval(array: np.ndarray, *, name: str) -> None:
    if not np.all(np.isfinite(array)) or array.min() < 0 or array.max() > 1:
        raise ValueError(f"{name} values must be finite and in [0, 1]; scale 0-255 images by 1/255.")
