"""Limits for a shared, hosted server, and the queue that shares its CPU between heavy jobs.

Run locally, the app lets one user spend what the machine has. Hosted for a class
(``LATENT_EXPLORER_HOSTED=1``, e.g. on Streamlit Community Cloud, whose top-level
secrets become environment variables), every session gets classroom limits: fewer
epochs and training images, smaller models to train, smaller on-demand t-SNE maps, smaller uploads that also
unpack to less (array bytes, pixels, parse time and memory), and a process-wide queue for
every heavy job (trainings on the Train, Anomaly and Manifold pages, t-SNE maps computed
on demand): only a few run at once, first come first served; each user has one job
waiting or running at a time; a job past its time limit is stopped; a waiting job that
nobody polls any more (its tab was closed) leaves the queue.
Each limit can be set on its own with its environment variable (``ENV_NAMES``), hosted
or not; locally nothing is limited.

A separate group bounds what users keep on disk (``WorkspaceLimits``): models and
megabytes per user, megabytes of all users together, and the days after which an unused
user's workspace is deleted; ``sign_in_required`` says whether a server with sign-in
configured shows signed-out visitors only the sign-in.

``TrainingQueue`` is that queue: a FIFO of tickets with a number of slots. A job's
thread calls ``join`` (``AlreadyQueued`` when its owner has a job already), then
``wait_for_slot``, and ``leave`` when done; the page's polls ``touch`` a waiting ticket,
a running job asks ``overdue`` after each step, and ``position`` says "2 jobs ahead of
yours, about 3 min" from the queue's own record of recently finished jobs.
"""

from __future__ import annotations

import heapq
import itertools
import os
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

HOSTED_ENV = "LATENT_EXPLORER_HOSTED"
ENV_NAMES = {
    "max_epochs": "LATENT_EXPLORER_MAX_EPOCHS",
    "max_training_images": "LATENT_EXPLORER_MAX_TRAINING_IMAGES",
    "max_model_parameters": "LATENT_EXPLORER_MAX_MODEL_PARAMETERS",
    "max_concurrent_trainings": "LATENT_EXPLORER_MAX_TRAININGS",
    "max_tsne_points": "LATENT_EXPLORER_MAX_TSNE_POINTS",
    "max_upload_mb": "LATENT_EXPLORER_MAX_UPLOAD_MB",
    "max_upload_array_mb": "LATENT_EXPLORER_MAX_UPLOAD_ARRAY_MB",
    "max_upload_megapixels": "LATENT_EXPLORER_MAX_UPLOAD_MEGAPIXELS",
    "max_parse_seconds": "LATENT_EXPLORER_MAX_PARSE_SECONDS",
    "max_parse_memory_mb": "LATENT_EXPLORER_MAX_PARSE_MEMORY_MB",
    "max_jobs_per_user": "LATENT_EXPLORER_MAX_JOBS_PER_USER",
    "max_job_seconds": "LATENT_EXPLORER_MAX_JOB_SECONDS",
    "max_unwatched_seconds": "LATENT_EXPLORER_MAX_UNWATCHED_SECONDS",
}
TRUE_WORDS = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class HostingLimits:
    """What one session may spend; ``None`` means no limit beyond the app's own."""

    hosted: bool = False
    max_epochs: int | None = None
    max_training_images: int | None = None
    max_model_parameters: int | None = None  # of a model built on the Train page
    max_concurrent_trainings: int | None = None
    max_tsne_points: int | None = None
    max_upload_mb: int | None = None
    max_upload_array_mb: int | None = None  # what an uploaded dataset may unpack to
    max_upload_megapixels: int | None = None  # pixels of all pictures of a zip, from their headers
    max_parse_seconds: int | None = None  # reading one uploaded file
    max_parse_memory_mb: int | None = None  # the process that reads it
    max_jobs_per_user: int | None = None
    max_job_seconds: int | None = None
    max_unwatched_seconds: int | None = None

    @property
    def applies(self) -> bool:
        """Whether any limit is set (the UI then says so)."""
        return self.hosted or any(getattr(self, field) is not None for field in ENV_NAMES)

    def cap(self, field: str, wanted: int) -> int:
        """``wanted`` lowered to the limit named ``field`` (e.g. ``"max_epochs"``), if there is one."""
        limit = getattr(self, field)
        return wanted if limit is None else min(wanted, limit)


