"""Training in the background, watched from a UI that polls.

A web page cannot block while a model trains, and must not lose the run when the user
switches pages. ``TrainingJob`` runs ``latent_core.training.train`` in a daemon thread and
keeps the latest progress, losses and preview images under a lock; the page asks for a
``snapshot()`` whenever it redraws. When the run ends (completed, stopped, or diverged
after at least one good epoch, whose weights training restored) the model is saved through ``on_model_ready`` — for the app, into
the workspace — so it survives everything that happens to the page.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from latent_core.training import (
    BatchProgress,
    EpochReport,
    TrainingDivergedError,
    TrainingObserver,
    TrainingResult,
    train,
)

RUNNING, COMPLETED, STOPPED, DIVERGED, FAILED = "running", "completed", "stopped", "diverged", "failed"


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state for one redraw."""

    state: str
    progress: BatchProgress | None
    history: dict[str, list[float]]
    preview: np.ndarray | None
    preview_inputs: np.ndarray | None
    error: str | None
    saved: object | None
    started_at: float
    finished_at: float | None

    @property
    def finished(self) -> bool:
        return self.state != RUNNING


@dataclass
class _State:
    state: str = RUNNING
    progress: BatchProgress | None = None
    history: dict[str, list[float]] = field(default_factory=dict)
    preview: np.ndarray | None = None
    preview_inputs: np.ndarray | None = None
    error: str | None = None
    saved: object | None = None
    finished_at: float | None = None


class TrainingJob(TrainingObserver):
    """One training run in a background thread.

    ``on_model_ready(result)`` is called from the thread with the ``TrainingResult`` when
    there is a model worth keeping; whatever it returns (e.g. a workspace entry) is
    available as ``snapshot().saved``.
    """

    def __init__(self, model, data, *, on_model_ready: Callable[[TrainingResult], object] | None = None,
                 **train_options):
        self.model = model
        self._data = data
        self._train_options = train_options
        self._on_model_ready = on_model_ready
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._state = _State()
        self._thread = threading.Thread(target=self._run, name="latent-explorer-training", daemon=True)
        self.started_at = 0.0

    def start(self) -> TrainingJob:
        self.started_at = time.time()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the run to end after the current batch; the weights so far are kept."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            state = self._state
            return JobSnapshot(state=state.state, progress=state.progress,
                               history={name: list(values) for name, values in state.history.items()},
                               preview=state.preview, preview_inputs=state.preview_inputs, error=state.error,
                               saved=state.saved, started_at=self.started_at, finished_at=state.finished_at)

    # ----- TrainingObserver, called from the training thread ------------------------
    def on_batch(self, progress: BatchProgress) -> None:
        with self._lock:
            self._state.progress = progress

    def on_epoch(self, report: EpochReport) -> None:
        with self._lock:
            for name, value in report.logs.items():
                self._state.history.setdefault(name, []).append(value)
            self._state.preview = report.preview
            self._state.preview_inputs = report.preview_inputs

    # ----- the thread -----------------------------------------------------------------
    def _run(self) -> None:
        result, state, error = None, COMPLETED, None
        try:
            result = train(self.model, self._data, observer=self, stop_event=self._stop, **self._train_options)
            state = STOPPED if result.stopped_early else COMPLETED
        except TrainingDivergedError as diverged:
            result, state, error = diverged.result, DIVERGED, str(diverged)
        except Exception as failure:  # the page shows any failure; the app keeps running
            state, error = FAILED, f"{type(failure).__name__}: {failure}"
        saved = None
        worth_keeping = result is not None and (state in (COMPLETED, STOPPED) or result.epochs_completed > 0)
        if worth_keeping and self._on_model_ready is not None:
            try:
                saved = self._on_model_ready(result)
            except Exception as failure:
                state, error = FAILED, f"Training finished but the model could not be saved: {failure}"
        with self._lock:
            self._state.state, self._state.error, self._state.saved = state, error, saved
            self._state.finished_at = time.time()


# Milliseconds per training image for a 28×28 input, measured with ``train`` on a quiet
# 2-core CPU (a conv AE: 45 s per 60,000-image epoch). Smaller inputs cost less, but not
# in proportion: per-batch overhead dominates below about 30% of that size.
_MS_PER_IMAGE_28X28 = {"dense_ae": 0.25, "conv_ae": 0.75, "denoising_ae": 0.75, "sparse_ae": 0.12,
                       "linear_ae": 0.1, "vae": 0.25, "dcgan": 5.0}
_REFERENCE_VALUES = 28 * 28
_STARTUP_SECONDS = 3.0


def estimate_seconds(kind: str, input_shape: tuple[int, ...], *, images: int, epochs: int) -> float:
    """A rough wall-clock estimate for training ``kind`` on a 2-core CPU, for the UI to show
    before a run starts (during the run, the measured ETA replaces it)."""
    if kind not in _MS_PER_IMAGE_28X28:
        raise ValueError(f"No estimate for model kind {kind!r}; known: {', '.join(_MS_PER_IMAGE_28X28)}.")
    size_factor = max(0.3, float(np.prod(input_shape)) / _REFERENCE_VALUES)
    return _STARTUP_SECONDS + _MS_PER_IMAGE_28X28[kind] / 1000 * size_factor * images * epochs
