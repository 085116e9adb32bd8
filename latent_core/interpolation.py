"""The interpolation meter: how well each code on a path between two codes is a code the
model itself would give, and how likely a VAE's prior finds it.

A decoder turns any code into an image, but an encoder maps real images only to part of
the latent space. On a path ``z(t)`` from ``z0`` to ``z1`` (linear or spherical, from
``latent.interpolate``) each step is decoded, the image encoded again and that code
decoded once more. Two numbers per step:

- the **re-encoding error** ``||E(D(z)) − z||``: near 0 where ``z`` lies where the encoder
  puts images, large in a "hole" of the space, where the decoded image is one the encoder
  sends somewhere else;
- the **image change** ``RMS(D(E(D(z))) − D(z))``, the same in pixels (root mean square
  over an image's values), comparable between models whose codes have other scales.

For a VAE, also ``log N(z; 0, I)``, the prior's log-density of each step, beside that of a
typical prior sample (``E[log N(z)] = −d/2 (log 2π + 1)``). A pixel-space path (a cross-fade
of the two images) is the baseline the latent path is compared with.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from latent_core import latent

__all__ = ["InterpolationMeter", "measure_path", "pixel_path", "prior_log_density", "typical_prior_log_density"]


def prior_log_density(codes: np.ndarray) -> np.ndarray:
    """``log N(z; 0, I)`` of each row of ``codes`` ``(n, d)``: ``−½ (d log 2π + ||z||²)``."""
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] == 0:
        raise ValueError(f"codes must be an (n, d) array, got shape {codes.shape}.")
    dims = codes.shape[1]
    return -0.5 * (dims * math.log(2 * math.pi) + np.sum(np.square(codes), axis=1))


def typical_prior_log_density(dims: int) -> float:
    """The average log-density of the prior's own samples in ``dims`` dimensions (``E||z||² = d``)."""
    return -0.5 * dims * (math.log(2 * math.pi) + 1.0)


def pixel_path(x0: np.ndarray, x1: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` images ``(1 − t) x0 + t x1`` from ``x0`` to ``x1`` inclusive: a cross-fade in pixel space."""
    x0, x1 = np.asarray(x0, dtype=np.float32), np.asarray(x1, dtype=np.float32)
    if x0.shape != x1.shape:
        raise ValueError(f"the two images must have one shape, got {x0.shape} and {x1.shape}.")
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (both ends included), got {steps!r}.")
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32).reshape((steps,) + (1,) * x0.ndim)
    return (1 - t) * x0 + t * x1


@dataclass(frozen=True, eq=False)
class InterpolationMeter:
    """A measured path: ``codes`` ``(steps, d)``, their ``images`` D(z), ``reencoded`` codes
    E(D(z)), per step ``code_error`` ``||E(D(z)) − z||`` and ``image_change``
    ``RMS(D(E(D(z))) − D(z))``, and ``prior_log_density`` (for a VAE, else None)."""

    codes: np.ndarray
    images: np.ndarray
    reencoded: np.ndarray
    code_error: np.ndarray
    image_change: np.ndarray
    prior_log_density: np.ndarray | None

    @property
    def fractions(self) -> np.ndarray:
        """Where each step lies between the ends, 0 to 1."""
        return np.linspace(0.0, 1.0, len(self.codes))

    @property
    def worst_step(self) -> int:
        """The step whose code the model re-encodes worst: the deepest hole on the path."""
        return int(np.argmax(self.code_error))


def measure_path(encode: Callable[[np.ndarray], np.ndarray], decode: Callable[[np.ndarray], np.ndarray],
                 z0: np.ndarray, z1: np.ndarray, steps: int, *, method: str = "linear",
                 with_prior: bool = False) -> InterpolationMeter:
    """Interpolate ``steps`` codes from ``z0`` to ``z1`` with ``method`` (``latent.INTERPOLATION_METHODS``)
    and measure each with ``encode`` and ``decode`` (batch in, batch out: two decoder calls and
    one encoder call in all); ``with_prior`` adds the prior's log-density (for a VAE)."""
    codes = latent.interpolate(z0, z1, steps, method=method)
    images = np.asarray(decode(codes), dtype=np.float32)
    reencoded = np.asarray(encode(images), dtype=np.float32)
    redecoded = np.asarray(decode(reencoded), dtype=np.float32)
    code_error = np.linalg.norm(reencoded.astype(np.float64) - codes, axis=1)
    difference = (redecoded.astype(np.float64) - images).reshape(len(images), -1)
    image_change = np.sqrt(np.mean(np.square(difference), axis=1))
    return InterpolationMeter(codes, images, reencoded, code_error, image_change,
                              prior_log_density(codes) if with_prior else None)
