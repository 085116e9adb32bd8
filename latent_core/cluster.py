"""Trainings on a Ray cluster, so they leave the process that serves the pages.

With ``LATENT_EXPLORER_RAY_ADDRESS`` set (``auto``, or a cluster's address such as
``ray-head:6379``), every ``jobs.TrainingJob`` (Train page, Anomaly quick detector,
Manifold lab autoencoders) runs as one Ray task in a worker process, with the CPUs and
memory declared here (``LATENT_EXPLORER_RAY_TRAINING_CPUS``, default 1;
``LATENT_EXPLORER_RAY_TRAINING_MEMORY_MB``, default 2048), so a training that runs out
of memory takes its worker down, not the server. Unset, trainings run in a thread of the
server, as on a laptop or Streamlit Community Cloud.

Inside the worker the same ``TrainingJob`` runs in-process: it checkpoints and saves
through its own callbacks (a workspace job into the shared workspace folder, which
every machine mounts). The cluster's one detached ``TrainingRuns`` actor waits for each
training's slot and starts its task (from one long-lived submitter, so workers stay warm between
trainings); it belongs to no app replica, so the training outlives the replica that asked (one
that crashes or is drained). It carries the worker's snapshots (progress, losses, previews) to the
app and Stop back to the worker, keeps the shared queue's time limit, and puts the end on the job
board and frees the queue's slot when the task ends. The app's job polls it
(``RemoteTraining``); a worker that dies mid-run surfaces as ``WorkerLost``, and its last
checkpoint stays in the workspace. Tasks are never retried: a training killed for its
memory would only be killed again.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import pickle
import socket
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

RAY_ADDRESS_ENV = "LATENT_EXPLORER_RAY_ADDRESS"
RAY_AUTH_MODE_ENV = "RAY_AUTH_MODE"  # Ray's own: "token" where the cluster was started with ``ray start``
TRAINING_CPUS_ENV = "LATENT_EXPLORER_RAY_TRAINING_CPUS"
TRAINING_MEMORY_ENV = "LATENT_EXPLORER_RAY_TRAINING_MEMORY_MB"
NAMESPACE = "latent-explorer"
REPORT_EVERY_S = 0.25
"""How often a worker sends its training's snapshot (when it changed) and reads Stop."""


class WorkerLost(RuntimeError):
    """The worker process running a training ended before the training did (killed, out
    of memory, its machine gone); the app's job ends failed, its last checkpoint kept."""


class Cancelled(RuntimeError):
    """A training on the cluster left the shared queue before it ran (Stop, or nobody watched it)."""


@dataclass(frozen=True)
class ClusterSettings:
    """Where trainings run (``address``: ``auto`` or ``host:port``) and what each one
    declares to Ray's scheduler: ``num_cpus`` CPUs and ``memory_mb`` megabytes."""

    address: str
    num_cpus: float = 1.0
    memory_mb: int = 2048


def settings_from_env(environ: Mapping[str, str] | None = None) -> ClusterSettings | None:
    """The cluster named by ``LATENT_EXPLORER_RAY_ADDRESS`` with its resources, or None
    (unset: trainings run in-process). Raises ``ValueError`` naming a bad variable."""
    environ = os.environ if environ is None else environ
    address = environ.get(RAY_ADDRESS_ENV, "").strip()
    if not address:
        return None
    cpus_text = environ.get(TRAINING_CPUS_ENV, "").strip() or "1"
    memory_text = environ.get(TRAINING_MEMORY_ENV, "").strip() or "2048"
    try:
        num_cpus = float(cpus_text)
    except ValueError:
        num_cpus = 0.0
    if not num_cpus > 0:
        raise ValueError(f"{TRAINING_CPUS_ENV} must be a positive number of CPUs; got {cpus_text!r}.")
    if not memory_text.isdigit() or int(memory_text) < 1:
        raise ValueError(f"{TRAINING_MEMORY_ENV} must be a whole number of megabytes; got {memory_text!r}.")
    return ClusterSettings(address=address, num_cpus=num_cpus, memory_mb=int(memory_text))


_CONNECT_LOCK = threading.Lock()
LOOPBACK = "127.0.0.1"
LOOPBACK_ONLY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
"""On Linux Ray turns 127.0.0.1 into the machine's own address (so that other machines could
join) and its servers then listen on every interface; with this set, as on a laptop that does
not cluster, it keeps 127.0.0.1 and listens there only. Set in every process of a cluster on
loopback: the one that starts it, and each that connects to it."""


