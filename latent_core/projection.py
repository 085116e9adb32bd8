"""2-D maps of latent codes (t-SNE, PCA, UMAP) and placing new codes onto them.

``project`` turns an ``(n, d)`` array of codes into a :class:`Projection`: the 2-D
coordinates of (a deterministic subsample of) the codes plus whatever fitted object
``place`` needs to put new codes - a drawn or uploaded image's code - onto the
same map without recomputing it. Projections round-trip through plain arrays
(``to_arrays`` / ``from_arrays``, ``np.savez``-friendly, no pickle) so pretrained
models can ship precomputed maps; such a loaded map places new codes by a
k-nearest-neighbour average in latent space.

Why openTSNE and not scikit-learn's ``TSNE``: scikit-learn's t-SNE has no
``transform``, so a new point could only be added by recomputing the whole map
(which moves every point). openTSNE's embeddings optimise new points against the
fixed map, and its optimiser reports progress through callbacks.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

__all__ = ["METHODS", "Projection", "ProjectionStopped", "available_methods", "place", "project", "tsne_settings",
           "busy_fraction", "tsne_threads"]

METHODS = ("tsne", "pca", "umap", "identity")
"""Every projection method this module knows; see :func:`available_methods`."""

ProgressCallback = Callable[[float, str], Any]


class ProjectionStopped(RuntimeError):
    """``project`` was asked to stop (``should_stop``) before the map was ready."""


_MIN_POINTS = {"tsne": 10, "umap": 10, "pca": 2, "identity": 1}

# openTSNE schedule: 250 early-exaggeration + 250 normal iterations. From a PCA start the map's
# 10-nearest-neighbour quality is the same as after openTSNE's default 500 normal ones (and
# scikit-learn's 750) for 1,000-5,000 codes: benchmarks/bench_projection.py measures it.
# Progress is reported every _TSNE_REPORT_EVERY iterations, which divides both phases.
_TSNE_EARLY_EXAGGERATION_ITER = 250
_TSNE_ITER = 250
_TSNE_REPORT_EVERY = 25
_TSNE_PERPLEXITY = 30.0
# Barnes-Hut gradients cost n log n, FFT's interpolation grid a large constant: on 2 cores FFT
# overtakes Barnes-Hut between 2,000 codes (BH 40% less CPU) and 5,000 (FFT 25% less).
_TSNE_FFT_FROM = 4000
# Exact neighbours (a full distance matrix) beat Annoy's index below ten thousand or so codes,
# and are the same on every run whatever the number of threads.
_TSNE_EXACT_NEIGHBOURS_UP_TO = 8000

_PLACEMENT_NEIGHBOURS = 10

_ARRAY_KEYS = ("method", "coordinates", "indices", "codes")


@dataclass(frozen=True, eq=False)
class Projection:
    """A 2-D map of latent codes.

    Attributes:
        method: the method that made the map, one of :data:`METHODS`.
        coordinates: ``(m, 2)`` map coordinates, one row per mapped code.
        indices: ``(m,)`` row indices of the mapped codes in the input given to
            :func:`project` (the input may have been subsampled), so labels and
            images of the mapped points are ``labels[indices]``, ``images[indices]``.
        codes: ``(m, d)`` the mapped codes themselves; they let :func:`place` work
            on maps loaded from arrays.
        fitted: the fitted object :func:`place` uses (an openTSNE ``TSNEEmbedding``,
            a scikit-learn ``PCA``, a ``umap.UMAP``), or ``None`` for identity maps
            and maps loaded with :meth:`from_arrays`.

    The arrays are read-only, so a map cached and shared between users cannot be
    changed by one of them.
    """

    method: str
    coordinates: np.ndarray
    indices: np.ndarray
    codes: np.ndarray
    fitted: Any = None

    def __post_init__(self) -> None:
        _check_method(self.method)
        coordinates = np.array(self.coordinates, dtype=np.float64)
        indices = np.array(self.indices, dtype=np.int64)
        codes = np.array(self.codes, dtype=np.float64)
        if coordinates.ndim != 2 or coordinates.shape[1] != 2:
            raise ValueError(
                f"Projection coordinates must have shape (m, 2), got {coordinates.shape}."
            )
        m = coordinates.shape[0]
        if indices.shape != (m,):
            raise ValueError(
                f"Projection indices must have shape ({m},) to match the coordinates, "
                f"got {indices.shape}."
            )
        if codes.ndim != 2 or codes.shape[0] != m:
            raise ValueError(
                f"Projection codes must have shape ({m}, d) to match the coordinates, "
                f"got {codes.shape}."
            )
        for name, array in (("coordinates", coordinates), ("indices", indices), ("codes", codes)):
            array.setflags(write=False)
            object.__setattr__(self, name, array)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The map as plain arrays, for ``np.savez(path, **projection.to_arrays())``.

        The fitted object is not included (saving it would need pickle); a map
        restored with :meth:`from_arrays` places new codes by nearest neighbours.
        """
        return {
            "method": np.asarray(self.method),
            "coordinates": np.array(self.coordinates),
            "indices": np.array(self.indices),
            "codes": np.array(self.codes),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> Projection:
        """Rebuild a map from :meth:`to_arrays` output or ``np.load(path)`` of it."""
        missing = [key for key in _ARRAY_KEYS if key not in arrays]
        if missing:
            raise ValueError(
                f"Projection arrays are missing {missing}; expected the keys "
                f"{list(_ARRAY_KEYS)} as written by Projection.to_arrays()."
            )
        return cls(
            method=str(arrays["method"]),
            coordinates=arrays["coordinates"],
            indices=arrays["indices"],
            codes=arrays["codes"],
        )


def available_methods() -> tuple[str, ...]:
    """The methods usable in this environment: UMAP only when umap-learn is installed.

    Checks without importing umap (its import compiles numba code and takes seconds).
    """
    umap_installed = importlib.util.find_spec("umap") is not None
    return tuple(method for method in METHODS if method != "umap" or umap_installed)


def project(
    codes: np.ndarray,
    *,
    method: str = "tsne",
    max_points: int = 2000,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    n_jobs: int | None = None,
) -> Projection:
    """Map latent codes to 2-D.

    Args:
        codes: ``(n, d)`` finite floats, ``d >= 2``.
        method: ``"tsne"`` (openTSNE), ``"pca"`` (scikit-learn), ``"umap"``
            (umap-learn, optional) or ``"identity"``. Identity shows 2-D codes as
            they are, so the map's axes are the latent axes and line up with a
            decoded manifold grid; PCA would rotate and rescale them.
        max_points: at most this many codes are mapped; larger inputs are
            subsampled without replacement using ``seed``, so the map takes
            bounded time. ``Projection.indices`` says which codes were kept.
        seed: makes subsampling and the layout reproducible.
        progress: optional ``progress(fraction, message)`` called with fractions
            from 0 to 1; t-SNE reports every 25 optimisation iterations.
        should_stop: optional; asked at each report, and when it says True the map is
            abandoned with ``ProjectionStopped`` (a job stopped or out of time).
        n_jobs: t-SNE's threads; default :func:`tsne_threads` (one on a hosted server,
            else the machine's idle cores).

    t-SNE settings (openTSNE, :func:`tsne_settings`): perplexity 30 (lowered for very
    small inputs), PCA initialisation (keeps the global layout and is deterministic),
    250 + 250 iterations, exact nearest neighbours up to 8,000 codes (Annoy above),
    Barnes-Hut gradients below 4,000 codes and FFT from there. The fitted embedding
    then switches to FFT gradients for ``place``, which optimises new points against
    the fixed map several times faster.
    """
    _check_method(method)
    codes = _as_codes(codes, name="codes")
    if codes.shape[1] < 2:
        raise ValueError(
            f"codes have {codes.shape[1]} dimension; a 2-D map needs codes with at "
            "least 2 dimensions."
        )
    if method == "identity" and codes.shape[1] != 2:
        raise ValueError(
            f"method='identity' shows 2-D codes as they are, but these codes have "
            f"{codes.shape[1]} dimensions; use 'pca', 'tsne' or 'umap'."
        )
    minimum = _MIN_POINTS[method]
    if not isinstance(max_points, (int, np.integer)) or max_points < minimum:
        raise ValueError(
            f"max_points must be an integer of at least {minimum} for method "
            f"{method!r}, got {max_points!r}."
        )
    if codes.shape[0] < minimum:
        raise ValueError(
            f"method {method!r} needs at least {minimum} codes, got {codes.shape[0]}; "
            "map more codes or use method='pca'."
        )
    if method != "identity" and np.all(codes == codes[0]):
        raise ValueError("all codes are identical, so there is nothing to map.")

    def report(fraction: float, message: str) -> bool:
        """Pass progress on; True when the caller wants the work to stop."""
        if progress is not None:
            progress(fraction, message)
        return should_stop is not None and should_stop()

    indices = _subsample_indices(codes.shape[0], max_points=max_points, seed=seed)
    sample = codes[indices]
    fit = {"tsne": _fit_tsne, "pca": _fit_pca, "umap": _fit_umap, "identity": _fit_identity}
    options = {"n_jobs": n_jobs} if method == "tsne" else {}
    coordinates, fitted = fit[method](sample, seed=seed, report=report, **options)
    if should_stop is not None and should_stop():
        raise ProjectionStopped(f"the {method} map was stopped before it was ready")
    report(1.0, "Map ready")
    return Projection(
        method=method, coordinates=coordinates, indices=indices, codes=sample, fitted=fitted
    )


def place(projection: Projection, new_codes: np.ndarray) -> np.ndarray:
    """Coordinates ``(k, 2)`` of new codes ``(k, d)`` on an existing map.

    Uses the map's fitted object: openTSNE's ``transform`` (optimises the new points
    against the fixed map), ``PCA.transform`` or UMAP's ``transform``; identity maps
    return the codes. Maps without a fitted object (loaded with
    :meth:`Projection.from_arrays`) place each new code at the inverse-distance
    weighted mean of the map coordinates of its 10 nearest mapped codes in latent
    space - a code equal to a mapped one lands exactly on it.
    """
    new_codes = _as_codes(new_codes, name="new_codes")
    latent_dim = projection.codes.shape[1]
    if new_codes.shape[1] != latent_dim:
        raise ValueError(
            f"new_codes have {new_codes.shape[1]} dimensions but the map was made from "
            f"{latent_dim}-dimensional codes; encode them with the same model."
        )
    if projection.method == "identity":
        return new_codes.copy()
    if projection.fitted is None:
        return _place_by_neighbours(projection, new_codes)
    return np.array(projection.fitted.transform(new_codes), dtype=np.float64)


_UMAP_MISSING = (
    "UMAP needs the optional package umap-learn: run `pip install umap-learn`, "
    "or use method='tsne' or 'pca'."
)


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"Unknown projection method {method!r}; valid methods: {', '.join(METHODS)}.")


