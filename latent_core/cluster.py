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
every machine mounts), and a small ``TrainingReporter`` actor carries its snapshots
(progress, losses, previews) to the app and Stop back to the worker. The app's job
polls it (``RemoteTraining``); a worker that dies mid-run surfaces as ``WorkerLost``,
and its last checkpoint stays in the workspace. Tasks are never retried: a training
killed for its memory would only be killed again.
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
TRAINING_CPUS_ENV = "LATENT_EXPLORER_RAY_TRAINING_CPUS"
TRAINING_MEMORY_ENV = "LATENT_EXPLORER_RAY_TRAINING_MEMORY_MB"
NAMESPACE = "latent-explorer"
REPORT_EVERY_S = 0.25
"""How often a worker sends its training's snapshot (when it changed) and reads Stop."""


class WorkerLost(RuntimeError):
    """The worker process running a training ended before the training did (killed, out
    of memory, its machine gone); the app's job ends failed, its last checkpoint kept."""


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


class TrainingReporter:
    """Ray actor between one training's worker and the app: the latest snapshot (pickled
    by the worker, so this small process never imports TensorFlow; with a version, so a
    poll fetches only news), the Stop request and the worker's process id."""

    def __init__(self):
        self._snapshot = None
        self._version = 0
        self._stop = False
        self._worker_pid: int | None = None

    def started(self, pid: int) -> None:
        self._worker_pid = pid

    def report(self, snapshot: bytes) -> bool:
        """Keep ``snapshot`` (a pickled ``JobSnapshot``); returns whether Stop was asked for."""
        self._snapshot = snapshot
        self._version += 1
        return self._stop

    def latest(self, known_version: int):
        """``(version, pickled snapshot)``, the snapshot None when nothing is newer than ``known_version``."""
        return self._version, (self._snapshot if self._version > known_version else None)

    def stop(self) -> None:
        self._stop = True

    def stop_requested(self) -> bool:
        return self._stop

    def worker_pid(self) -> int | None:
        return self._worker_pid


def _train_in_worker(spec: dict, reporter):
    """A Ray task: run ``spec``'s training as an in-process ``TrainingJob`` of this worker,
    send its snapshots to ``reporter`` while it runs and stop it when asked; returns the
    final ``JobSnapshot``. ``spec`` holds the model and everything its callbacks use,
    pickled together so they still refer to the one model trained here."""
    import ray

    from latent_core.jobs import TrainingJob

    ray.get(reporter.started.remote(os.getpid()))
    job = TrainingJob(spec["model"], spec["data"], on_model_ready=spec["on_model_ready"],
                      on_checkpoint=spec["on_checkpoint"], checkpoint_every_s=spec["checkpoint_every_s"],
                      name=spec["name"], kind=spec["kind"], cluster=None, **spec["train_options"]).start()
    sent = None
    while True:
        job.join(REPORT_EVERY_S)
        snapshot = job.snapshot()
        if snapshot.finished:
            return snapshot
        news = (snapshot.state, snapshot.progress, len(next(iter(snapshot.history.values()), [])),
                snapshot.checkpoint_error is None)
        stop_asked = ray.get(reporter.report.remote(pickle.dumps(snapshot)) if news != sent
                             else reporter.stop_requested.remote())
        sent = news
        if stop_asked:
            job.stop()


@functools.cache
def _remote_parts():
    """The Ray-decorated actor and task, made once (``ray`` is imported only in Ray mode)."""
    import ray

    reporter = ray.remote(num_cpus=0)(TrainingReporter)
    task = ray.remote(max_retries=0)(_train_in_worker)
    return reporter, task


