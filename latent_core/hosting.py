"""Limits for a shared, hosted server, and the queue that shares its CPU between trainings.

Run locally, the app lets one user spend what the machine has. Hosted for a class
(``LATENT_EXPLORER_HOSTED=1``, e.g. on Streamlit Community Cloud, whose top-level
secrets become environment variables), every session gets classroom limits: fewer
epochs and training images, smaller on-demand t-SNE maps, smaller uploads that also
unpack to less (array bytes, pixels, parse time and memory), and a
process-wide queue that lets only a few trainings run at once, first come first served.
Each limit can be set on its own with its environment variable (``ENV_NAMES``), hosted
or not.

A separate group bounds what users keep on disk (``WorkspaceLimits``): models and
megabytes per user, megabytes of all users together, and the days after which an unused
user's workspace is deleted; ``sign_in_required`` says whether a server with sign-in
configured shows signed-out visitors only the sign-in.

``TrainingQueue`` is that queue: a FIFO of tickets with a number of slots. A training
thread calls ``join``, then ``wait_for_slot``, and ``leave`` when done; the UI asks
``position`` to say "2 trainings ahead of yours".
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

HOSTED_ENV = "LATENT_EXPLORER_HOSTED"
ENV_NAMES = {
    "max_epochs": "LATENT_EXPLORER_MAX_EPOCHS",
    "max_training_images": "LATENT_EXPLORER_MAX_TRAINING_IMAGES",
    "max_concurrent_trainings": "LATENT_EXPLORER_MAX_TRAININGS",
    "max_tsne_points": "LATENT_EXPLORER_MAX_TSNE_POINTS",
    "max_upload_mb": "LATENT_EXPLORER_MAX_UPLOAD_MB",
    "max_upload_array_mb": "LATENT_EXPLORER_MAX_UPLOAD_ARRAY_MB",
    "max_upload_megapixels": "LATENT_EXPLORER_MAX_UPLOAD_MEGAPIXELS",
    "max_parse_seconds": "LATENT_EXPLORER_MAX_PARSE_SECONDS",
    "max_parse_memory_mb": "LATENT_EXPLORER_MAX_PARSE_MEMORY_MB",
}
TRUE_WORDS = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class HostingLimits:
    """What one session may spend; ``None`` means no limit beyond the app's own."""

    hosted: bool = False
    max_epochs: int | None = None
    max_training_images: int | None = None
    max_concurrent_trainings: int | None = None
    max_tsne_points: int | None = None
    max_upload_mb: int | None = None
    max_upload_array_mb: int | None = None  # what an uploaded dataset may unpack to
    max_upload_megapixels: int | None = None  # pixels of all pictures of a zip, from their headers
    max_parse_seconds: int | None = None  # reading one uploaded file
    max_parse_memory_mb: int | None = None  # the process that reads it

    @property
    def applies(self) -> bool:
        """Whether any limit is set (the UI then says so)."""
        return self.hosted or any(getattr(self, field) is not None for field in ENV_NAMES)

    def cap(self, field: str, wanted: int) -> int:
        """``wanted`` lowered to the limit named ``field`` (e.g. ``"max_epochs"``), if there is one."""
        limit = getattr(self, field)
        return wanted if limit is None else min(wanted, limit)


# A class of about 30 on a Community Cloud machine (a few shared cores, under 3 GB):
# each run stays a few minutes at most, two train at once, maps stay seconds, and reading
# one upload costs at most a few hundred MB for a few seconds.
CLASSROOM_LIMITS = HostingLimits(hosted=True, max_epochs=20, max_training_images=10_000,
                                 max_concurrent_trainings=2, max_tsne_points=2_000, max_upload_mb=20,
                                 max_upload_array_mb=128, max_upload_megapixels=100, max_parse_seconds=20,
                                 max_parse_memory_mb=768)


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
    environ = os.environ if environ is None else environ
    hosted = environ.get(HOSTED_ENV, "").strip().lower() in TRUE_WORDS
    limits = CLASSROOM_LIMITS if hosted else HostingLimits()
    overrides = {field: _positive_int(name, environ[name])
                 for field, name in ENV_NAMES.items() if environ.get(name, "").strip()}
    return replace(limits, **overrides)


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
    environ = os.environ if environ is None else environ
    hosted = environ.get(HOSTED_ENV, "").strip().lower() in TRUE_WORDS
    limits = CLASSROOM_WORKSPACE_LIMITS if hosted else WorkspaceLimits()
    overrides = {field: _positive_int(name, environ[name])
                 for field, name in WORKSPACE_ENV_NAMES.items() if environ.get(name, "").strip()}
    return replace(limits, **overrides)