# A class of about 30 on a Community Cloud machine (a few shared cores, under 3 GB):
# each run stays a few minutes at most on a model of at most 2 million parameters (8 MB; the
# course's largest, a conv AE with a 100-d code, has 0.7 million), two jobs run at once, maps stay seconds, and reading
# one upload costs at most a few hundred MB for a few seconds; one job per student, none
# longer than 10 minutes, and a closed tab's waiting job gone in a minute.
CLASSROOM_LIMITS = HostingLimits(hosted=True, max_epochs=20, max_training_images=10_000,
                                 max_model_parameters=2_000_000, max_concurrent_trainings=2, max_tsne_points=2_000, max_upload_mb=20,
                                 max_upload_array_mb=128, max_upload_megapixels=100, max_parse_seconds=20,
                                 max_parse_memory_mb=768, max_jobs_per_user=1, max_job_seconds=600,
                                 max_unwatched_seconds=60)


# The Train page's defaults for 28×28 images on a hosted server, so that a class of 30 starting them at
# once all finish within 10 minutes on one 2-core server with two slots: a run takes about 13 CPU
# seconds (30 of them, 400 CPU seconds, under 4 minutes of two cores), and its model is still worth
# exploring: on Fashion-MNIST test MSE 0.013 against PCA-32's 0.015, 9 of 10 decoded class means named
# right by the app's classifier (benchmarks/bench_training_cost.py; the class's load test in BENCHMARKS.md).
CLASSROOM_TRAINING_DEFAULTS = {"kind": "dense_ae", "latent": 32, "epochs": 15, "batch": 128, "images": 10_000}


