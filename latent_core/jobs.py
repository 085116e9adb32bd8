"""Training and other heavy work in the background, watched from a UI that polls.

A web page cannot block while a model trains, and must not lose the run when the user
switches pages or closes the tab. ``TrainingJob`` runs ``latent_core.training.train`` in
a daemon thread and keeps the latest progress, losses and preview images under a lock;
the page asks for a ``snapshot()`` whenever it redraws (the probe's codes per epoch too,
``code_history``). ``ProjectionJob`` computes a t-SNE map the same way, and
``HistoryLayoutJob`` the t-SNE layouts of a training's epochs. Both are ``BackgroundJob``s:

* With a ``hosting.TrainingQueue`` the thread first waits its turn (state ``queued``;
  the snapshot says how many jobs are ahead and about how long it waits, and tells the
  queue the job is still watched); Stop while queued leaves the queue. A job past the
  queue's time limit stops as Stop does and ends ``timed_out``.
* ``on_checkpoint(result)`` is called after finished epochs (at most every
  ``checkpoint_every_s`` seconds, never for the last one), e.g. to save the weights so far,
  so a killed server still leaves the last checkpointed epoch on disk. Saving takes time
  (0.3-0.5 s for a conv AE), so the training thread only snapshots the weights
  (``store.WeightsSnapshot``, milliseconds) and one writer thread per job calls
  ``on_checkpoint`` with a result whose ``model`` is an uncompiled copy built from that
  snapshot, while training goes on. One checkpoint is written at a time (an epoch that ends
  while the last one is still being written skips its own), and the next one waits until the
  last one's cost is at most ``CHECKPOINT_MAX_SHARE`` of the training time since (the writer
  still shares the cores).
* When the run ends — completed, stopped, or ended by divergence or an error after at
  least one good epoch, whose weights training restored — the job waits for the checkpoint
  still being written, if any (so it can never land after the final model), then
  ``on_model_ready(result)`` saves the model (for the app: into the workspace), so it
  survives whatever happens to the page; only then is the job finished. The thread runs on
  when the tab closes; the model is there when the user returns.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import pickle
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from latent_core import cluster as clusters
from latent_core import projection
from latent_core.history import CodeHistory
from latent_core.history import layouts as history_layouts
from latent_core.hosting import QueuePosition, TrainingQueue
from latent_core.models.registry import model_class
from latent_core.store import WeightsSnapshot
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
TIMED_OUT = "timed_out"
ACTIVE_STATES = (QUEUED, RUNNING)
CHECKPOINT_EVERY_S = 2.0
CHECKPOINT_MAX_SHARE = 0.02  # checkpoints take at most about 2% of the training time
FROM_ENV = object()
"""A ``TrainingJob``'s default ``cluster``: ``cluster.settings_from_env()`` (Ray when
``LATENT_EXPLORER_RAY_ADDRESS`` is set, else in-process)."""
# Every job still queued or running, so a returning user's new session can find theirs.
_ACTIVE_JOBS: weakref.WeakSet[BackgroundJob] = weakref.WeakSet()
_ACTIVE_LOCK = threading.Lock()
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent copy of a job's state for one redraw. ``queue`` says where a queued
    job waits; ``fraction`` how much of the work is done; ``checkpoint_error`` the exception that kept
    the last checkpoint from being written. ``error`` is the English detail (also in the
    server log); ``error_type`` names the exception behind a failed run, for a page to
    show in its own language; ``save_error`` is the exception that kept a finished run's
    model from being saved (e.g. a quota's refusal, which a page can explain).
    ``code_history`` holds a training's probe codes per finished epoch so far."""

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
    checkpoint_error: Exception | None = None
    fraction: float = 0.0
    error_type: str | None = None
    save_error: Exception | None = None
    code_history: CodeHistory | None = None

    @property
    def finished(self) -> bool:
        return self.state not in ACTIVE_STATES


@dataclass
class _State:
    state: str = RUNNING
    progress: BatchProgress | None = None
    fraction: float = 0.0
    history: dict[str, list[float]] = field(default_factory=dict)
    preview: np.ndarray | None = None
    preview_inputs: np.ndarray | None = None
    error: str | None = None
    saved: object | None = None
    finished_at: float | None = None
    checkpoint_error: Exception | None = None
    error_type: str | None = None
    save_error: Exception | None = None
    code_history: CodeHistory | None = None


