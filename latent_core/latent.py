"""Latent-space arithmetic: class means, directions of variation, perturbations,
interpolation and prior samples.

Model-agnostic: everything works on NumPy arrays of codes ``(n, d)``. Codes returned
here are float32, like an encoder's outputs, so they go straight into a Keras decoder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

__all__ = [
    "ClassAverages",
    "Directions",
    "class_averages",
    "class_directions",
    "class_means",
    "code_from_dimension_sliders",
    "code_from_sliders",
    "interpolate",
    "perturbation_grid",
    "prior_samples",
]

INTERPOLATION_METHODS = ("linear", "slerp")


@dataclass(frozen=True, eq=False)
class Directions:
    """A class's main directions of variation in latent space (PCA of its codes).

    Attributes:
        components: ``(k, d)`` orthonormal directions, strongest first.
        std: ``(k,)`` standard deviation of the codes along each direction, so a
            slider value ``s`` along direction ``i`` means ``s * std[i]``.
        explained_variance_ratio: ``(k,)`` share of the codes' variance each
            direction explains.
        dimension_std: ``(d,)`` standard deviation of the codes per latent
            dimension, the unit for per-dimension sliders.
    """

    components: np.ndarray
    std: np.ndarray
    explained_variance_ratio: np.ndarray
    dimension_std: np.ndarray


def class_means(codes: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Mean code of each class, ``{label: (d,) code}`` in ascending label order."""
    codes = _as_codes(codes, name="codes")
    labels = np.asarray(labels)
    if labels.shape != (codes.shape[0],):
        raise ValueError(
            f"labels must have shape ({codes.shape[0]},), one per code, got {labels.shape}."
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers, got dtype {labels.dtype}.")
    return {
        int(label): codes[labels == label].mean(axis=0).astype(np.float32)
        for label in np.unique(labels)
    }


@dataclass(frozen=True)
class ClassAverages:
    """Each class's average code, two ways, ``{label: (d,) code}`` in ascending label order.

    Averaging cancels what a class's codes do not share, so the plain average usually lies nearer the
    centre of all the codes than the class's own codes do, where decoders tend to draw fainter, less detailed
    pictures.

    Attributes:
        plain: the mean of each class's codes.
        typical: the same direction from the centre of all the codes (their mean), at the class's typical
            distance from it (the median distance of its codes); the plain mean where it sits on the centre.
        shrink: the plain mean's distance from the centre over that typical distance.
    """

    plain: dict[int, np.ndarray]
    typical: dict[int, np.ndarray]
    shrink: dict[int, float]


def class_averages(codes: np.ndarray, labels: np.ndarray) -> ClassAverages:
    """Plain class means and class means moved out to their class's typical distance from the centre."""
    plain = class_means(codes, labels)
    codes = _as_codes(codes, name="codes")
    labels = np.asarray(labels)
    centre = codes.mean(axis=0)
    typical, shrink = {}, {}
    for label, mean in plain.items():
        typical_distance = float(np.median(np.linalg.norm(codes[labels == label] - centre, axis=1)))
        offset = mean.astype(np.float64) - centre
        distance = float(np.linalg.norm(offset))
        if distance <= 1e-9 * max(typical_distance, 1.0):  # no direction to move along
            typical[label], shrink[label] = mean, 0.0
            continue
        typical[label] = (centre + offset * (typical_distance / distance)).astype(np.float32)
        shrink[label] = distance / typical_distance
    return ClassAverages(plain=plain, typical=typical, shrink=shrink)


def class_directions(codes_of_class: np.ndarray, *, n_components: int = 5) -> Directions:
    """Main directions of variation of one class's codes (PCA).

    Returns at most ``min(n_components, n_codes - 1, d)`` directions: that is all
    the variation a class of ``n_codes`` codes in ``d`` dimensions has.
    """
    codes = _as_codes(codes_of_class, name="codes_of_class")
    if codes.shape[0] < 2:
        raise ValueError(
            f"class_directions needs at least 2 codes of the class, got {codes.shape[0]}; "
            "is the class empty in this data?"
        )
    if not isinstance(n_components, (int, np.integer)) or n_components < 1:
        raise ValueError(f"n_components must be a positive integer, got {n_components!r}.")
    k = min(n_components, codes.shape[0] - 1, codes.shape[1])
    pca = PCA(n_components=k, svd_solver="full").fit(codes)
    return Directions(
        components=pca.components_,
        std=np.sqrt(pca.explained_variance_),
        explained_variance_ratio=pca.explained_variance_ratio_,
        dimension_std=codes.std(axis=0, ddof=1),
    )


def code_from_sliders(
    mean: np.ndarray, directions: Directions, slider_values: np.ndarray
) -> np.ndarray:
    """``mean + sum_i slider_values[i] * std[i] * components[i]``: sliders in units of std.

    ``slider_values`` may be shorter than the number of directions; the rest count as 0.
    """
    mean = _as_vector(mean, name="mean", size=directions.components.shape[1])
    values = np.asarray(slider_values, dtype=np.float64)
    if values.ndim != 1 or values.size > directions.components.shape[0]:
        raise ValueError(
            f"slider_values must be a 1-D array of at most {directions.components.shape[0]} "
            f"values (one per direction), got shape {values.shape}."
        )
    k = values.size
    offset = (values * directions.std[:k]) @ directions.components[:k]
    return (mean + offset).astype(np.float32)


def code_from_dimension_sliders(
    mean: np.ndarray, directions: Directions, slider_values: np.ndarray
) -> np.ndarray:
    """``mean + slider_values * dimension_std``: one slider per latent dimension, in std."""
    size = directions.dimension_std.shape[0]
    mean = _as_vector(mean, name="mean", size=size)
    values = _as_vector(slider_values, name="slider_values", size=size)
    return (mean + values * directions.dimension_std).astype(np.float32)


def perturbation_grid(
    center: np.ndarray,
    *,
    n: int,
    spread: float,
    seed: int,
    scale: np.ndarray | None = None,
) -> np.ndarray:
    """``n`` codes ``center + spread * scale * N(0, 1)``, shape ``(n, d)``.

    ``scale`` is the per-dimension std of the codes (e.g. ``Directions.dimension_std``)
    so ``spread`` means the same in every dimension; without it every dimension
    gets unit scale. The same ``seed`` gives the same grid, so moving the spread
    slider scales one fixed set of perturbations instead of redrawing them.
    """
    center = _as_vector(center, name="center")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}.")
    if not np.isfinite(spread) or spread < 0:
        raise ValueError(f"spread must be a finite number >= 0, got {spread!r}.")
    if scale is None:
        scale = np.ones_like(center)
    else:
        scale = _as_vector(scale, name="scale", size=center.size)
        if np.any(scale < 0):
            raise ValueError("scale must be non-negative standard deviations.")
    noise = np.random.default_rng(seed).standard_normal((n, center.size))
    return (center + spread * scale * noise).astype(np.float32)


