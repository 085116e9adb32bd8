"""The latent space over training: a fixed probe set's codes after every epoch, and 2-D layouts of them
that move smoothly from one epoch to the next.

While a model trains, :class:`CodeRecorder` (a Keras callback) encodes the same few hundred test
images — the *probe*, chosen by :func:`choose_probe`: stratified by class, the same for the same data
every time — before the first epoch (epoch 0, the untrained encoder) and after each epoch. The result
is a :class:`CodeHistory`, saved beside a model's bundle as ``history.npz`` (:func:`save_history`,
:func:`load_history`; a bundle without one simply has no history).

:func:`layouts` turns a history into one 2-D layout per epoch, each aligned to the one before, so a
point moves rather than jumps when the epoch changes: PCA per epoch followed by an orthogonal
Procrustes rotation (or reflection) onto the previous epoch's layout, or t-SNE started from the
previous epoch's layout (and aligned the same way). Every layout is centred and scaled to a
root-mean-square radius of 1: the codes' own scale grows as a model learns, and the pictures compare
shapes, not sizes.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from latent_core.frameworks import keras
import numpy as np
from scipy.linalg import orthogonal_procrustes

from latent_core.projection import ProjectionStopped

HISTORY_FILENAME = "history.npz"
DEFAULT_PROBE_SIZE = 300
LAYOUT_METHODS = ("pca", "tsne")
MIN_TSNE_POINTS = 10
# More distinct values than this and labels are a continuous quantity (the swiss roll's position), not classes.
MAX_CLASSES = 100
_PROBE_SEED = 0
_TSNE_PERPLEXITY = 30.0
_TSNE_FIRST_ITER = (250, 500)  # early exaggeration, then normal iterations: openTSNE's defaults
_TSNE_NEXT_ITER = 250  # a later epoch starts from the previous layout: no exaggeration, fewer steps
_ARRAY_KEYS = ("epochs", "codes", "indices")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Probe:
    """The inputs whose codes are recorded, their labels (None when the data has none) and their row
    indices in the array they were chosen from."""

    inputs: np.ndarray
    labels: np.ndarray | None
    indices: np.ndarray


def probe_indices(count: int, labels: np.ndarray | None, size: int = DEFAULT_PROBE_SIZE) -> np.ndarray:
    """Rows of ``size`` probe examples among ``count`` (all of them when there are fewer), sorted.

    Class labels: taken in turn from each class (in a fixed-seed random order within it), so every
    class has as many as it can, up to an even share. Continuous labels: evenly spaced along their
    sorted values. No labels: evenly spaced rows. The same inputs always give the same rows.
    """
    if size >= count:
        return np.arange(count)
    if labels is None:
        return np.unique(np.linspace(0, count - 1, size).round().astype(np.int64))
    labels = np.asarray(labels)
    if not is_class_labels(labels):
        order = np.argsort(labels, kind="stable")
        return np.sort(order[np.linspace(0, count - 1, size).round().astype(np.int64)])
    rng = np.random.default_rng(_PROBE_SEED)
    per_class = [rng.permutation(np.flatnonzero(labels == label)) for label in np.unique(labels)]
    depth = max(len(rows) for rows in per_class)
    # Round-robin over the classes: first row of every class, then the second of every class, ...
    interleaved = [rows[turn] for turn in range(depth) for rows in per_class if turn < len(rows)]
    return np.sort(np.asarray(interleaved[:size], dtype=np.int64))


def is_class_labels(labels: np.ndarray) -> bool:
    """Whether ``labels`` name classes (whole numbers, few distinct values) rather than a quantity."""
    labels = np.asarray(labels)
    if labels.size == 0 or not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
        return False
    return len(np.unique(labels)) <= MAX_CLASSES


def choose_probe(inputs: np.ndarray, labels: np.ndarray | None, size: int = DEFAULT_PROBE_SIZE) -> Probe:
    """The probe among ``inputs`` (see :func:`probe_indices`)."""
    rows = probe_indices(len(inputs), labels, size)
    return Probe(inputs=np.asarray(inputs)[rows], labels=None if labels is None else np.asarray(labels)[rows],
                 indices=rows)


@dataclass(frozen=True, eq=False)
class CodeHistory:
    """The probe's codes per recorded epoch: ``codes[i]`` (n, latent_dim) after epoch ``epochs[i]``
    (0: before training). ``labels`` are the probe's (None without labels), ``indices`` its rows in the
    test split it was chosen from. Arrays are read-only."""

    epochs: np.ndarray
    codes: np.ndarray
    indices: np.ndarray
    labels: np.ndarray | None = None

    def __post_init__(self) -> None:
        epochs = np.array(self.epochs, dtype=np.int64)
        codes = np.array(self.codes, dtype=np.float32)
        indices = np.array(self.indices, dtype=np.int64)
        labels = None if self.labels is None else np.array(self.labels)
        if codes.ndim != 3 or epochs.shape != (codes.shape[0],) or indices.shape != (codes.shape[1],):
            raise ValueError(f"a code history needs codes (epochs, n, d) matching epochs {epochs.shape} and "
                             f"indices {indices.shape}; got codes {codes.shape}.")
        if labels is not None and labels.shape != indices.shape:
            raise ValueError(f"a code history's labels must be one per probe example; got {labels.shape}.")
        if len(epochs) > 1 and not np.all(np.diff(epochs) > 0):
            raise ValueError("a code history's epochs must increase.")
        for name, array in (("epochs", epochs), ("codes", codes), ("indices", indices), ("labels", labels)):
            if array is not None:
                array.setflags(write=False)
            object.__setattr__(self, name, array)

    def up_to(self, epoch: int) -> CodeHistory:
        """The history of the epochs up to ``epoch`` (inclusive)."""
        kept = self.epochs <= epoch
        return CodeHistory(epochs=self.epochs[kept], codes=self.codes[kept], indices=self.indices, labels=self.labels)

    def thinned(self, most: int) -> CodeHistory:
        """At most ``most`` (>= 2) of the recorded epochs, evenly spread, always the first and the last:
        a long training's history at the size a shipped bundle can afford."""
        if most < 2:
            raise ValueError(f"a thinned history keeps at least its first and last epochs; got most={most}.")
        if len(self.epochs) <= most:
            return self
        kept = np.unique(np.round(np.linspace(0, len(self.epochs) - 1, most)).astype(np.int64))
        return CodeHistory(epochs=self.epochs[kept], codes=self.codes[kept], indices=self.indices, labels=self.labels)

    def to_arrays(self) -> dict[str, np.ndarray]:
        arrays = {"epochs": self.epochs, "codes": self.codes, "indices": self.indices}
        if self.labels is not None:
            arrays["labels"] = self.labels
        return arrays

    @classmethod
    def from_arrays(cls, arrays) -> CodeHistory:
        missing = [key for key in _ARRAY_KEYS if key not in arrays]
        if missing:
            raise ValueError(f"a code history needs the arrays {', '.join(missing)}.")
        labels = arrays["labels"] if "labels" in arrays else None
        return cls(epochs=arrays["epochs"], codes=arrays["codes"], indices=arrays["indices"], labels=labels)