class BackgroundJob:
    """Work in a daemon thread that first waits its turn in a ``hosting.TrainingQueue``
    (when given one), polled by the UI through ``snapshot()``.

    ``kind`` (e.g. ``"train"``, ``"map"``) and ``name`` label the job in the queue and for
    ``active_job``; ``owner`` is whose it is (the queue's per-user rule); ``estimate_s``
    the job's own guess of its run time, which the queue corrects by its history. Every
    snapshot of a waiting job tells the queue someone still watches it. A job past the
    queue's time limit is stopped as Stop does, and ends ``timed_out``. Subclasses do
    their work in ``_work`` and end it with ``_finish``.
    """

    def __init__(self, *, queue: TrainingQueue | None = None, owner: str | None = None, name: str = "",
                 kind: str = "job", estimate_s: float | None = None):
        self.owner, self.name, self.kind, self.estimate_s = owner, name, kind, estimate_s
        self._queue = queue
        self._ticket: int | None = None
        self._stop = threading.Event()
        self._timed_out = False
        self._lock = threading.Lock()
        self._state = _State(state=QUEUED if queue is not None else RUNNING)
        self._thread = threading.Thread(target=self._run, name=f"latent-explorer-{kind}", daemon=True)
        self.started_at = 0.0

    def start(self) -> BackgroundJob:
        """Join the queue (if any; ``hosting.AlreadyQueued`` when the owner has a job
        there already) and start the thread; returns the job."""
        self.started_at = time.time()
        if self._queue is not None:
            self._ticket = self._queue.join(self.owner, kind=self.kind, label=self.name, estimate_s=self.estimate_s)
        with _ACTIVE_LOCK:
            _ACTIVE_JOBS.add(self)
        try:
            self._thread.start()
        except BaseException:
            self._leave_queue()
            raise
        return self

    def stop(self) -> None:
        """Ask the work to end after its current step (a training keeps its weights so far);
        a job still waiting leaves the queue at once, so its owner may queue another."""
        self._stop.set()
        if self._ticket is not None:
            self._queue.withdraw(self._ticket)

    def time_out(self) -> None:
        """Stop as ``stop`` does because the queue's time limit has passed, so the job ends ``timed_out``
        (the cluster's ``TrainingRuns`` tells its worker's job so)."""
        self._timed_out = True
        self.stop()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            state = self._state
            queue = None
            if state.state == QUEUED and self._ticket is not None:
                self._queue.touch(self._ticket)
                queue = self._queue.position(self._ticket)
            return JobSnapshot(state=state.state, progress=state.progress,
                               history={name: list(values) for name, values in state.history.items()},
                               preview=state.preview, preview_inputs=state.preview_inputs, error=state.error,
                               saved=state.saved, started_at=self.started_at, finished_at=state.finished_at,
                               queue=queue, checkpoint_error=state.checkpoint_error, fraction=state.fraction,
                               error_type=state.error_type, save_error=state.save_error,
                               code_history=state.code_history)

    def _time_is_up(self) -> bool:
        """True (and the job asked to stop) once the job has used the queue's time limit."""
        if not self._timed_out and self._ticket is not None and self._queue.overdue(self._ticket):
            logger.warning("%s job %r reached the time limit; stopping it", self.kind, self.name)
            self._timed_out = True
            self._stop.set()
        return self._timed_out

    def _run(self) -> None:
        try:
            if self._ticket is not None and not self._queue.wait_for_slot(self._ticket, cancel=self._stop):
                self._finish(CANCELLED, None, None)
                return
            with self._lock:
                self._state.state = RUNNING
            self.started_at = time.time()
            self._work()
        finally:
            self._leave_queue()

    def _work(self) -> None:
        raise NotImplementedError

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
            with self._lock:
                finished = self._state.state == COMPLETED
            self._queue.leave(self._ticket, finished=finished)