def _as_codes(codes: np.ndarray, *, name: str) -> np.ndarray:
    """``codes`` as a finite, non-empty 2-D float64 array, or a ValueError saying why not."""
    try:
        array = np.asarray(codes, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a numeric (n, d) array: {error}") from error
    if array.ndim != 2:
        hint = f" For a single code use {name}[None, :]." if array.ndim == 1 else ""
        raise ValueError(f"{name} must be a 2-D (n, d) array, got shape {array.shape}.{hint}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}).")
    if not np.all(np.isfinite(array)):
        bad = int(np.count_nonzero(~np.isfinite(array).all(axis=1)))
        raise ValueError(
            f"{name} contain NaN or infinite values in {bad} rows; a model with "
            "diverged weights produces these - retrain it or drop those rows."
        )
    return array


def _subsample_indices(n: int, *, max_points: int, seed: int) -> np.ndarray:
    """All of ``range(n)``, or ``max_points`` of them drawn with ``seed``, sorted."""
    if n <= max_points:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=max_points, replace=False)).astype(np.int64)


BUSY_SAMPLE_S = 0.1  # how long busy_fraction watches the CPU counters: 10 jiffies a core at 100 Hz


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs since boot, from ``/proc/stat`` (None where there is none)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    if len(fields) < 4:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and waiting for I/O
    return sum(fields) - idle, sum(fields)