def _positive_int(name: str, text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a whole number of at least 1; got {text!r}.")
    return value


def limits_from_env(environ: Mapping[str, str] | None = None) -> HostingLimits:
    """The limits set by ``LATENT_EXPLORER_HOSTED`` and the single ``LATENT_EXPLORER_MAX_*``
    overrides; raises ``ValueError`` naming the variable when a value is not a positive integer."""
    return _limits_from_env(HostingLimits(), CLASSROOM_LIMITS, ENV_NAMES, environ)


def _limits_from_env(local, hosted_limits, env_names: Mapping[str, str], environ: Mapping[str, str] | None):
    """``hosted_limits`` when ``LATENT_EXPLORER_HOSTED`` is set, else ``local``, with each field
    named in ``env_names`` overridden by its environment variable (a positive integer)."""
    environ = os.environ if environ is None else environ
    hosted = environ.get(HOSTED_ENV, "").strip().lower() in TRUE_WORDS
    overrides = {field: _positive_int(name, environ[name])
                 for field, name in env_names.items() if environ.get(name, "").strip()}
    return replace(hosted_limits if hosted else local, **overrides)


# ----- users' workspaces: quotas, clean-up and sign-in --------------------------------
# A separate group: these bound what users keep on the server's disk, not what one
# session may spend. ``None`` means no bound (a local run).

WORKSPACE_ENV_NAMES = {
    "max_user_mb": "LATENT_EXPLORER_MAX_USER_MB",
    "max_user_models": "LATENT_EXPLORER_MAX_USER_MODELS",
    "max_total_mb": "LATENT_EXPLORER_MAX_TOTAL_MB",
    "unused_days": "LATENT_EXPLORER_UNUSED_DAYS",
}
SIGN_IN_REQUIRED_ENV = "LATENT_EXPLORER_SIGN_IN_REQUIRED"
FALSE_WORDS = ("0", "false", "no", "off")


@dataclass(frozen=True)
class WorkspaceLimits:
    """What users may keep: megabytes and models per user, megabytes of every user
    together, and the days after which an unused user's workspace is deleted."""

    max_user_mb: int | None = None
    max_user_models: int | None = None
    max_total_mb: int | None = None
    unused_days: int | None = None


# A class of about 30 on a host with a few GB of disk: a conv AE is 1-5 MB, so 20 models
# fit in 100 MB; 2 GB holds the whole class's; a term's break is shorter than 30 days.
CLASSROOM_WORKSPACE_LIMITS = WorkspaceLimits(max_user_mb=100, max_user_models=20, max_total_mb=2000,
                                             unused_days=30)


def workspace_limits_from_env(environ: Mapping[str, str] | None = None) -> WorkspaceLimits:
    """The workspace limits of ``LATENT_EXPLORER_HOSTED`` and the single overrides in
    ``WORKSPACE_ENV_NAMES``; raises ``ValueError`` naming the variable for a bad value."""
    return _limits_from_env(WorkspaceLimits(), CLASSROOM_WORKSPACE_LIMITS, WORKSPACE_ENV_NAMES, environ)


def sign_in_required(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a server with sign-in configured shows signed-out visitors only the sign-in
    (the default, as a class wants); ``LATENT_EXPLORER_SIGN_IN_REQUIRED=0`` lets them explore
    the pretrained models without saving anything."""
    environ = os.environ if environ is None else environ
    return environ.get(SIGN_IN_REQUIRED_ENV, "").strip().lower() not in FALSE_WORDS


HUNG_MARGIN_S = 30.0
"""A job past its time limit is stopped at its next step; one that still holds its slot
this much later is taken as hung, and its slot (and its owner's turn) goes to others."""

HISTORY_LENGTH = 20
"""Finished jobs remembered per kind, for estimates."""


@dataclass(frozen=True)
class Ticket:
    """What the queue knows of one job: whose it is (``owner``, None: nobody's), its
    ``kind`` (e.g. ``"train"``, ``"map"``), a ``label`` for people, and the job's own
    guess of its run time in seconds (``estimate_s``, None: it has none)."""

    number: int
    owner: str | None
    kind: str
    label: str
    estimate_s: float | None


@dataclass(frozen=True)
class QueuePosition:
    """Where a waiting ticket stands: ``ahead`` tickets wait before it, ``running`` hold slots.

    ``wait_s`` is about how long until it starts, ``run_s`` about how long it then runs,
    both from the queue's recent history (None: no estimate yet)."""

    ahead: int
    running: int
    slots: int | None
    wait_s: float | None = None
    run_s: float | None = None


class AlreadyQueued(RuntimeError):
    """The owner already has as many jobs waiting or running as allowed; ``existing`` is
    the oldest of them, ``position`` where it waits (None: it runs)."""

    def __init__(self, existing: Ticket, position: QueuePosition | None):
        where = "running" if position is None else f"waiting with {position.ahead} ahead"
        super().__init__(f"{existing.owner} already has a {existing.kind} job ({existing.label!r}) {where}.")
        self.existing = existing
        self.position = position


class TrainingQueue:
    """First come, first served access to ``slots`` concurrent jobs (``None``: unlimited).

    Optional rules, each off when None: ``per_user`` jobs waiting or running per owner;
    ``time_limit_s`` seconds of running per job (``overdue`` says when it is up, and a job
    still running ``HUNG_MARGIN_S`` later no longer counts); ``unwatched_s`` seconds a
    waiting ticket stays without a ``touch`` before it leaves the queue. ``clock`` (default
    ``time.monotonic``) times these rules, so tests can move time by hand.

    Thread-safe; a ticket is an opaque integer. Every ticket taken with ``join`` must be
    given back with ``leave`` (in a ``finally``), slot or not, so no slot is ever lost.
    """

    def __init__(self, slots: int | None = None, *, per_user: int | None = None, time_limit_s: float | None = None,
                 unwatched_s: float | None = None, clock: Callable[[], float] = time.monotonic):
        self._condition = threading.Condition()
        self._numbers = itertools.count(1)
        self._clock = clock
        self._tickets: dict[int, Ticket] = {}
        self._waiting: list[int] = []
        self._running: dict[int, float] = {}  # ticket -> when it got its slot
        self._seen: dict[int, float] = {}  # waiting ticket -> when it was last polled
        self._history: dict[str, deque[tuple[float, float | None]]] = {}  # kind -> (seconds run, own estimate)
        self._slots = self._checked(slots)
        self._per_user, self._time_limit_s, self._unwatched_s = per_user, time_limit_s, unwatched_s

    @staticmethod
    def _checked(slots: int | None) -> int | None:
        if slots is not None and (isinstance(slots, bool) or not isinstance(slots, int) or slots < 1):
            raise ValueError(f"slots must be a positive integer or None; got {slots!r}.")
        return slots

    @property
    def slots(self) -> int | None:
        return self._slots

    @property
    def rules(self) -> tuple[int | None, int | None, float | None, float | None]:
        """``(slots, per_user, time_limit_s, unwatched_s)``."""
        return self._slots, self._per_user, self._time_limit_s, self._unwatched_s

    def resize(self, slots: int | None) -> None:
        """Change the number of slots; running jobs keep theirs, waiting ones may start."""
        self.configure(slots=slots, per_user=self._per_user, time_limit_s=self._time_limit_s,
                       unwatched_s=self._unwatched_s)

    def configure(self, *, slots: int | None, per_user: int | None, time_limit_s: float | None,
                  unwatched_s: float | None) -> None:
        """Change every rule at once (see the class); jobs already in the queue follow the new rules."""
        with self._condition:
            self._slots = self._checked(slots)
            self._per_user, self._time_limit_s, self._unwatched_s = per_user, time_limit_s, unwatched_s
            self._condition.notify_all()

    # ----- the rules, under the lock ---------------------------------------------------
    def _hung(self, ticket: int, now: float) -> bool:
        limit = self._time_limit_s
        return limit is not None and now - self._running[ticket] > limit + HUNG_MARGIN_S

    def _holding(self, now: float) -> list[int]:
        """Running tickets that still count: all but the hung ones."""
        return [ticket for ticket in self._running if not self._hung(ticket, now)]

    def _drop_unwatched(self, now: float) -> None:
        if self._unwatched_s is None:
            return
        gone = [ticket for ticket in self._waiting if now - self._seen[ticket] > self._unwatched_s]
        for ticket in gone:
            self._forget(ticket)
        if gone:
            self._condition.notify_all()

    def _forget(self, ticket: int) -> None:
        self._running.pop(ticket, None)
        self._seen.pop(ticket, None)
        self._tickets.pop(ticket, None)
        if ticket in self._waiting:
            self._waiting.remove(ticket)

    def _may_start(self, ticket: int, now: float, parallel: int | None = None) -> bool:
        at_once = self._at_once(parallel)
        free = at_once is None or len(self._holding(now)) < at_once
        return free and self._waiting[0] == ticket

    def _expected_s(self, ticket: Ticket) -> float | None:
        """How long ``ticket`` should run: its own estimate corrected by how far recent jobs
        of its kind were off theirs, else the median run of its kind; capped by the time limit."""
        past = self._history.get(ticket.kind, ())
        if ticket.estimate_s is not None:
            ratios = [seconds / estimate for seconds, estimate in past if estimate]
            expected = ticket.estimate_s * (statistics.median(ratios) if ratios else 1.0)
        elif past:
            expected = statistics.median(seconds for seconds, _ in past)
        else:
            return None
        return expected if self._time_limit_s is None else min(expected, self._time_limit_s)

    def _at_once(self, parallel: int | None) -> int | None:
        """How many jobs run at once: the slots, or fewer where the machines running them
        hold fewer (``parallel``, e.g. a Ray cluster's workers); None: no bound."""
        bounds = [bound for bound in (self._slots, parallel) if bound is not None]
        return min(bounds) if bounds else None

    def _wait_s(self, ahead: list[int], now: float, parallel: int | None = None) -> float | None:
        """When a ticket behind ``ahead`` gets a slot: the running jobs' expected ends and each
        ticket ahead given in turn to the slot that frees first, with ``_at_once(parallel)``
        slots; None when one is unknown."""
        slots = self._at_once(parallel)
        if slots is None:
            return 0.0
        free_at = []
        for ticket in self._holding(now):
            expected = self._expected_s(self._tickets[ticket])
            if expected is None:
                return None
            free_at.append(max(self._running[ticket] + expected - now, 0.0))
        free_at = sorted(free_at)[-slots:] if len(free_at) >= slots else free_at + [0.0] * (slots - len(free_at))
        heapq.heapify(free_at)
        for ticket in ahead:
            expected = self._expected_s(self._tickets[ticket])
            if expected is None:
                return None
            heapq.heappush(free_at, heapq.heappop(free_at) + expected)
        return free_at[0]

    def _position(self, ticket: int, now: float, parallel: int | None = None) -> QueuePosition:
        index = self._waiting.index(ticket)
        return QueuePosition(ahead=index, running=len(self._holding(now)), slots=self._at_once(parallel),
                             wait_s=self._wait_s(self._waiting[:index], now, parallel),
                             run_s=self._expected_s(self._tickets[ticket]))

    # ----- what jobs and pages call ----------------------------------------------------
    def join(self, owner: str | None = None, *, kind: str = "train", label: str = "",
             estimate_s: float | None = None) -> int:
        """Take a ticket at the end of the queue; raises ``AlreadyQueued`` when ``owner``
        already has ``per_user`` jobs waiting or running."""
        with self._condition:
            now = self._clock()
            self._drop_unwatched(now)
            if self._per_user is not None and owner is not None:
                mine = [ticket for ticket in self._holding(now) + self._waiting if self._tickets[ticket].owner == owner]
                if len(mine) >= self._per_user:
                    oldest = min(mine)
                    place = self._position(oldest, now) if oldest in self._waiting else None
                    raise AlreadyQueued(self._tickets[oldest], place)
            ticket = next(self._numbers)
            self._tickets[ticket] = Ticket(ticket, owner, kind, label, estimate_s)
            self._waiting.append(ticket)
            self._seen[ticket] = now
            return ticket

    def try_start(self, ticket: int, parallel: int | None = None) -> bool:
        """Give ``ticket`` its slot if it is its turn and one is free (True; also when it
        already has one); never blocks and never takes it out of the queue. ``parallel``: at
        most this many run at once whatever the slots (a cluster's workers, as for ``position``)."""
        with self._condition:
            now = self._clock()
            self._drop_unwatched(now)
            if ticket in self._running:
                return True
            if ticket in self._waiting and self._may_start(ticket, now, parallel):
                self._waiting.remove(ticket)
                self._seen.pop(ticket, None)
                self._running[ticket] = now
                self._condition.notify_all()
                return True
            return False

    def wait_for_slot(self, ticket: int, cancel: threading.Event | None = None,
                      timeout: float | None = None) -> bool:
        """Block until ``ticket`` holds a slot (True), or until it left the queue (Stop, or
        unwatched too long), ``cancel`` was set or ``timeout`` seconds passed (False: it then
        no longer waits)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.try_start(ticket):
                return True
            with self._condition:
                if ticket not in self._waiting:
                    return False
                if (cancel is not None and cancel.is_set()) or (deadline is not None and time.monotonic() >= deadline):
                    self._forget(ticket)
                    self._condition.notify_all()
                    return False
                # Woken by every leave and resize; the short timeout also reads ``cancel`` and the clock.
                self._condition.wait(0.2)

    def touch(self, ticket: int) -> None:
        """Note that someone still watches this waiting ticket (a page polled it)."""
        with self._condition:
            if ticket in self._waiting:
                self._seen[ticket] = self._clock()

    def overdue(self, ticket: int) -> bool:
        """Whether ``ticket`` has run for its whole time limit (its job should stop now)."""
        with self._condition:
            started = self._running.get(ticket)
            return started is not None and self._time_limit_s is not None and \
                self._clock() - started >= self._time_limit_s

    def leave(self, ticket: int, *, finished: bool = False) -> None:
        """Give up the ticket's slot or its place in the queue (idempotent). ``finished``: its
        job ran to its end, so its run time joins the history estimates are made from."""
        with self._condition:
            if finished and ticket in self._running:
                record = self._tickets[ticket]
                past = self._history.setdefault(record.kind, deque(maxlen=HISTORY_LENGTH))
                past.append((self._clock() - self._running[ticket], record.estimate_s))
            self._forget(ticket)
            self._condition.notify_all()

    def withdraw(self, ticket: int) -> bool:
        """Take ``ticket`` out of the queue if it is still waiting (True); one that already
        holds a slot keeps it (False), so a Stop racing its start never frees a running slot."""
        with self._condition:
            if ticket not in self._waiting:
                return False
            self._forget(ticket)
            self._condition.notify_all()
            return True

    def position(self, ticket: int, parallel: int | None = None) -> QueuePosition | None:
        """Where ``ticket`` waits, with estimates, or None when it holds a slot or has left;
        ``parallel``: at most this many jobs run at once whatever the slots (a cluster's workers)."""
        with self._condition:
            now = self._clock()
            self._drop_unwatched(now)
            return self._position(ticket, now, parallel) if ticket in self._waiting else None

    def preview(self, *, kind: str = "train", estimate_s: float | None = None,
                parallel: int | None = None) -> QueuePosition:
        """Where a job of ``kind`` with its own ``estimate_s`` would stand if it joined now, before
        it does (a page shows the wait before Start): every waiting ticket ahead of it, ``wait_s``
        until it would start by the same arithmetic as ``position`` and ``run_s`` its expected run."""
        with self._condition:
            now = self._clock()
            self._drop_unwatched(now)
            return QueuePosition(ahead=len(self._waiting), running=len(self._holding(now)),
                                 slots=self._at_once(parallel), wait_s=self._wait_s(self._waiting, now, parallel),
                                 run_s=self._expected_s(Ticket(0, None, kind, "", estimate_s)))

    @property
    def running(self) -> int:
        with self._condition:
            return len(self._holding(self._clock()))

    @property
    def waiting(self) -> int:
        with self._condition:
            self._drop_unwatched(self._clock())
            return len(self._waiting)


_SHARED_QUEUE = TrainingQueue()


def shared_training_queue(limits: HostingLimits | None = None):
    """The one queue every session shares, its rules set from ``limits`` (default:
    ``limits_from_env()``) each time it is asked for: this server process's
    ``TrainingQueue``, or with a Ray cluster (``LATENT_EXPLORER_RAY_ADDRESS``) the
    cluster's ``cluster.ClusterQueue``, the same for every app replica."""
    from latent_core import cluster

    limits = limits_from_env() if limits is None else limits
    rules = (limits.max_concurrent_trainings, limits.max_jobs_per_user, limits.max_job_seconds,
             limits.max_unwatched_seconds)
    settings = cluster.settings_from_env()
    queue = _SHARED_QUEUE if settings is None else cluster.ClusterQueue(settings)
    if queue.rules != rules:
        queue.configure(slots=rules[0], per_user=rules[1], time_limit_s=rules[2], unwatched_s=rules[3])
    return queue


def expected_wait(kind: str, estimate_s: float | None, limits: HostingLimits | None = None) -> QueuePosition:
    """How long a training of ``kind`` (its own estimate ``estimate_s``) started now would wait and
    run: ``shared_training_queue(limits).preview``. With a Ray cluster that is the cluster's
    queue, which lets at most as many run at once as its workers hold
    (``cluster.training_capacity``), so more workers shorten the wait."""
    return shared_training_queue(limits).preview(kind=kind, estimate_s=estimate_s)