def _stay_on_loopback() -> None:
    """Set ``LOOPBACK_ONLY_ENV`` for this process and the Ray processes it starts; Ray reads it
    once, when it is imported, so a Ray already imported is told too (``ENABLE_RAY_CLUSTER``,
    the flag that variable sets)."""
    os.environ.update(LOOPBACK_ONLY_ENV)
    constants = sys.modules.get("ray._private.ray_constants")
    if constants is not None:
        constants.ENABLE_RAY_CLUSTER = False


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0] if ":" in address else address
    return host in (LOOPBACK, "localhost")


def connect(settings: ClusterSettings) -> None:
    """Join the cluster once per process (a process already connected, e.g. a test's
    local cluster, is left as it is); a cluster on loopback is joined on loopback only."""
    if _is_loopback(settings.address):
        _stay_on_loopback()
    import ray

    with _CONNECT_LOCK:
        if not ray.is_initialized():
            logger.info("Connecting to the Ray cluster at %s", settings.address)
            ray.init(address=settings.address, namespace=NAMESPACE, log_to_driver=False)


def start_local(num_cpus: int, **options) -> str:
    """A Ray cluster in this process that only this machine can reach (tests, benchmarks; the
    variables it needs stay set in this process, for the processes it starts):
    ``ray.init`` on 127.0.0.1 with its servers on loopback only (``LOOPBACK_ONLY_ENV``), no
    dashboard and no usage statistics; ``options`` go to ``ray.init``. Returns its address,
    for other processes on this machine to join (``LATENT_EXPLORER_RAY_ADDRESS``)."""
    _stay_on_loopback()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    ray.init(num_cpus=num_cpus, include_dashboard=False, _node_ip_address=LOOPBACK, log_to_driver=False,
             namespace=NAMESPACE, **options)
    return ray.get_runtime_context().gcs_address


def head_command(num_cpus: int, port: int) -> list[str]:
    """``ray start --head`` for a one-machine cluster on loopback only (run it with
    ``LOOPBACK_ONLY_ENV``): no dashboard, no usage statistics."""
    return ["ray", "start", "--head", f"--node-ip-address={LOOPBACK}", f"--port={port}", f"--num-cpus={num_cpus}",
            "--include-dashboard=false", "--disable-usage-stats"]


RESULT_KEPT_S = 600.0
"""How long the cluster keeps a training's outcome after it ended, for the app to fetch it (the replica
that started it gone: the board keeps the end for everyone else)."""

RUNS_NAME = "training-runs"
TRAININGS_PER_WORKER = 10
"""How many trainings one worker process runs before Ray replaces it: a process that trained keeps
about 16 MB more each time (TensorFlow's own state, not the models, which are freed), so a fresh one
every ten trainings bounds that at about 160 MB and pays TensorFlow's import once per ten."""


class _Run:
    """What ``TrainingRuns`` holds of one training: between the worker and the app, the latest
    snapshot (pickled by the worker, so the runs' process never imports TensorFlow; with a version, so
    a poll fetches only news), the Stop request and the worker's process id; and how it ended."""

    def __init__(self, ticket: int | None, ends: dict[str, bytes]):
        import asyncio

        self.ticket = ticket
        self.ends = ends  # the board's final snapshot, pickled by the app, for ends without one from a worker
        self.snapshot: bytes | None = None
        self.version = 0
        self.running = ticket is None  # holds its slot (or has none to wait for)
        self.stop: str | None = None  # None, "stop" (asked for) or "time limit"
        self.worker_pid: int | None = None
        self.outcome: tuple | None = None  # ("ended", completed, pickled snapshot), ("lost" | "cancelled", text)
        self.ended = asyncio.Event()
        self.fetched = asyncio.Event()
        self.task = None  # the coroutine that runs it, kept so that it is not collected