def busy_fraction(*, read: Callable[[], tuple[int, int] | None] = _cpu_times, interval: float = BUSY_SAMPLE_S,
                  sleep: Callable[[float], None] = time.sleep) -> float | None:
    """The share of the machine's CPU time spent busy over the next ``interval`` seconds (0 … 1), or
    None where the counters cannot be read. Unlike the load average, which trails by a minute, it says
    how busy the cores are now."""
    before = read()
    sleep(interval)
    after = read()
    if before is None or after is None or after[1] <= before[1]:
        return None
    return min(1.0, max(0.0, (after[0] - before[0]) / (after[1] - before[1])))


def tsne_threads(*, hosted: bool | None = None, cores: int | None = None, load: float | None = None) -> int:
    """How many threads one t-SNE fit uses: one on a hosted server (each concurrent map keeps to one
    core), else the cores no other work is using: the cores this process may run on less those busy
    now (``busy_fraction``; the one-minute load average where the CPU counters cannot be read), at
    least one. On a busy machine extra threads only wait for each other (openTSNE's threads meet after
    every step), so they would make the map slower, not faster."""
    if hosted is None:
        from latent_core.hosting import limits_from_env

        hosted = limits_from_env().hosted
    if hosted:
        return 1
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if load is None:
        busy = busy_fraction()
        if busy is not None:
            load = busy * cores
        else:
            load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cores, int(cores - load + 0.5)))