class TrainingJob(BackgroundJob, TrainingObserver):
    """One training run in a background thread.

    ``on_model_ready(result)`` is called from the thread with the ``TrainingResult`` when
    there is a model worth keeping; whatever it returns (e.g. a workspace entry) is
    available as ``snapshot().saved``. Queue, owner, name, kind (default ``"train"``) and
    estimate as for ``BackgroundJob``; the rest goes to ``training.train``.
    """

    def __init__(self, model, data, *, on_model_ready: Callable[[TrainingResult], object] | None = None,
                 on_checkpoint: Callable[[TrainingResult], object] | None = None,
                 checkpoint_every_s: float = CHECKPOINT_EVERY_S, queue: TrainingQueue | None = None,
                 owner: str | None = None, name: str = "", kind: str = "train", estimate_s: float | None = None,
                 cluster: clusters.ClusterSettings | None | object = FROM_ENV, **train_options):
        super().__init__(queue=queue, owner=owner, name=name, kind=kind, estimate_s=estimate_s)
        self.cluster = clusters.settings_from_env() if cluster is FROM_ENV else cluster
        self.remote: clusters.RemoteTraining | None = None
        self.job_id = uuid.uuid4().hex
        self.model = model
        self._data = data
        self._train_options = train_options
        self._on_model_ready = on_model_ready
        self._on_checkpoint = on_checkpoint
        self._checkpoint_every_s = checkpoint_every_s
        self._last_checkpoint = 0.0
        self._checkpoint_cost = 0.0
        self._checkpoint_writer: threading.Thread | None = None

    # ----- TrainingObserver, called from the training thread ------------------------
    def on_batch(self, progress: BatchProgress) -> None:
        with self._lock:
            self._state.progress = progress
            self._state.fraction = progress.fraction
        self._time_is_up()  # sets the stop flag, which training reads right after this batch

    def on_epoch(self, report: EpochReport) -> None:
        with self._lock:
            for name, value in report.logs.items():
                self._state.history.setdefault(name, []).append(value)
            self._state.preview = report.preview
            self._state.preview_inputs = report.preview_inputs
            if report.result is not None:
                self._state.code_history = report.result.code_history
        waited = time.monotonic() - self._last_checkpoint
        due = waited >= max(self._checkpoint_every_s, self._checkpoint_cost / CHECKPOINT_MAX_SHARE)
        if self._on_checkpoint is not None and report.result is not None and report.epoch < report.epochs and due:
            self._checkpoint(report.result)

    def _checkpoint(self, result: TrainingResult) -> None:
        """Snapshot the weights and hand the result so far to the writer thread, unless it is
        still writing the last checkpoint (this epoch's is skipped: a later one comes)."""
        if self._checkpoint_writer is not None and self._checkpoint_writer.is_alive():
            return
        partial = dataclasses.replace(result, history={name: list(values) for name, values in result.history.items()},
                                      stop_reason="in progress")
        weights = WeightsSnapshot.of(result.model)
        self._checkpoint_writer = threading.Thread(target=self._write_checkpoint, args=(partial, weights),
                                                   name=f"latent-explorer-checkpoint-{self.job_id[:8]}", daemon=True)
        self._checkpoint_writer.start()

    def _write_checkpoint(self, partial: TrainingResult, weights: WeightsSnapshot) -> None:
        """In the writer thread: ``on_checkpoint`` with the snapshot's model; a failure is shown,
        not fatal (training goes on, and the final save tries again)."""
        started = time.monotonic()
        try:
            self._on_checkpoint(dataclasses.replace(partial, model=weights.model()))
            error = None
        except Exception as failure:  # any failure to save: training goes on regardless
            logger.warning("Checkpoint of %r after epoch %d failed; training goes on", self.name,
                           partial.epochs_completed, exc_info=True)
            error = failure
        self._checkpoint_cost = time.monotonic() - started
        self._last_checkpoint = time.monotonic()
        with self._lock:
            self._state.checkpoint_error = error

    def _wait_for_checkpoint_writer(self) -> None:
        """Wait until the checkpoint being written, if any, is on disk (or failed and said so)."""
        if self._checkpoint_writer is not None:
            self._checkpoint_writer.join()

    # ----- on a cluster: the board every replica reads -------------------------------
    def start(self) -> TrainingJob:
        super().start()
        self._publish(owner=self.owner, kind=self.kind, name=self.name, started_at=self.started_at,
                      ticket=self._ticket, replica=clusters.replica_name())
        return self

    def _publish(self, **fields) -> None:
        """Tell the cluster's ``JobBoard`` about this job (on a cluster only), so a session on
        another replica finds it; a board out of reach costs that, not the training."""
        if self.cluster is None:
            return
        try:
            board = clusters.board(self.cluster)
            board.publish.remote(self.job_id, fields)
        except Exception:  # the cluster unreachable: this replica's sessions still see the job
            logger.warning("Could not publish %s job %r to the cluster's job board", self.kind, self.name,
                           exc_info=True)

    def _finish(self, state, error, saved, error_type=None, save_error=None) -> None:
        super()._finish(state, error, saved, error_type, save_error)
        if self.cluster is None:
            return
        try:
            final = pickle.dumps(self.snapshot())
        except (pickle.PicklingError, TypeError, AttributeError):  # a result that cannot travel: its end still can
            logger.warning("The result of %r cannot be pickled; other replicas see only how it ended", self.name,
                           exc_info=True)
            final = pickle.dumps(dataclasses.replace(self.snapshot(), saved=None))
        self._publish(final=final)

    # ----- the thread -----------------------------------------------------------------
    def _run(self) -> None:
        if self.cluster is None or not isinstance(self._queue, clusters.ClusterQueue):
            super()._run()
            return
        try:  # the run on the cluster waits for the slot itself, so the wait outlives this replica too
            self._work_on_cluster()
        finally:
            self._leave_queue()

    def _work(self) -> None:
        if self.cluster is not None:
            self._work_on_cluster()
            return
        self._last_checkpoint = time.monotonic()
        result, state, error, error_type = None, COMPLETED, None, None
        try:
            result = train(self.model, self._data, observer=self, stop_event=self._stop, **self._train_options)
            state = (TIMED_OUT if self._timed_out else STOPPED) if result.stopped_early else COMPLETED
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
        self._wait_for_checkpoint_writer()  # a checkpoint written after the final model would replace it
        saved, save_error = None, None
        worth_keeping = result is not None and (state in (COMPLETED, STOPPED, TIMED_OUT) or result.epochs_completed > 0)
        if worth_keeping and self._on_model_ready is not None:
            try:
                saved = self._on_model_ready(result)
            except Exception as failure:  # measuring or saving: the thread must still finish
                logger.exception("Training %r ended but its model could not be saved", self.name)
                state, error = FAILED, f"Training finished but the model could not be saved: {failure}"
                error_type, save_error = type(failure).__name__, failure
        self._finish(state, error, saved, error_type, save_error)

    def _work_on_cluster(self) -> None:
        """Run the training as a Ray task (``cluster.RemoteTraining``): mirror its snapshots
        here, pass Stop on, and end as it ends; a lost worker ends the job failed (its checkpoints,
        saved by the worker, stay where they were saved). With the cluster's shared queue the run on
        the cluster keeps the time limit and frees the slot, so both hold if this replica dies; with a
        queue of this process only, this thread keeps them."""
        spec = {"model": self.model, "data": self._data, "on_model_ready": self._on_model_ready,
                "on_checkpoint": self._on_checkpoint, "checkpoint_every_s": self._checkpoint_every_s,
                "name": self.name, "kind": self.kind, "train_options": self._train_options}
        try:
            shared_queue = isinstance(self._queue, clusters.ClusterQueue)
            self.remote = clusters.RemoteTraining(spec, self.cluster, job_id=self.job_id,
                                                  ends=self._ends_without_worker(),
                                                  ticket=self._ticket if shared_queue else None)
            self._publish(on_cluster=True)
            stop_sent = False
            while not self.remote.done(clusters.REPORT_EVERY_S):
                self._mirror(self.remote.latest())
                if ((not shared_queue and self._time_is_up()) or self._stop.is_set()) and not stop_sent:
                    self.remote.stop()
                    stop_sent = True
            final = self.remote.result()
        except clusters.Cancelled:
            self._finish(CANCELLED, None, None)
            return
        except clusters.WorkerLost as lost:
            logger.error("Training %r lost its worker: %s", self.name, lost)
            self._finish(FAILED, str(lost), None, type(lost).__name__)
            return
        except Exception as failure:  # the cluster unreachable, a result that does not unpickle: still finish
            logger.exception("Training %r could not run on the Ray cluster", self.name)
            self._finish(FAILED, f"{type(failure).__name__}: {failure}", None, type(failure).__name__)
            return
        self._mirror(final)
        state = TIMED_OUT if self._timed_out and final.state == STOPPED else final.state
        self._finish(state, final.error, final.saved, final.error_type, final.save_error)

    def _ends_without_worker(self) -> dict[str, bytes]:
        """The board's final snapshot, pickled, for a run on the cluster that ends without one from a
        worker (the run never imports this module): its worker lost, or its wait given up."""
        blank = dict(progress=None, history={}, preview=None, preview_inputs=None, saved=None,
                     started_at=self.started_at, finished_at=None)
        return {"lost": pickle.dumps(JobSnapshot(state=FAILED, error="the training's worker process ended "
                                                 "before the training did", error_type=clusters.WorkerLost.__name__,
                                                 **blank)),
                "cancelled": pickle.dumps(JobSnapshot(state=CANCELLED, error=None, **blank))}

    def _mirror(self, snapshot: JobSnapshot | None) -> None:
        """Copy a worker's snapshot (progress, losses, previews, checkpoint problem) into this job; a job
        waiting on the cluster runs once its run holds the slot."""
        with self._lock:
            if self._state.state == QUEUED and self.remote.running():
                self._state.state = RUNNING
                self.started_at = time.time()
        if snapshot is None:
            return
        with self._lock:
            self._state.progress, self._state.fraction = snapshot.progress, snapshot.fraction
            self._state.history = snapshot.history
            self._state.preview, self._state.preview_inputs = snapshot.preview, snapshot.preview_inputs
            self._state.checkpoint_error = snapshot.checkpoint_error


