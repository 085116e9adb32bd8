"""Training in the background, watched from a UI that polls.

A web page cannot block while a model trains, and must not lose the run when the user
switches pages or closes the tab. ``TrainingJob`` runs ``latent_core.training.train`` in
a daemon thread and keeps the latest progress, losses and preview images under a lock;
the page asks for a ``snapshot()`` whenever it redraws.

* With a ``hosting.TrainingQueue`` the thread first waits its turn (state ``queued``;
  the snapshot says how many trainings are ahead); Stop while queued leaves the queue.
* ``on_checkpoint(result)`` is called after finished epochs (at most every
  ``checkpoint_every_s`` seconds, never for the last one), e.g. to save the weights so far,
  so a killed server still leaves the last checkpointed epoch on disk. Saving takes time
  (0.3-0.5 s for a conv AE), so after a checkpoint the next one waits until the last one's
  cost is at most ``CHECKPOINT_MAX_SHARE`` of the training time since.
* When the run ends — completed, stopped, or ended by divergence or an error after at
  least one good epoch, whose weights training restored — ``on_model_ready(result)``
  saves the model (for the app: into the workspace), so it survives whatever happens to
  the page. The thread runs on when the tab closes; the model is there when the user returns.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from latent_core.hosting import QueuePosition, TrainingQueue
from latent_core.models.registry import model_class
from latent_core.training import (
    BatchProgress,
    EpochReport,
    TrainingDivergedError,
    TrainingFailedError,
    TrainingObserver,
    TrainingResult,
    train,
)

QUEUED, RUNNING = "queued", "running"
COMPLETED, STOPPED, DIVERGED, FAILED, CANCELLED = "completed", "stopped", "diverged", "failed", "cancelled"
ACTIVE_STATES = (QUEUED, RUNNING)
CHECKPOINT_EVERY_S = 2.0
CHECKPOINT_MAX_SHARE = 0.02  # checkpoints take at most about 2% of the training time
# Every job still queued or running, so a returning user's new session can find theirs.
_ACTIVE_JOBS: weakref.WeakSet[TrainingJob] = weakref.WeakSet()
_ACTIVE_LOCK = threading.Lock()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state for one redraw. ``queue`` says where a queued
    job waits; ``checkpoint_error`` why the last checkpoint could not be written.
    ``error`` is the English detail (also in the server log); ``error_type`` names the
    exception behind a failed run, for a page to show in its own language; ``save_error``
    is the exception that kept a finished run's model from being saved (e.g. a quota's
    refusal, which a page can explain)."""

    state: str
    progress: BatchProgress | None
    history: dict[str, list[float]]
    preview: np.ndarray | None
    preview_inputs: np.ndarray | None
    error: str | None
    saved: object | None
    started_at: float
    finished_at: float | None
    queue: QueuePosition | None = None
    checkpoint_error: str | None = None
    error_type: str | None = None
    save_error: Exception | None = None

    @property
    def finished(self) -> bool:
        return self.state not in ACTIVE_STATES


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
    checkpoint_error: str | None = None
    error_type: str | None = None
    save_error: Exception | None = None


