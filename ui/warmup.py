"""The app's warm-up: what a first visitor's pages need, loaded through the caches those pages read.

The server starts it as soon as Streamlit's runtime has started (``lifespan``, run by ``serve.py``,
the app as a ``streamlit.starlette.App``), before any visitor: Streamlit itself runs no app code until
a visitor connects, so under a plain ``streamlit run app.py`` the shell's first run starts it instead
(``start``, acting once per process). Either way ``latent_core.warmup.start_once`` runs these steps in a
background thread: the default dataset (the sidebar's first choice) loaded while the heavy libraries are
imported, the process prepared (``ui.runtime.prepare_process``), then the dataset hashed, its default model (the
picker's first entry) loaded with its latent map and code sample, the dataset's classifier loaded, and
every compiled fast path traced. Each is the same ``st.cache_resource`` entry a page reads, so the first
visitor's pages find them ready. ``/api/warmup`` (``routes``) tells how far it got.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import AsyncIterator

from latent_core import warmup
from ui import runtime

DEFAULT_DATASET = "fashion_mnist"
FIRST_PAGE_WAIT_S = 30.0  # a first run that never ends (an error) does not hold the warm-up back longer
STATUS_PATH = "/api/warmup"

_first_run_began = threading.Event()
_first_page_drawn = threading.Event()
_first_visit_lock = threading.Lock()
_first_visit: str | None = None  # "during" or "after" the warm-up: when the process's first run began


def run_began() -> None:
    """Tell the warm-up that a run is beginning (the shell calls it first in every run); the process's
    first run records whether the warm-up had finished by then."""
    global _first_visit
    if _first_run_began.is_set():
        return
    with _first_visit_lock:
        if _first_visit is None:
            job = warmup.process_warmup()
            _first_visit = "after" if job is not None and job.done else "during"
            _first_run_began.set()


def first_page_drawn() -> None:
    """Tell the warm-up that the process's first run has ended (the shell calls it after every run)."""
    _first_page_drawn.set()


def wait_for_a_first_page_in_progress(timeout: float) -> None:
    """Wait (at most ``timeout`` seconds) while a visitor's first page is being drawn; return at once
    when no visitor has come yet or that page is drawn."""
    if _first_run_began.is_set():
        _first_page_drawn.wait(timeout)


def steps(dataset_name: str = DEFAULT_DATASET, *,
          first_page_wait_s: float = FIRST_PAGE_WAIT_S) -> list[warmup.Step | list[warmup.Step]]:
    """The warm-up of ``dataset_name`` and its default model, as named steps (run in this order; the
    libraries' import and the dataset's load, NumPy only, at the same time).

    When a visitor's first run is under way, the model and the classifier wait until it has drawn its
    page (at most ``first_page_wait_s``): on two cores, loading and tracing them beside that run would
    slow down the first page, which needs neither; they are ready before the visitor's next click."""
    loaded: dict[str, object] = {}

    def dataset() -> None:  # NumPy only: it leaves the interpreter to the libraries' import beside it
        from ui.shell import load_registered_dataset

        loaded["dataset"] = load_registered_dataset(dataset_name)

    def libraries() -> None:
        for name in runtime.HEAVY_LIBRARIES:
            importlib.import_module(name)

    def model() -> None:
        from latent_core import keys
        from ui import codes, models

        data = loaded.get("dataset")
        if data is None:
            return  # the dataset step failed and said why
        keys.dataset_key(data)  # hashed once per loaded dataset; every result cache asks for it
        choices = models.pretrained_choices(dataset_name, data.input_shape)
        if not choices:
            return  # no library model for this dataset: the picker shows none either
        choice = choices[0]  # the sidebar's default model
        bundle = models.load_choice(choice.key)
        warmup.trace_fast_paths(bundle.model, data.x_test)
        if bundle.model.has_encoder and bundle.model.has_latent:
            codes.code_sample(choice, bundle.model, data, split="test")

    def classifier() -> None:
        from ui import models

        found = models.load_classifier(dataset_name)
        if found is not None and "dataset" in loaded:
            found.predict_proba(loaded["dataset"].x_test[:warmup.TRACE_BATCH])

    def first_page() -> None:
        wait_for_a_first_page_in_progress(first_page_wait_s)

    return [[("libraries", libraries), ("dataset", dataset)], ("process", runtime.prepare_process),
            ("first page", first_page), ("model", model), ("classifier", classifier)]


def start() -> warmup.Warmup | None:
    """Start the process's warm-up in the background the first time (None when it is turned off)."""
    return warmup.start_once(lambda: steps(DEFAULT_DATASET))


@contextlib.asynccontextmanager
async def lifespan(app: object) -> AsyncIterator[None]:
    """The server's lifespan (``streamlit.starlette.App(lifespan=...)``): start the warm-up once Streamlit's
    runtime has started, and serve at once (the warm-up runs in its own thread)."""
    start()
    yield


def status() -> dict[str, object]:
    """How far the warm-up got: whether it is on, started and done, each step's name, seconds and
    success, and whether the process's first visitor came ``"during"`` or ``"after"`` it (None: no
    visitor yet). No error messages: they go to the server log."""
    job = warmup.process_warmup()
    outcomes = job.outcomes if job is not None else []
    return {"enabled": warmup.enabled(), "started": job is not None, "done": job is not None and job.done,
            "steps": [{"name": o.name, "seconds": round(o.seconds, 2), "ok": o.ok} for o in outcomes],
            "first_visit": _first_visit}


async def _status_endpoint(request: object) -> object:
    from starlette.responses import JSONResponse

    return JSONResponse(status())


def routes() -> list[object]:
    """The server's own routes beside Streamlit's: ``GET /api/warmup`` answers ``status()`` as JSON."""
    from starlette.routing import Route

    return [Route(STATUS_PATH, _status_endpoint, methods=["GET"])]