class ProjectionJob(BackgroundJob):
    """A 2-D map of codes (``projection.project``) computed in the background; its
    ``snapshot().saved`` is the ``Projection``, also handed to ``on_ready`` (e.g. to
    cache it for everyone). Stop or the time limit end it without a map."""

    def __init__(self, codes: np.ndarray, *, method: str, max_points: int, seed: int = 0,
                 on_ready: Callable[[object], object] | None = None, queue: TrainingQueue | None = None,
                 owner: str | None = None, name: str = "", estimate_s: float | None = None):
        super().__init__(queue=queue, owner=owner, name=name, kind="map", estimate_s=estimate_s)
        self._codes, self._method, self._max_points, self._seed = codes, method, max_points, seed
        self._on_ready = on_ready

    def _report(self, fraction: float, message: str) -> None:
        with self._lock:
            self._state.fraction = fraction

    def _should_stop(self) -> bool:
        return self._time_is_up() or self._stop.is_set()

    def _work(self) -> None:
        try:
            mapped = projection.project(self._codes, method=self._method, max_points=self._max_points,
                                        seed=self._seed, progress=self._report, should_stop=self._should_stop)
        except projection.ProjectionStopped:
            self._finish(TIMED_OUT if self._timed_out else STOPPED, None, None)
            return
        except (ValueError, ImportError) as error:  # too few points for the method, or its library missing
            logger.warning("The %s map %r failed", self._method, self.name, exc_info=error)
            self._finish(FAILED, str(error), None, type(error).__name__)
            return
        except Exception as error:  # anything else (memory, a bug) still ends the job: no page waits forever
            logger.exception("The %s map %r failed", self._method, self.name)
            self._finish(FAILED, str(error), None, type(error).__name__)
            return
        if self._on_ready is not None:
            self._on_ready(mapped)
        self._finish(COMPLETED, None, mapped)


