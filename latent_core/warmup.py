"""Warm a server up before its visitors: slow imports, the default dataset and model loaded, their
compiled fast paths traced, in a background thread, once per process.

The first page a visitor opens would otherwise pay for importing TensorFlow (about 5 s on 2
cores), reading the dataset, rebuilding the model and tracing its ``tf.function``s. A
:class:`Warmup` runs such work as named steps, one after the other, in a daemon thread, so the
server keeps answering (its health check, the first script run) meanwhile. The steps themselves
come from the app (``ui/warmup.py``), which loads things through the same caches its pages read,
so a visitor who comes after the warm-up finds them there, and one who comes during it waits
only for what is still missing (the caches compute each value once).

A step that fails is logged with its traceback and the next step runs: warming up is an
optimisation, and the page that needs the thing later loads it (or says why it cannot) as it
would have without a warm-up. ``LATENT_EXPLORER_WARMUP=0`` turns it off (on by default).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ENV", "StepOutcome", "Warmup", "enabled", "start_once", "trace_fast_paths"]

ENV = "LATENT_EXPLORER_WARMUP"
OFF_VALUES = ("0", "false", "no", "off")
TRACE_BATCH = 2  # the fast paths are shape-generic in the batch, so two examples trace them for every size

logger = logging.getLogger(__name__)

Step = tuple[str, Callable[[], object]]

_process_warmup: Warmup | None = None
_process_lock = threading.Lock()


def enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether this server warms up (``LATENT_EXPLORER_WARMUP`` unset or anything but 0/false/no/off)."""
    return environ.get(ENV, "1").strip().lower() not in OFF_VALUES


@dataclass(frozen=True)
class StepOutcome:
    """How one step went: its name, its seconds, and the error's type and message when it failed."""

    name: str
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Warmup:
    """Named steps run in order in one daemon thread (``start``), or in the caller's (``run``)."""

    def __init__(self, steps: Sequence[Step]):
        self._steps = list(steps)
        self._outcomes: list[StepOutcome] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Warmup:
        """Run the steps in a daemon thread (it never keeps the process alive); returns self."""
        self._thread = threading.Thread(target=self.run, name="latent-explorer-warmup", daemon=True)
        self._thread.start()
        return self

    def run(self) -> list[StepOutcome]:
        """Run every step; a failing one is logged and the next one runs. Returns the outcomes."""
        started = time.perf_counter()
        for step in self._steps:
            outcome = self._run_step(step)
            with self._lock:
                self._outcomes.append(outcome)
        logger.info("server warmed up in %.1f s (%s)", time.perf_counter() - started,
                    ", ".join(f"{o.name} {o.seconds:.1f} s{'' if o.ok else ' failed'}" for o in self.outcomes))
        self._done.set()
        return self.outcomes

    @staticmethod
    def _run_step(step: Step) -> StepOutcome:
        name, work = step
        begun = time.perf_counter()
        try:
            work()
            error = None
        except Exception as failure:  # any failure: the page that needs it loads it again later
            logger.warning("warm-up step %r failed; the pages will load it when they need it", name,
                           exc_info=failure)
            error = f"{type(failure).__name__}: {failure}"
        return StepOutcome(name, time.perf_counter() - begun, error)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every step has run; False when ``timeout`` seconds passed first."""
        return self._done.wait(timeout)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def outcomes(self) -> list[StepOutcome]:
        """The steps run so far, in order."""
        with self._lock:
            return list(self._outcomes)


def start_once(make_steps: Callable[[], Sequence[Step]], *,
               environ: Mapping[str, str] = os.environ) -> Warmup | None:
    """The process's warm-up: started in the background by the first call, returned by every later
    one. None when it is turned off (``enabled``). ``make_steps`` runs only on that first call."""
    global _process_warmup
    if not enabled(environ):
        return None
    with _process_lock:
        if _process_warmup is None:
            _process_warmup = Warmup(make_steps()).start()
        return _process_warmup


def process_warmup() -> Warmup | None:
    """The warm-up this process started, or None (not yet, or turned off)."""
    return _process_warmup


def trace_fast_paths(model, example_inputs: np.ndarray) -> None:
    """Trace a latent model's compiled calls on two of ``example_inputs``: ``reconstruct`` and ``encode``
    when it has an encoder, ``decode`` always (a GAN's generator) but for a model without a latent code
    (its ``reconstruct`` only), so no visitor waits for a trace."""
    if model.has_encoder:
        batch = np.asarray(example_inputs[:TRACE_BATCH], dtype=np.float32)
        model.reconstruct(batch)
        if not model.has_latent:
            return
        codes = model.encode(batch)
    else:
        codes = np.zeros((TRACE_BATCH, model.latent_dim), dtype=np.float32)
    model.decode(codes)