def tsne_settings(n: int, *, n_jobs: int | None = None) -> dict[str, Any]:
    """openTSNE's settings for ``n`` codes (see :func:`project`): the methods chosen by size."""
    return {
        "perplexity": min(_TSNE_PERPLEXITY, (n - 1) / 3),
        "neighbors": "exact" if n <= _TSNE_EXACT_NEIGHBOURS_UP_TO else "annoy",
        "negative_gradient_method": "fft" if n >= _TSNE_FFT_FROM else "bh",
        "early_exaggeration_iter": _TSNE_EARLY_EXAGGERATION_ITER,
        "n_iter": _TSNE_ITER,
        "n_jobs": tsne_threads() if n_jobs is None else n_jobs,
    }


def _fit_tsne(codes: np.ndarray, *, seed: int, report: ProgressCallback, n_jobs: int | None = None):
    import openTSNE

    total = _TSNE_EARLY_EXAGGERATION_ITER + _TSNE_ITER
    reports = 0

    def on_iterations(iteration: int, error: float, embedding: np.ndarray) -> bool:
        # openTSNE restarts `iteration` in each phase, so count reports instead.
        nonlocal reports
        reports += 1
        done = min(reports * _TSNE_REPORT_EVERY, total)
        # openTSNE stops optimising when a callback returns True; project() then refuses the map.
        return report(done / total, f"Optimising the t-SNE layout: iteration {done} of {total}")

    report(0.0, "Finding nearest neighbours")
    embedding = openTSNE.TSNE(
        n_components=2,
        initialization="pca",
        **tsne_settings(codes.shape[0], n_jobs=n_jobs),
        random_state=seed,
        callbacks=on_iterations,
        callbacks_every_iters=_TSNE_REPORT_EVERY,
    ).fit(codes)
    # transform() re-centres the embedding in place; centring it now makes that a
    # no-op, so the stored coordinates and placed points share one frame.
    embedding -= (embedding.max(axis=0) + embedding.min(axis=0)) / 2
    # Later transform() calls reuse these settings: drop the progress callback of
    # this fit, and place new points with FFT gradients (see project's docstring).
    embedding.gradient_descent_params.update(callbacks=None, negative_gradient_method="fft")
    return np.array(embedding), embedding


def _fit_pca(codes: np.ndarray, *, seed: int, report: ProgressCallback):
    report(0.0, "Fitting PCA")
    pca = PCA(n_components=2, svd_solver="full", random_state=seed)
    return pca.fit_transform(codes), pca


def _fit_umap(codes: np.ndarray, *, seed: int, report: ProgressCallback):
    try:
        import umap
    except ImportError as error:
        raise ImportError(_UMAP_MISSING) from error
    report(0.0, "Fitting UMAP")
    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, codes.shape[0] - 1), random_state=seed)
    return reducer.fit_transform(codes), reducer


def _fit_identity(codes: np.ndarray, *, seed: int, report: ProgressCallback):
    return codes.copy(), None


def _place_by_neighbours(projection: Projection, new_codes: np.ndarray) -> np.ndarray:
    """Inverse-distance weighted mean of the nearest mapped codes' coordinates."""
    k = min(_PLACEMENT_NEIGHBOURS, projection.codes.shape[0])
    # A ball tree measures distances directly, so a code equal to a mapped one is at
    # distance exactly 0 (the brute-force formula leaves rounding noise).
    neighbours = NearestNeighbors(n_neighbors=k, algorithm="ball_tree").fit(projection.codes)
    distances, indices = neighbours.kneighbors(new_codes)
    weights = 1.0 / np.maximum(distances, 1e-12)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("ik,ikj->ij", weights, projection.coordinates[indices])