class HistoryLayoutJob(BackgroundJob):
    """The t-SNE layouts of every recorded epoch of a ``CodeHistory`` (``history.layouts``) in the
    background (kind ``"map"``); ``snapshot().saved`` is the (epochs, n, 2) array, also handed to
    ``on_ready``. Stop or the time limit end it without layouts."""

    def __init__(self, recorded: CodeHistory, *, method: str = "tsne",
                 on_ready: Callable[[np.ndarray], object] | None = None, queue: TrainingQueue | None = None,
                 owner: str | None = None, name: str = "", estimate_s: float | None = None):
        super().__init__(queue=queue, owner=owner, name=name, kind="map", estimate_s=estimate_s)
        self._recorded, self._method, self._on_ready = recorded, method, on_ready

    def _report(self, fraction: float) -> None:
        with self._lock:
            self._state.fraction = fraction

    def _work(self) -> None:
        try:
            laid_out = history_layouts(self._recorded, self._method, progress=self._report,
                                        should_stop=lambda: self._time_is_up() or self._stop.is_set())
        except projection.ProjectionStopped:
            self._finish(TIMED_OUT if self._timed_out else STOPPED, None, None)
            return
        except Exception as error:  # too few points, a library error, memory: the job still ends, said on the page
            logger.exception("The %s layouts over training %r failed", self._method, self.name)
            self._finish(FAILED, str(error), None, type(error).__name__)
            return
        if self._on_ready is not None:
            self._on_ready(laid_out)
        self._finish(COMPLETED, None, laid_out)