def interpolate(
    z0: np.ndarray, z1: np.ndarray, steps: int, *, method: str = "linear"
) -> np.ndarray:
    """``steps`` codes from ``z0`` to ``z1`` inclusive, shape ``(steps, d)``.

    ``"slerp"`` follows the great circle between the two directions (scaling
    magnitudes along the way), which keeps interpolants of Gaussian prior samples
    at a typical norm instead of cutting through the low-density middle. If the
    codes are (anti)parallel or one is zero, that circle is undefined and it
    falls back to linear.
    """
    z0 = _as_vector(z0, name="z0")
    z1 = _as_vector(z1, name="z1", size=z0.size)
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2 (both ends included), got {steps!r}.")
    if method not in INTERPOLATION_METHODS:
        raise ValueError(
            f"Unknown interpolation method {method!r}; valid methods: "
            f"{', '.join(INTERPOLATION_METHODS)}."
        )
    t = np.linspace(0.0, 1.0, steps)[:, None]
    norms = np.linalg.norm(z0) * np.linalg.norm(z1)
    cosine = float(z0 @ z1 / norms) if norms > 0 else 1.0
    if method == "linear" or abs(cosine) > 1 - 1e-7:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    omega = np.arccos(cosine)
    path = (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)
    return path.astype(np.float32)


def prior_samples(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """``n`` codes from a VAE's standard normal prior, shape ``(n, latent_dim)``."""
    for name, value in (("n", n), ("latent_dim", latent_dim)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return np.random.default_rng(seed).standard_normal((n, latent_dim)).astype(np.float32)


def _as_codes(codes: np.ndarray, *, name: str) -> np.ndarray:
    array = np.asarray(codes, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D (n, d) array, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contain NaN or infinite values.")
    return array


def _as_vector(vector: np.ndarray, *, name: str, size: int | None = None) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float64)
    expected = f"({size},)" if size is not None else "(d,)"
    if array.ndim != 1 or array.size == 0 or (size is not None and array.size != size):
        raise ValueError(f"{name} must be one code of shape {expected}, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array