class TrainingJob(TrainingObserver):
    """One training run in a background thread.

    ``on_model_ready(result)`` is called from the thread with the ``TrainingResult`` when
    there is a model worth keeping; whatever it returns (e.g. a workspace entry) is
    available as ``snapshot().saved``. ``owner`` and ``name`` label the job for
    ``active_job``.
    """

    def __init__(self, model, data, *, on_model_ready: Callable[[TrainingResult], object] | None = None,
                 on_checkpoint: Callable[[TrainingResult], object] | None = None,
                 checkpoint_every_s: float = CHECKPOINT_EVERY_S, queue: TrainingQueue | None = None,
                 owner: str | None = None, name: str = "", **train_options):
        self.model = model
        self.owner, self.name = owner, name
        self._data = data
        self._train_options = train_options
        self._on_model_ready = on_model_ready
        self._on_checkpoint = on_checkpoint
        self._checkpoint_every_s = checkpoint_every_s
        self._last_checkpoint = 0.0
        self._checkpoint_cost = 0.0
        self._queue = queue
        self._ticket: int | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._state = _State(state=QUEUED if queue is not None else RUNNING)
        self._thread = threading.Thread(target=self._run, name="latent-explorer-training", daemon=True)
        self.started_at = 0.0

    def start(self) -> TrainingJob:
        """Join the queue (if any) and start the thread; returns the job."""
        self.started_at = time.time()
        if self._queue is not None:
            self._ticket = self._queue.join()
        with _ACTIVE_LOCK:
            _ACTIVE_JOBS.add(self)
        try:
            self._thread.start()
        except BaseException:
            self._leave_queue()
            raise
        return self

    def stop(self) -> None:
        """Ask the run to end after the current batch (the weights so far are kept), or to
        leave the queue when it has not started."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            state = self._state
            queue = None
            if state.state == QUEUED and self._ticket is not None:
                queue = self._queue.position(self._ticket)
            return JobSnapshot(state=state.state, progress=state.progress,
                               history={name: list(values) for name, values in state.history.items()},
                               preview=state.preview, preview_inputs=state.preview_inputs, error=state.error,
                               saved=state.saved, started_at=self.started_at, finished_at=state.finished_at,
                               queue=queue, checkpoint_error=state.checkpoint_error, error_type=state.error_type,
                               save_error=state.save_error)

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
        waited = time.monotonic() - self._last_checkpoint
        due = waited >= max(self._checkpoint_every_s, self._checkpoint_cost / CHECKPOINT_MAX_SHARE)
        if self._on_checkpoint is not None and report.result is not None and report.epoch < report.epochs and due:
            self._checkpoint(report.result)

    def _checkpoint(self, result: TrainingResult) -> None:
        """Hand a copy of the result so far to ``on_checkpoint``; a failure is shown, not fatal
        (training goes on, and the final save tries again)."""
        partial = dataclasses.replace(result, history={name: list(values) for name, values in result.history.items()},
                                      stop_reason="in progress")
        started = time.monotonic()
        try:
            self._on_checkpoint(partial)
            error = None
        except Exception as failure:  # any failure to save: training goes on regardless
            logger.warning("Checkpoint of %r after epoch %d failed; training goes on", self.name,
                           result.epochs_completed, exc_info=True)
            error = f"{type(failure).__name__}: {failure}"
        self._last_checkpoint = time.monotonic()
        self._checkpoint_cost = self._last_checkpoint - started
        with self._lock:
            self._state.checkpoint_error = error

    # ----- the thread -----------------------------------------------------------------
    def _run(self) -> None:
        try:
            if self._ticket is not None and not self._queue.wait_for_slot(self._ticket, cancel=self._stop):
                self._finish(CANCELLED, None, None)
                return
            with self._lock:
                self._state.state = RUNNING
            self.started_at = time.time()
            self._last_checkpoint = time.monotonic()
            self._train_and_keep()
        finally:
            self._leave_queue()

    def _train_and_keep(self) -> None:
        result, state, error, error_type = None, COMPLETED, None, None
        try:
            result = train(self.model, self._data, observer=self, stop_event=self._stop, **self._train_options)
            state = STOPPED if result.stopped_early else COMPLETED
        except TrainingDivergedError as diverged:
            logger.warning("Training %r diverged: %s", self.name, diverged)
            result, state, error, error_type = diverged.result, DIVERGED, str(diverged), type(diverged).__name__
        except TrainingFailedError as failed:  # its cause's traceback is logged with it
            logger.exception("Training %r failed", self.name)
            result, state, error = failed.result, FAILED, str(failed)
            error_type = type(failed.__cause__ or failed).__name__
        except Exception as failure:  # anything before the first batch: the thread must still finish
            logger.exception("Training %r failed before it started", self.name)
            state, error, error_type = FAILED, f"{type(failure).__name__}: {failure}", type(failure).__name__
        saved, save_error = None, None
        worth_keeping = result is not None and (state in (COMPLETED, STOPPED) or result.epochs_completed > 0)
        if worth_keeping and self._on_model_ready is not None:
            try:
                saved = self._on_model_ready(result)
            except Exception as failure:  # measuring or saving: the thread must still finish
                logger.exception("Training %r ended but its model could not be saved", self.name)
                state, error = FAILED, f"Training finished but the model could not be saved: {failure}"
                error_type, save_error = type(failure).__name__, failure
        self._finish(state, error, saved, error_type, save_error)

    def _finish(self, state: str, error: str | None, saved: object | None, error_type: str | None = None,
                save_error: Exception | None = None) -> None:
        with self._lock:
            self._state.state, self._state.error, self._state.saved = state, error, saved
            self._state.error_type, self._state.save_error = error_type, save_error
            self._state.finished_at = time.time()
        with _ACTIVE_LOCK:
            _ACTIVE_JOBS.discard(self)

    def _leave_queue(self) -> None:
        if self._ticket is not None:
            self._queue.leave(self._ticket)


def workspace_job(workspace, model, data, *, name: str, dataset=None,
                  measure: Callable[[object], dict] | None = None, **job_options) -> TrainingJob:
    """A job that trains ``model`` into one new entry of ``workspace``: checkpoints marked
    in progress while it runs, then the final model with ``measure(model)``'s metrics.

    ``dataset`` is recorded as the model's data (default ``data``); the rest goes to
    ``TrainingJob`` (queue, owner, epochs, ...). Call ``start()`` on the result.
    """
    entry_id = workspace.new_id(name)
    provenance = data if dataset is None else dataset

    def checkpoint(result: TrainingResult):
        return workspace.save(model, name=name, dataset=provenance, training=result, entry_id=entry_id,
                              in_progress=True)

    def keep(result: TrainingResult):
        metrics = measure(model) if measure is not None else None
        return workspace.save(model, name=name, dataset=provenance, training=result, metrics=metrics,
                              entry_id=entry_id)

    return TrainingJob(model, data, on_model_ready=keep, on_checkpoint=checkpoint, name=name, **job_options)


def active_job(owner: str) -> TrainingJob | None:
    """The newest job of ``owner`` that is still queued or running in this process (a user
    who closed the tab finds their run again), or None."""
    with _ACTIVE_LOCK:
        mine = [job for job in _ACTIVE_JOBS if job.owner == owner and not job.snapshot().finished]
    return max(mine, key=lambda job: job.started_at, default=None)


# Each kind's ``training_ms_per_image`` is for a 28×28 input. Smaller inputs cost less,
# but not in proportion: per-batch overhead dominates below about 30% of that size.
_REFERENCE_VALUES = 28 * 28
_STARTUP_SECONDS = 3.0


def estimate_seconds(kind: str, input_shape: tuple[int, ...], *, images: int, epochs: int) -> float:
    """A rough wall-clock estimate for training ``kind`` on a 2-core CPU, for the UI to show
    before a run starts (during the run, the measured ETA replaces it), from the kind's
    own ``training_ms_per_image``."""
    ms_per_image = model_class(kind).training_ms_per_image
    if ms_per_image is None:
        raise ValueError(f"No estimate for model kind {kind!r}: its class declares no training_ms_per_image.")
    size_factor = max(0.3, float(np.prod(input_shape)) / _REFERENCE_VALUES)
    return _STARTUP_SECONDS + ms_per_image / 1000 * size_factor * images * epochs