def workspace_job(workspace, model, data, *, name: str, dataset=None,
                  measure: Callable[[object], dict] | None = None, **job_options) -> TrainingJob:
    """A job that trains ``model`` into one new entry of ``workspace``: checkpoints marked
    in progress while it runs, then the final model with ``measure(model)``'s metrics.

    ``dataset`` is recorded as the model's data (default ``data``); the rest goes to
    ``TrainingJob`` (queue, owner, epochs, ...). Call ``start()`` on the result.
    """
    entry_id = workspace.new_id(name)
    provenance = data if dataset is None else dataset

    def checkpoint(result: TrainingResult):  # result.model: a copy of the weights at that epoch
        return workspace.save(result.model, name=name, dataset=provenance, training=result, entry_id=entry_id,
                              in_progress=True)

    def keep(result: TrainingResult):
        metrics = measure(model) if measure is not None else None
        return workspace.save(model, name=name, dataset=provenance, training=result, metrics=metrics,
                              entry_id=entry_id)

    return TrainingJob(model, data, on_model_ready=keep, on_checkpoint=checkpoint, name=name, **job_options)


class ClusterJobView(BackgroundJob):
    """A training that another app replica started on the cluster, seen through the
    cluster's ``JobBoard``: ``snapshot()`` (its place in the shared queue, the worker's
    progress, or how it ended) and ``stop()`` work as on the job itself; the training goes on when
    the replica that started it is gone. A job the cluster's ``TrainingRuns`` no longer holds without an end on the
    board (its node died) reads as failed, ``WorkerLost``; its last checkpoint is in the workspace."""

    def __init__(self, settings: clusters.ClusterSettings, record: dict):
        super().__init__(owner=record.get("owner"), name=record.get("name", ""), kind=record.get("kind", "train"))
        self.job_id, self.started_at, self._settings = record["id"], record.get("started_at", 0.0), settings

    def _record(self) -> dict:
        import ray

        return ray.get(clusters.board(self._settings).record.remote(self.job_id)) or {}

    def _ended(self, error: str) -> JobSnapshot:
        """The job's end when its run on the cluster is gone without one: failed, and so recorded on
        the board (no session asks for it again)."""
        ended = JobSnapshot(state=FAILED, progress=None, history={}, preview=None, preview_inputs=None, error=error,
                            saved=None, started_at=self.started_at, finished_at=time.time(),
                            error_type=clusters.WorkerLost.__name__)
        logger.warning("%s job %r is gone from the cluster: %s", self.kind, self.name, error)
        clusters.board(self._settings).publish.remote(self.job_id, {"final": pickle.dumps(ended)})
        return ended

    def snapshot(self) -> JobSnapshot:
        record = self._record()
        if "final" in record:
            return self._final(record)
        blank = dict(progress=None, history={}, preview=None, preview_inputs=None, error=None, saved=None,
                     started_at=self.started_at, finished_at=None)
        if record.get("on_cluster"):
            try:
                running, latest = clusters.run_latest(self.job_id)
            except clusters.WorkerLost as lost:
                time.sleep(0.5)  # it may just have ended: its end reaches the board right after
                record = self._record()
                return self._final(record) if "final" in record else self._ended(str(lost))
            if running or record.get("ticket") is None:
                return latest or JobSnapshot(state=RUNNING, **blank)
        ticket = record.get("ticket")
        if ticket is None:
            return self._ended("the job is no longer on the cluster's board")
        queue = clusters.ClusterQueue(self._settings)
        queue.touch(ticket)
        return JobSnapshot(state=QUEUED, queue=queue.position(ticket), **blank)

    @staticmethod
    def _final(record: dict) -> JobSnapshot:
        """The end on the board; one the cluster's run put there carries its time beside it."""
        final = pickle.loads(record["final"])
        if final.finished_at is None and "finished_at" in record:
            final = dataclasses.replace(final, finished_at=record["finished_at"])
        return final

    def stop(self) -> None:
        record = self._record()
        if record.get("on_cluster"):
            clusters.run_stop(self.job_id)
        elif record.get("ticket") is not None:
            clusters.ClusterQueue(self._settings).withdraw(record["ticket"])

    def join(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.snapshot().finished and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.25)