class RemoteTraining:
    """One training running on the cluster, seen from the app that started it: ``latest()``
    snapshots, ``stop()``, ``done(timeout)`` and ``result()`` (raises ``WorkerLost``). Its
    reporter is named ``reporter_name``, so other replicas find it (``reporter_latest``)."""

    def __init__(self, spec: dict, settings: ClusterSettings, *, reporter_name: str):
        connect(settings)
        reporter_class, task = _remote_parts()
        self.reporter = reporter_class.options(name=reporter_name, namespace=NAMESPACE).remote()
        self._version = 0
        self._worker_pid: int | None = None
        self._ref = task.options(num_cpus=settings.num_cpus, memory=settings.memory_mb * 2**20).remote(
            spec, self.reporter)

    def latest(self):
        """The worker's newest snapshot since the last call, or None."""
        import ray

        self._version, snapshot = ray.get(self.reporter.latest.remote(self._version))
        return None if snapshot is None else pickle.loads(snapshot)

    def stop(self) -> None:
        self.reporter.stop.remote()

    def worker_pid(self, timeout: float = 60.0) -> int | None:
        """The worker's process id once it has started the training (for operators and tests)."""
        import ray

        deadline = time.monotonic() + timeout
        while self._worker_pid is None and time.monotonic() < deadline:
            self._worker_pid = ray.get(self.reporter.worker_pid.remote())
            if self._worker_pid is None:
                time.sleep(0.1)
        return self._worker_pid

    def done(self, timeout: float) -> bool:
        import ray

        ready, _ = ray.wait([self._ref], timeout=timeout)
        return bool(ready)

    def result(self):
        """The final ``JobSnapshot``; ``WorkerLost`` when the worker died first."""
        import ray

        try:
            return ray.get(self._ref)
        except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                ray.exceptions.OutOfMemoryError, ray.exceptions.TaskUnschedulableError) as lost:
            raise WorkerLost(f"the training's worker process ended before the training did: {lost}") from lost
        finally:
            try:
                self._worker_pid = self._worker_pid or ray.get(self.reporter.worker_pid.remote())
                ray.kill(self.reporter)
            except ray.exceptions.RayActorError:  # its node went down with the worker
                logger.warning("The reporter of a training was gone at its end", exc_info=True)


def reporter_latest(name: str):
    """The newest snapshot of the training whose reporter is ``name`` (None: none yet),
    from any replica; ``WorkerLost`` when that reporter is gone (its training ended or
    the replica that started it did)."""
    import ray

    try:
        _, snapshot = ray.get(ray.get_actor(name, namespace=NAMESPACE).latest.remote(0))
    except (ValueError, ray.exceptions.RayActorError) as gone:
        raise WorkerLost(f"the training's reporter {name} is gone: {gone}") from gone
    return None if snapshot is None else pickle.loads(snapshot)


def reporter_stop(name: str) -> None:
    """Ask the training whose reporter is ``name`` to stop (from any replica)."""
    import ray

    try:
        ray.get_actor(name, namespace=NAMESPACE).stop.remote()
    except ValueError:  # it ended meanwhile
        logger.info("Stop for %s came after its training ended", name)


# ----- what every app replica shares: the queue and its jobs --------------------------

BOARD_NAME = "job-board"
FINISHED_KEPT_S = 3600.0
"""How long the board remembers a finished job, for a replica that shows it late."""


class JobBoard:
    """Ray actor (named, detached: one per cluster, outliving every replica) holding the
    one ``hosting.TrainingQueue`` of all replicas and a record of every job: whose, its
    kind, name, start, ticket, the name of its reporter once it runs, and its final
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

    def try_start(self, ticket: int) -> bool:
        return self._queue.try_start(ticket)

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
    import ray

    connect(settings)
    cpus = float(ray.cluster_resources().get("CPU", 0.0))
    return max(1, int(cpus // settings.num_cpus + 1e-9))


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
        return finished.returncode
    settings = settings_from_env()
    if settings is None:
        parser.error(f"set {RAY_ADDRESS_ENV} to the cluster's address")
    deadline = time.monotonic() + options.wait
    while True:
        jobs = active_jobs(settings, options.replica)
        for record in jobs:
            state = "running" if record.get("reporter") else "queued"
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
        self._capacity: tuple[float, int] | None = None  # (when asked, training_capacity then)

    def capacity(self) -> int:
        """``training_capacity`` of the cluster, asked of Ray at most once every ``CAPACITY_TTL_S``: every
        waiting session polls its place twice a second."""
        now = time.monotonic()
        if self._capacity is None or now - self._capacity[0] >= self.CAPACITY_TTL_S:
            self._capacity = (now, training_capacity(self._settings))
        return self._capacity[1]

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
        return self._call("try_start", ticket)

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