def save_history(folder, history: CodeHistory, *, code_dtype=np.float32) -> Path:
    """Write ``history`` as ``history.npz`` into a bundle ``folder``; its path. ``code_dtype`` float16
    halves the file for a shipped library (a layout of the codes does not see the difference); codes are
    read back as float32 either way."""
    path = Path(folder) / HISTORY_FILENAME
    arrays = history.to_arrays()
    arrays["codes"] = arrays["codes"].astype(code_dtype)
    np.savez_compressed(path, **arrays)
    return path


def load_history(folder) -> CodeHistory | None:
    """The history saved in a bundle ``folder``; None when it has none, or when it cannot be read
    (logged: the model itself stays usable)."""
    path = Path(folder) / HISTORY_FILENAME
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return CodeHistory.from_arrays({key: arrays[key] for key in arrays.files})
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        logger.warning("The training history %s cannot be read; the model is shown without it: %s", path, error)
        return None


class CodeRecorder(keras.callbacks.Callback):
    """Encodes the probe before training (epoch 0) and after every epoch, handing the history so
    far to ``on_record`` each time. Placed before callbacks that save checkpoints at an epoch's end,
    so a checkpoint already carries that epoch's codes. It records every epoch Keras ends, partial
    or diverged ones too: the trainer keeps those up to its last finished epoch (``CodeHistory.up_to``)."""

    def __init__(self, probe: Probe, on_record: Callable[[CodeHistory], object]):
        super().__init__()
        self.probe = probe
        self.on_record = on_record
        self._epochs: list[int] = []
        self._codes: list[np.ndarray] = []

    @property
    def latest_codes(self) -> np.ndarray:
        """The probe's codes at the last recorded epoch."""
        return self._codes[-1]

    def on_train_begin(self, logs=None):
        self._record(0)

    def on_epoch_end(self, epoch, logs=None):
        self._record(epoch + 1)

    def _record(self, epoch: int) -> None:
        self._epochs.append(epoch)
        self._codes.append(np.asarray(self.model.encode(self.probe.inputs), dtype=np.float32))
        self.on_record(CodeHistory(epochs=self._epochs, codes=np.stack(self._codes), indices=self.probe.indices,
                                   labels=self.probe.labels))