def sign_in_required(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a server with sign-in configured shows signed-out visitors only the sign-in
    (the default, as a class wants); ``LATENT_EXPLORER_SIGN_IN_REQUIRED=0`` lets them explore
    the pretrained models without saving anything."""
    environ = os.environ if environ is None else environ
    return environ.get(SIGN_IN_REQUIRED_ENV, "").strip().lower() not in FALSE_WORDS


@dataclass(frozen=True)
class QueuePosition:
    """Where a waiting ticket stands: ``ahead`` tickets wait before it, ``running`` hold slots."""

    ahead: int
    running: int
    slots: int | None


class TrainingQueue:
    """First come, first served access to ``slots`` concurrent trainings (``None``: unlimited).

    Thread-safe; a ticket is an opaque integer. Every ticket taken with ``join`` must be
    given back with ``leave`` (in a ``finally``), slot or not, so no slot is ever lost.
    """

    def __init__(self, slots: int | None = None):
        self._condition = threading.Condition()
        self._numbers = itertools.count(1)
        self._waiting: list[int] = []
        self._running: set[int] = set()
        self._slots = self._checked(slots)

    @staticmethod
    def _checked(slots: int | None) -> int | None:
        if slots is not None and (isinstance(slots, bool) or not isinstance(slots, int) or slots < 1):
            raise ValueError(f"slots must be a positive integer or None; got {slots!r}.")
        return slots

    @property
    def slots(self) -> int | None:
        return self._slots

    def resize(self, slots: int | None) -> None:
        """Change the number of slots; running trainings keep theirs, waiting ones may start."""
        with self._condition:
            self._slots = self._checked(slots)
            self._condition.notify_all()

    def join(self) -> int:
        """Take a ticket at the end of the queue."""
        with self._condition:
            ticket = next(self._numbers)
            self._waiting.append(ticket)
            return ticket

    def _may_start(self, ticket: int) -> bool:
        free = self._slots is None or len(self._running) < self._slots
        return free and self._waiting[0] == ticket

    def wait_for_slot(self, ticket: int, cancel: threading.Event | None = None,
                      timeout: float | None = None) -> bool:
        """Block until ``ticket`` holds a slot (True), or until it left the queue, ``cancel``
        was set or ``timeout`` seconds passed (False: it then no longer waits)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._condition:
            while ticket in self._waiting:
                if self._may_start(ticket):
                    self._waiting.remove(ticket)
                    self._running.add(ticket)
                    self._condition.notify_all()
                    return True
                if (cancel is not None and cancel.is_set()) or (deadline is not None and time.monotonic() >= deadline):
                    self._waiting.remove(ticket)
                    self._condition.notify_all()
                    return False
                # Woken by every leave and resize; the short timeout also reads ``cancel``.
                self._condition.wait(0.2)
            return ticket in self._running

    def leave(self, ticket: int) -> None:
        """Give up the ticket's slot or its place in the queue (idempotent)."""
        with self._condition:
            self._running.discard(ticket)
            if ticket in self._waiting:
                self._waiting.remove(ticket)
            self._condition.notify_all()

    def position(self, ticket: int) -> QueuePosition | None:
        """Where ``ticket`` waits, or None when it holds a slot or has left."""
        with self._condition:
            if ticket not in self._waiting:
                return None
            return QueuePosition(ahead=self._waiting.index(ticket), running=len(self._running), slots=self._slots)

    @property
    def running(self) -> int:
        with self._condition:
            return len(self._running)

    @property
    def waiting(self) -> int:
        with self._condition:
            return len(self._waiting)


_SHARED_QUEUE = TrainingQueue()


def shared_training_queue(limits: HostingLimits | None = None) -> TrainingQueue:
    """The one queue every session of this server process shares, sized by ``limits``
    (default: ``limits_from_env()``) each time it is asked for."""
    limits = limits_from_env() if limits is None else limits
    if _SHARED_QUEUE.slots != limits.max_concurrent_trainings:
        _SHARED_QUEUE.resize(limits.max_concurrent_trainings)
    return _SHARED_QUEUE