def active_job(owner: str, kind: str = "train") -> BackgroundJob | None:
    """The newest job of ``owner`` and ``kind`` that is still queued or running in this
    process (a user who closed the tab finds their run again) or, with a Ray cluster, on
    any app replica (a ``ClusterJobView``), or None."""
    with _ACTIVE_LOCK:
        mine = [job for job in _ACTIVE_JOBS
                if job.owner == owner and job.kind == kind and not job.snapshot().finished]
    if mine:
        return max(mine, key=lambda job: job.started_at)
    settings = clusters.settings_from_env()
    return None if settings is None else cluster_job(settings, owner, kind)


def cluster_job(settings: clusters.ClusterSettings, owner: str, kind: str = "train") -> ClusterJobView | None:
    """The newest job of ``owner`` and ``kind`` on the cluster's board that has not ended,
    whichever replica started it, or None."""
    import ray

    for record in ray.get(clusters.board(settings).find.remote(owner, kind)):
        view = ClusterJobView(settings, record)
        if not view.snapshot().finished:
            return view
    return None


# Each kind's ``training_ms_per_image`` is for its default layers on a 28×28 input. Smaller inputs cost
# less, but not in proportion: per-batch overhead dominates below about 30% of that size.
_REFERENCE_SHAPE = (28, 28, 1)
_REFERENCE_VALUES = 28 * 28
# Calibrated with benchmarks/bench_training_cost.py (BENCHMARKS.md): the Train page's job on a 2-core
# server whose two slots are busy, where a training's wall time is about its CPU time.
_STARTUP_SECONDS = 3.5  # building, tracing, measuring 2,000 test images, saving
_MS_PER_MILLION_MULTIPLY_ADDS = 0.095  # per image-epoch; about the same for dense and conv layers
_SMALLEST_SHARE = 0.3  # of the kind's time per image: what the smallest layers still cost


@functools.cache
def _default_multiply_adds(kind_class) -> int:
    """Multiply-adds per image of ``kind_class`` with its default layers on a 28×28 input."""
    from latent_core.models.architectures import multiply_adds

    return multiply_adds(kind_class(input_shape=_REFERENCE_SHAPE))


def estimate_seconds(kind: str, input_shape: tuple[int, ...], *, images: int, epochs: int,
                     multiply_adds: int | None = None) -> float:
    """A rough wall-clock estimate for training ``kind`` on a 2-core CPU, for the UI to show
    before a run starts (during the run, the measured ETA replaces it): a fixed start-up and
    finish, then ``images × epochs`` image-epochs at the kind's own ``training_ms_per_image``
    (its default layers), plus or minus the work the chosen layers do per image beyond those
    (``multiply_adds``, from ``architectures.plan``) at a measured cost per multiply-add.
    Convolutions reuse each weight at every position, so they cost far more per parameter than
    dense layers: the multiply-adds count that, the parameter count does not. Without
    ``multiply_adds`` the kind's default layers are assumed, scaled by the input's size."""
    cls = model_class(kind)
    ms_per_image = cls.training_ms_per_image
    if ms_per_image is None:
        raise ValueError(f"No estimate for model kind {kind!r}: its class declares no training_ms_per_image.")
    if multiply_adds is None:
        ms_per_image *= max(_SMALLEST_SHARE, float(np.prod(input_shape)) / _REFERENCE_VALUES)
    else:
        extra = (multiply_adds - _default_multiply_adds(cls)) / 1e6 * _MS_PER_MILLION_MULTIPLY_ADDS
        ms_per_image = max(_SMALLEST_SHARE * ms_per_image, ms_per_image + extra)
    return _STARTUP_SECONDS + ms_per_image / 1000 * images * epochs