def normalised(layout: np.ndarray) -> np.ndarray:
    """``layout`` (n, 2) centred, with a root-mean-square distance of 1 from its centre (all zeros
    stay zeros)."""
    centred = layout - layout.mean(axis=0)
    radius = float(np.sqrt((centred ** 2).sum(axis=1).mean()))
    return centred / radius if radius > 0 else centred


def align_to_previous(layouts: np.ndarray) -> np.ndarray:
    """Each layout (epochs, n, 2), normalised, then rotated (or reflected) by orthogonal Procrustes
    onto the already aligned layout before it; the first is only normalised."""
    aligned = np.empty(layouts.shape, dtype=np.float64)
    for index, layout in enumerate(layouts):
        current = normalised(np.asarray(layout, dtype=np.float64))
        if index:
            rotation, _ = orthogonal_procrustes(current, aligned[index - 1])
            current = current @ rotation
        aligned[index] = current
    return aligned


def mean_displacement(layouts: np.ndarray) -> np.ndarray:
    """How far points move from each epoch's layout to the next, on average: (epochs - 1,)."""
    return np.linalg.norm(np.diff(layouts, axis=0), axis=2).mean(axis=1)


def _pca_layout(codes: np.ndarray) -> np.ndarray:
    """The codes on their first two principal axes (by an SVD of the centred codes: a few hundred
    points take a millisecond); one latent axis gives a flat second one."""
    centred = np.asarray(codes, dtype=np.float64) - np.mean(codes, axis=0)
    left, singular, _ = np.linalg.svd(centred, full_matrices=False)
    layout = left[:, :2] * singular[:2]
    return layout if layout.shape[1] == 2 else np.hstack([layout, np.zeros_like(layout)])


def _tsne_layout(codes: np.ndarray, start: np.ndarray | None, seed: int) -> np.ndarray:
    """t-SNE of ``codes``: the standard schedule from PCA for the first, a shorter run without early
    exaggeration from ``start`` (the previous epoch's layout) for later ones."""
    import openTSNE

    codes = np.asarray(codes, dtype=np.float64)
    perplexity = min(_TSNE_PERPLEXITY, (len(codes) - 1) / 3)
    affinities = openTSNE.affinity.PerplexityBasedNN(codes, perplexity=perplexity, method="exact",
                                                     random_state=seed, n_jobs=1)
    if start is None:
        initial = openTSNE.initialization.pca(codes, random_state=seed)
    else:
        initial = np.ascontiguousarray(start, dtype=np.float64)
    embedding = openTSNE.TSNEEmbedding(initial, affinities, negative_gradient_method="bh", random_state=seed,
                                       n_jobs=1)
    if start is None:
        embedding = embedding.optimize(n_iter=_TSNE_FIRST_ITER[0], exaggeration=12, momentum=0.5)
        return np.asarray(embedding.optimize(n_iter=_TSNE_FIRST_ITER[1], momentum=0.8))
    return np.asarray(embedding.optimize(n_iter=_TSNE_NEXT_ITER, momentum=0.8))


def layouts(history: CodeHistory, method: str = "pca", *, seed: int = 0,
            progress: Callable[[float], object] | None = None,
            should_stop: Callable[[], bool] | None = None) -> np.ndarray:
    """One aligned 2-D layout per recorded epoch, (epochs, n, 2) (see the module's docstring).

    t-SNE takes about 0.2 s an epoch for 300 points; ``progress(fraction)`` hears after each epoch and
    ``should_stop()`` is asked before each (``projection.ProjectionStopped`` when it says so).
    """
    if method not in LAYOUT_METHODS:
        raise ValueError(f"unknown layout method {method!r}; use one of {', '.join(LAYOUT_METHODS)}.")
    if method == "tsne" and history.codes.shape[1] < MIN_TSNE_POINTS:
        raise ValueError(f"t-SNE needs at least {MIN_TSNE_POINTS} probe points; this history has "
                         f"{history.codes.shape[1]}.")
    raw, previous = [], None
    for index, codes in enumerate(history.codes):
        if should_stop is not None and should_stop():
            raise ProjectionStopped("the layouts over training were stopped")
        if method == "pca":
            raw.append(_pca_layout(codes))
        else:
            # Starting from the previous (unnormalised) layout keeps t-SNE's own scale for its optimiser.
            previous = _tsne_layout(codes, previous, seed)
            raw.append(previous)
        if progress is not None:
            progress((index + 1) / len(history.codes))
    return align_to_previous(np.stack(raw))