class TrainingRuns:
    """Ray actor (named, detached, zero CPUs: one per cluster) that owns every training on the
    cluster. For each it waits for the training's slot in the shared queue, starts the training's task
    and watches it; it stops the training at the queue's time limit, and when the training ends (or
    leaves the queue without running) it puts the end on the job board and frees the slot, whoever is
    still watching. It belongs to no app replica, so a replica that dies or is drained leaves its
    trainings waiting and running.

    One long-lived process for all trainings: an actor per training cost a process of about 200 MB
    each, thirty of them for a class; and Ray keeps a task's worker for the next task of the same
    detached submitter, so every training after the first finds a worker that already imported
    TensorFlow and traced its functions (5–8 s a training on a 2-core machine). It is an async actor:
    its methods run on one event loop, so no lock guards the runs. The actor gone (killed, its node
    dead) takes its trainings' tasks with it: they end ``WorkerLost``, and the next training starts a
    new one.

    It does not tell the queue that someone watches a waiting ticket: the sessions that show it do, so a
    wait nobody watches any more leaves the queue as it would in one process."""

    def __init__(self):
        self._runs: dict[str, _Run] = {}
        self._capacities: dict[float, Remembered] = {}

    def _run(self, job_id: str) -> _Run:
        try:
            return self._runs[job_id]
        except KeyError:
            raise WorkerLost(f"the cluster holds no training {job_id} (it ended and its outcome was fetched, "
                             "or the cluster's runs were restarted)") from None

    async def launch(self, job_id: str, ticket: int | None, ends: dict[str, bytes], spec: bytes,
                     num_cpus: float, memory_bytes: int) -> None:
        """Take on training ``job_id`` (``spec``: the pickled training): wait for its slot, then start
        its task and watch it, in the background, so this call returns at once. The spec waits in
        Ray's object store, owned by this actor (so it outlives the replica that sent it), not in
        this process's memory, which would otherwise hold every waiting training of a class."""
        import asyncio

        import ray

        run = self._runs[job_id] = _Run(ticket, ends)
        run.task = asyncio.ensure_future(self._watch(job_id, run, ray.put(spec), num_cpus, memory_bytes))

    async def _watch(self, job_id: str, run: _Run, spec, num_cpus: float, memory_bytes: int) -> None:
        import asyncio

        import ray

        board = _board_handle()
        try:
            has_slot = run.running or await self._wait_for_slot(board, run, num_cpus)
        except Exception as failure:  # the board out of reach: nobody can give the training its slot
            logger.exception("Job %s could not wait for its slot", job_id)
            has_slot, run.outcome = False, ("lost", f"the cluster's job board could not be reached: {failure}")
        if not has_slot:
            run.outcome = run.outcome or ("cancelled", "the training left the queue before it started")
        else:
            run.running = True
            keeper = asyncio.ensure_future(self._keep_time(board, job_id, run))
            try:
                _, task = _remote_parts()
                handle = ray.get_runtime_context().current_actor
                reference = task.options(num_cpus=num_cpus, memory=memory_bytes).remote(spec, handle, job_id)
                del spec
                completed, snapshot = await reference
                run.outcome = ("ended", completed, snapshot)
            except Exception as failure:  # the worker gone (or the task raised): the job ends failed
                lost = isinstance(failure, (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                                            ray.exceptions.OutOfMemoryError, ray.exceptions.TaskUnschedulableError))
                run.outcome = ("lost", f"the training's worker process ended before the training did: {failure}"
                               if lost else f"the training's task failed: {failure}")
            keeper.cancel()
        run.ended.set()
        await self._record_end(board, job_id, run)
        try:
            await asyncio.wait_for(run.fetched.wait(), RESULT_KEPT_S)
        except asyncio.TimeoutError:
            logger.info("Nobody fetched the outcome of job %s; the board keeps its end", job_id)
        del self._runs[job_id]

    async def _wait_for_slot(self, board, run: _Run, num_cpus: float) -> bool:
        """Poll the shared queue until the run's ticket holds a slot (True) or has left it: Stop, or
        nobody watched it (False). No more start at once than the workers hold trainings of
        ``num_cpus``: Ray lends a task's CPU to another while the first waits on a call (as every
        training does when it reports), so a training started beyond that would share a worker CPU,
        in a worker process of its own, rather than wait."""
        import asyncio

        capacity = self._capacities.setdefault(
            num_cpus, Remembered(lambda: _capacity(num_cpus), ClusterQueue.CAPACITY_TTL_S))
        while True:
            if run.stop is not None:
                await board.withdraw.remote(run.ticket)
            if await board.try_start.remote(run.ticket, capacity.value()):
                return True
            if not await board.waits.remote(run.ticket):
                return False
            await asyncio.sleep(ClusterQueue.POLL_S)

    @staticmethod
    async def _keep_time(board, job_id: str, run: _Run) -> None:
        """Stop the training once it has used the shared queue's time limit (its ticket's)."""
        import asyncio

        if run.ticket is None:
            return
        while True:
            if run.stop is None and await board.overdue.remote(run.ticket):
                logger.warning("Job %s reached the queue's time limit; stopping it", job_id)
                run.stop = "time limit"
            await asyncio.sleep(1.0)

    @staticmethod
    async def _record_end(board, job_id: str, run: _Run) -> None:
        """The end on the board (the worker's final snapshot, else the app's prepared one) and the slot
        freed; a board out of reach is logged: the app that watches still gets the outcome from here."""
        kind = run.outcome[0]
        final = run.outcome[2] if kind == "ended" else run.ends[kind]
        try:
            await board.publish.remote(job_id, {"final": final, "finished_at": time.time()})
            if run.ticket is not None:
                await board.leave.remote(run.ticket, kind == "ended" and run.outcome[1])
        except Exception:
            logger.exception("Could not put the end of job %s on the job board", job_id)

    def started(self, job_id: str, pid: int) -> None:
        self._run(job_id).worker_pid = pid

    def report(self, job_id: str, snapshot: bytes) -> str | None:
        """Keep ``snapshot`` (a pickled ``JobSnapshot``); returns why to stop (``"stop"``, ``"time limit"``)
        or None."""
        run = self._run(job_id)
        run.snapshot = snapshot
        run.version += 1
        return run.stop

    def latest(self, job_id: str, known_version: int):
        """``(version, pickled snapshot, running)``: the snapshot None when nothing is newer than
        ``known_version``; ``running`` once the training holds its slot."""
        run = self._run(job_id)
        return run.version, (run.snapshot if run.version > known_version else None), run.running

    def stop(self, job_id: str) -> None:
        """Ask the training to stop; a training no longer held has ended already, so there is nothing to do."""
        run = self._runs.get(job_id)
        if run is not None:
            run.stop = run.stop or "stop"

    def stop_requested(self, job_id: str) -> str | None:
        return self._run(job_id).stop

    def worker_pid(self, job_id: str) -> int | None:
        return self._run(job_id).worker_pid

    async def wait_end(self, job_id: str, timeout: float) -> bool:
        """Whether the training has ended, waiting up to ``timeout`` seconds for it."""
        import asyncio

        run = self._run(job_id)
        try:
            await asyncio.wait_for(run.ended.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return run.ended.is_set()

    def outcome(self, job_id: str) -> tuple | None:
        """How the training ended (None while it runs); once the app has fetched it, the run is let go."""
        run = self._run(job_id)
        if run.outcome is not None:
            run.fetched.set()
        return run.outcome

    def count(self) -> int:
        """How many trainings it holds (waiting, running, or ended and not yet fetched)."""
        return len(self._runs)


def _runs_actor():
    """The cluster's one ``TrainingRuns`` (started by the first training that needs it)."""
    runs, _ = _remote_parts()
    return runs.options(name=RUNS_NAME, namespace=NAMESPACE, lifetime="detached", get_if_exists=True).remote()


def _board_handle():
    """The cluster's job board, from inside an actor or task (already connected)."""
    import ray

    return ray.get_actor(BOARD_NAME, namespace=NAMESPACE)


def _train_in_worker(spec: bytes, runs, job_id: str):
    """A Ray task: run ``spec``'s training (pickled: the model and everything its callbacks use,
    together so they still refer to the one model trained here) as an in-process ``TrainingJob``
    of this worker, send its snapshots to ``runs`` while it runs and stop it when asked; returns
    whether it completed and its final ``JobSnapshot`` (pickled). The worker process stays for the
    next training (see ``TrainingRuns``), so Keras' state is cleared once the result is out."""
    import ray

    from latent_core.frameworks import keras
    from latent_core.jobs import TrainingJob

    spec = pickle.loads(spec)
    ray.get(runs.started.remote(job_id, os.getpid()))
    job = TrainingJob(spec["model"], spec["data"], on_model_ready=spec["on_model_ready"],
                      on_checkpoint=spec["on_checkpoint"], checkpoint_every_s=spec["checkpoint_every_s"],
                      name=spec["name"], kind=spec["kind"], cluster=None, **spec["train_options"]).start()
    del spec
    try:
        return _report_until_done(job, runs, job_id)
    finally:
        del job
        keras.backend.clear_session(free_memory=True)


def _report_until_done(job, runs, job_id: str) -> tuple[bool, bytes]:
    """Send ``job``'s snapshots to ``runs`` while it trains, stop it when asked; its end, as
    ``_train_in_worker`` returns it."""
    import ray

    from latent_core.jobs import COMPLETED

    sent = None
    while True:
        job.join(REPORT_EVERY_S)
        snapshot = job.snapshot()
        if snapshot.finished:
            return snapshot.state == COMPLETED, pickle.dumps(snapshot)
        news = (snapshot.state, snapshot.progress, len(next(iter(snapshot.history.values()), [])),
                snapshot.checkpoint_error is None)
        stop_asked = ray.get(runs.report.remote(job_id, pickle.dumps(snapshot)) if news != sent
                             else runs.stop_requested.remote(job_id))
        sent = news
        if stop_asked == "time limit":
            job.time_out()
        elif stop_asked:
            job.stop()


@functools.cache
def _remote_parts():
    """The Ray-decorated actor and task, made once (``ray`` is imported only in Ray mode)."""
    import ray

    runs = ray.remote(num_cpus=0)(TrainingRuns)
    task = ray.remote(max_retries=0, max_calls=TRAININGS_PER_WORKER)(_train_in_worker)
    return runs, task


class RemoteTraining:
    """One training on the cluster, seen from the app that asked for it: ``latest()`` snapshots and
    ``running()``, ``stop()``, ``done(timeout)`` and ``result()`` (raises ``WorkerLost``; ``Cancelled``
    when it left the queue before it ran). The cluster's ``TrainingRuns`` holds it under ``job_id``, so
    other replicas find it (``run_latest``), and outlives this replica. ``ticket``: its place in the
    cluster's shared queue (``ClusterQueue``), which the run waits on, keeps the time limit of and frees;
    ``ends``: the board's final snapshot (pickled) for a run that ends without one from a worker, by
    ``"lost"`` and ``"cancelled"``."""

    def __init__(self, spec: dict, settings: ClusterSettings, *, job_id: str, ends: dict[str, bytes],
                 ticket: int | None = None):
        import ray

        connect(settings)
        board(settings)  # the run reports its end there
        self.job_id = job_id
        self.runs = _runs_actor()
        self._version = 0
        self._running = ticket is None
        self._worker_pid: int | None = None
        self._outcome: tuple | None = None
        ray.get(self.runs.launch.remote(job_id, ticket, ends, ray.cloudpickle.dumps(spec), settings.num_cpus,
                                        settings.memory_mb * 2**20))

    def _ask(self, method: str, *args):
        """Call the runs' ``method`` for this training; ``WorkerLost`` when they are gone (their node
        died) or no longer hold it."""
        import ray

        try:
            return ray.get(getattr(self.runs, method).remote(self.job_id, *args))
        except ray.exceptions.RayActorError as gone:
            raise WorkerLost(f"the cluster's training runs are gone: {gone}") from gone

    def latest(self):
        """The worker's newest snapshot since the last call, or None."""
        self._version, snapshot, self._running = self._ask("latest", self._version)
        return None if snapshot is None else pickle.loads(snapshot)

    def running(self) -> bool:
        """Whether the training holds its slot (as of the last ``latest()``)."""
        return self._running

    def stop(self) -> None:
        self.runs.stop.remote(self.job_id)

    def worker_pid(self, timeout: float = 60.0) -> int | None:
        """The worker's process id once it has started the training (for operators and tests)."""
        deadline = time.monotonic() + timeout
        while self._worker_pid is None and time.monotonic() < deadline:
            self._worker_pid = self._ask("worker_pid")
            if self._worker_pid is None:
                time.sleep(0.1)
        return self._worker_pid

    def done(self, timeout: float) -> bool:
        return self._ask("wait_end", timeout)

    def result(self):
        """The final ``JobSnapshot``; ``WorkerLost`` when the worker died first, ``Cancelled`` when the
        training left the queue before it ran."""
        if self._outcome is None:
            self._worker_pid = self._worker_pid or self._ask("worker_pid")
            self._outcome = self._ask("outcome")
        if self._outcome[0] == "lost":
            raise WorkerLost(self._outcome[1])
        if self._outcome[0] == "cancelled":
            raise Cancelled(self._outcome[1])
        return pickle.loads(self._outcome[2])


def run_latest(job_id: str):
    """``(running, snapshot)`` of training ``job_id`` on the cluster, from any replica: whether it holds
    its slot, and its newest snapshot (None: none yet); ``WorkerLost`` when the cluster no longer holds
    it (its training ended and its outcome was fetched, or the runs' node died)."""
    import ray

    try:
        _, snapshot, running = ray.get(ray.get_actor(RUNS_NAME, namespace=NAMESPACE).latest.remote(job_id, 0))
    except (ValueError, ray.exceptions.RayActorError) as gone:
        raise WorkerLost(f"the cluster's training runs are gone: {gone}") from gone
    return running, None if snapshot is None else pickle.loads(snapshot)


def run_stop(job_id: str) -> None:
    """Ask training ``job_id`` on the cluster to stop (from any replica)."""
    import ray

    try:
        ray.get_actor(RUNS_NAME, namespace=NAMESPACE).stop.remote(job_id)
    except ValueError:  # the cluster's runs are gone, and the training with them
        logger.info("Stop for job %s came after its training ended", job_id)


# ----- what every app replica shares: the queue and its jobs --------------------------

BOARD_NAME = "job-board"
FINISHED_KEPT_S = 3600.0
"""How long the board remembers a finished job, for a replica that shows it late."""


class JobBoard:
    """Ray actor (named, detached: one per cluster, outliving every replica) holding the
    one ``hosting.TrainingQueue`` of all replicas and a record of every job: whose, its
    kind, name, start, ticket, whether it runs on the cluster yet (``on_cluster``), and its final
    snapshot (pickled) once it ended. A replica's new session finds a user's running job
    here, whichever replica started it."""

    def __init__(self):
        from latent_core.hosting import TrainingQueue

        self._queue = TrainingQueue()
        self._jobs: dict[str, dict] = {}

    # the queue, method by method (``ClusterQueue`` is its client)
    def configure(self, rules: tuple) -> None:
        if self._queue.rules != rules:
            slots, per_user, time_limit_s, unwatched_s = rules
            self._queue.configure(slots=slots, per_user=per_user, time_limit_s=time_limit_s, unwatched_s=unwatched_s)

    def rules(self) -> tuple:
        return self._queue.rules

    def join(self, owner, kind, label, estimate_s):
        """``("ticket", number)``, or ``("busy", existing, position)`` for ``AlreadyQueued``."""
        from latent_core.hosting import AlreadyQueued

        try:
            return "ticket", self._queue.join(owner, kind=kind, label=label, estimate_s=estimate_s)
        except AlreadyQueued as busy:
            return "busy", busy.existing, busy.position

    def try_start(self, ticket: int, parallel: int | None = None) -> bool:
        return self._queue.try_start(ticket, parallel)

    def waits(self, ticket: int) -> bool:
        return self._queue.position(ticket) is not None

    def touch(self, ticket: int) -> None:
        self._queue.touch(ticket)

    def overdue(self, ticket: int) -> bool:
        return self._queue.overdue(ticket)

    def leave(self, ticket: int, finished: bool) -> None:
        self._queue.leave(ticket, finished=finished)

    def withdraw(self, ticket: int) -> bool:
        return self._queue.withdraw(ticket)

    def position(self, ticket: int, parallel: int | None = None):
        return self._queue.position(ticket, parallel)

    def preview(self, kind: str, estimate_s: float | None, parallel: int | None):
        return self._queue.preview(kind=kind, estimate_s=estimate_s, parallel=parallel)

    def counts(self) -> tuple[int, int]:
        return self._queue.running, self._queue.waiting

    # the jobs
    def publish(self, job_id: str, fields: dict) -> None:
        """Add ``fields`` to the job's record (``final`` set: it ended)."""
        record = self._jobs.setdefault(job_id, {"id": job_id})
        record.update(fields)
        if "final" in fields:
            record["ended"] = time.monotonic()
        self._forget_old()

    def record(self, job_id: str) -> dict | None:
        return self._jobs.get(job_id)

    def active(self) -> list[dict]:
        """Every job that has not ended (without its pickled parts), oldest first."""
        return sorted(({name: value for name, value in record.items() if name != "final"}
                       for record in self._jobs.values() if "final" not in record),
                      key=lambda record: record.get("started_at", 0.0))

    def find(self, owner: str, kind: str) -> list[dict]:
        """``owner``'s jobs of ``kind`` that have not ended, newest first."""
        mine = [record for record in self._jobs.values()
                if record.get("owner") == owner and record.get("kind") == kind and "final" not in record]
        return sorted(mine, key=lambda record: record.get("started_at", 0.0), reverse=True)

    def _forget_old(self) -> None:
        now = time.monotonic()
        for job_id in [job_id for job_id, record in self._jobs.items()
                       if now - record.get("ended", now) > FINISHED_KEPT_S]:
            del self._jobs[job_id]


_BOARDS: dict[str, object] = {}


def board(settings: ClusterSettings):
    """The cluster's one ``JobBoard`` actor (started by the first replica that asks)."""
    import ray

    connect(settings)
    with _CONNECT_LOCK:
        if settings.address not in _BOARDS:
            actor = ray.remote(num_cpus=0)(JobBoard)  # one call at a time: no locks needed
            _BOARDS[settings.address] = actor.options(name=BOARD_NAME, namespace=NAMESPACE, lifetime="detached",
                                                      get_if_exists=True).remote()
        return _BOARDS[settings.address]


def training_capacity(settings: ClusterSettings) -> int:
    """How many trainings the cluster's workers run at once: their CPUs (``ray.cluster_resources``,
    all nodes alive now) over the CPUs one training declares; at least 1, so a cluster whose
    workers are still starting still gets an estimate."""
    connect(settings)
    return _capacity(settings.num_cpus)


def _capacity(num_cpus: float) -> int:
    """``training_capacity`` of the cluster this process is connected to, for trainings of ``num_cpus``."""
    import ray

    cpus = float(ray.cluster_resources().get("CPU", 0.0))
    return max(1, int(cpus // num_cpus + 1e-9))


class Remembered:
    """A value asked for again (``ask()``) only once it is ``ttl_s`` seconds old, so that frequent
    polls ask the cluster little."""

    def __init__(self, ask, ttl_s: float):
        self._ask, self._ttl_s = ask, ttl_s
        self._asked: tuple[float, object] | None = None  # (when asked, the answer then)

    def value(self):
        now = time.monotonic()
        if self._asked is None or now - self._asked[0] >= self._ttl_s:
            self._asked = (now, self._ask())
        return self._asked[1]


def replica_name() -> str:
    """This app replica's name on the board (its host name: a container's id under compose)."""
    return socket.gethostname()


def active_jobs(settings: ClusterSettings, replica: str | None = None) -> list[dict]:
    """The jobs on the board that have not ended (those started by ``replica`` only, when given)."""
    import ray

    records = ray.get(board(settings).active.remote())
    return [record for record in records if replica is None or record.get("replica") == replica]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m latent_core.cluster jobs [--replica NAME] [--wait SECONDS]``: list the
    trainings still queued or running (an operator drains a replica by waiting until it
    has none: exit 0 once none is left, 1 when ``--wait`` ran out first).
    ``python -m latent_core.cluster head [--cpus N] [--port P]``: start a Ray cluster on this
    machine that listens on loopback only, for app processes on the same machine."""
    parser = argparse.ArgumentParser(prog="python -m latent_core.cluster", description=main.__doc__)
    parser.add_argument("command", choices=["jobs", "head"])
    parser.add_argument("--replica", help="only the jobs this replica started (its host name)")
    parser.add_argument("--wait", type=float, default=0.0, help="seconds to wait until none is left")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1, help="head: CPUs for trainings")
    parser.add_argument("--port", type=int, default=6379, help="head: the cluster's port on 127.0.0.1")
    options = parser.parse_args(argv)
    if options.command == "head":
        import subprocess

        finished = subprocess.run(head_command(options.cpus, options.port), env={**os.environ, **LOOPBACK_ONLY_ENV})
        if finished.returncode == 0:
            print(f"export {RAY_ADDRESS_ENV}={LOOPBACK}:{options.port}")
            # ``ray start`` turns on token authentication and writes the token to ~/.ray/auth_token, which
            # a process of the same user on this machine reads once told that the cluster uses tokens
            print(f"export {RAY_AUTH_MODE_ENV}=token")
        return finished.returncode
    settings = settings_from_env()
    if settings is None:
        parser.error(f"set {RAY_ADDRESS_ENV} to the cluster's address")
    deadline = time.monotonic() + options.wait
    while True:
        jobs = active_jobs(settings, options.replica)
        for record in jobs:
            state = "running" if record.get("on_cluster") else "queued"
            print(f"{record.get('replica', '?')}\t{record.get('kind')}\t{state}\t{record.get('name')!r}")
        if not jobs:
            print("no trainings queued or running")
            return 0
        if time.monotonic() >= deadline:
            return 1
        time.sleep(min(5.0, max(0.0, deadline - time.monotonic())))


class ClusterQueue:
    """A ``hosting.TrainingQueue`` shared by every replica: the same methods, each a call
    to the cluster's ``JobBoard`` (waiting polls, every ``POLL_S``)."""

    POLL_S = 0.5
    CAPACITY_TTL_S = 10.0  # workers that join or leave count within this long; polls in between ask Ray nothing

    def __init__(self, settings: ClusterSettings):
        self._board = board(settings)
        self._settings = settings
        self._capacity = Remembered(lambda: training_capacity(self._settings), self.CAPACITY_TTL_S)

    def capacity(self) -> int:
        """``training_capacity`` of the cluster, asked of Ray at most once every ``CAPACITY_TTL_S``: every
        waiting session polls its place twice a second."""
        return self._capacity.value()

    def _call(self, method: str, *args):
        import ray

        return ray.get(getattr(self._board, method).remote(*args))

    @property
    def rules(self) -> tuple:
        return tuple(self._call("rules"))

    @property
    def slots(self) -> int | None:
        return self.rules[0]

    def configure(self, *, slots, per_user, time_limit_s, unwatched_s) -> None:
        self._call("configure", (slots, per_user, time_limit_s, unwatched_s))

    def join(self, owner=None, *, kind: str = "train", label: str = "", estimate_s=None) -> int:
        from latent_core.hosting import AlreadyQueued

        answer = self._call("join", owner, kind, label, estimate_s)
        if answer[0] == "busy":
            raise AlreadyQueued(answer[1], answer[2])
        return answer[1]

    def try_start(self, ticket: int) -> bool:
        """As ``TrainingQueue.try_start``, at most as many at once as the workers hold (``capacity``)."""
        return self._call("try_start", ticket, self.capacity())

    def wait_for_slot(self, ticket: int, cancel: threading.Event | None = None, timeout: float | None = None) -> bool:
        """As ``TrainingQueue.wait_for_slot``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.try_start(ticket):
                return True
            if not self._call("waits", ticket):
                return False
            if (cancel is not None and cancel.is_set()) or (deadline is not None and time.monotonic() >= deadline):
                self.leave(ticket)
                return False
            if cancel is not None:
                cancel.wait(self.POLL_S)
            else:
                time.sleep(self.POLL_S)

    def touch(self, ticket: int) -> None:
        self._call("touch", ticket)

    def overdue(self, ticket: int) -> bool:
        return self._call("overdue", ticket)

    def leave(self, ticket: int, *, finished: bool = False) -> None:
        self._call("leave", ticket, finished)

    def withdraw(self, ticket: int) -> bool:
        return self._call("withdraw", ticket)

    def position(self, ticket: int, parallel: int | None = None):
        """As ``TrainingQueue.position``; at most as many at once as the workers hold
        (``capacity``) unless ``parallel`` says otherwise."""
        return self._call("position", ticket, self.capacity() if parallel is None else parallel)

    def preview(self, *, kind: str = "train", estimate_s: float | None = None, parallel: int | None = None):
        """As ``TrainingQueue.preview``, with the workers' capacity as for ``position``."""
        return self._call("preview", kind, estimate_s, self.capacity() if parallel is None else parallel)

    @property
    def running(self) -> int:
        return self._call("counts")[0]

    @property
    def waiting(self) -> int:
        return self._call("counts")[1]


if __name__ == "__main__":
    sys.exit(main())
