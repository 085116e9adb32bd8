"""The app's warm-up: what a first visitor's pages need, loaded through the caches those pages read.

The server starts it as soon as Streamlit's runtime has started (``lifespan``, run by ``serve.py``,
the app as a ``streamlit.starlette.App``), before any visitor: Streamlit itself runs no app code until
a visitor connects, so under a plain ``streamlit run app.py`` the shell's first run starts it instead
(``start``, acting once per process). Either way ``latent_core.warmup.start_once`` runs these steps in a
background thread: the default dataset (the sidebar's first choice) loaded, the heavy libraries imported,
the process prepared (``ui.runtime.prepare_process``), then the dataset hashed, its default model (the
picker's first entry) loaded with its latent map and code sample, the dataset's classifier loaded, the
Reconstruct page's PCA fitted, the Anomaly page's first detector scored, and every compiled fast path
traced; a visitor's first page, once begun, is drawn before the import and before the model (``steps``).
Each is the same ``st.cache_resource`` entry a page reads, so the first visitor's pages find them ready.
``/api/warmup`` (``routes``) tells how far it got.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator

from latent_core import warmup
from ui import runtime

DEFAULT_DATASET = "fashion_mnist"
BEFORE_LIBRARIES = "first page, before the libraries"  # the steps that wait for a visitor's first page
BEFORE_MODEL = "first page, before the model"
FIRST_PAGE_WAIT_S = 30.0  # a first run that never ends (an error) does not hold the warm-up back longer
ARRIVAL_WAIT_S = 10.0  # a browser that asked for a page connects within seconds; one that never does, no longer
STATUS_PATH = "/api/warmup"
STREAMLIT_PATHS = "/_stcore/"  # the health check, the websocket, Streamlit's own endpoints: no visitor's page

_page_requested = threading.Event()
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


def page_requested() -> None:
    """Tell the warm-up that a browser has asked for one of the app's pages (``VisitorWatch``): its
    first run begins once Streamlit's scripts have loaded there, about a second later."""
    _page_requested.set()


def wait_for_a_first_page_in_progress(timeout: float, *, arrival_timeout: float = ARRIVAL_WAIT_S) -> None:
    """Wait while a visitor's first page is being drawn (at most ``timeout`` seconds), or is about to be:
    a browser has asked for a page and its first run has not begun yet (at most ``arrival_timeout``
    seconds for it to begin). Return at once when no visitor has come yet or that page is drawn."""
    if _page_requested.is_set() and not _first_run_began.is_set():
        _first_run_began.wait(arrival_timeout)
    if _first_run_began.is_set():
        _first_page_drawn.wait(timeout)


def steps(dataset_name: str = DEFAULT_DATASET, *,
          first_page_wait_s: float = FIRST_PAGE_WAIT_S) -> list[warmup.Step]:
    """The warm-up of ``dataset_name`` and its default model, as named steps, run in this order: the
    dataset (NumPy only, what the first page shows), the heavy libraries, the process prepared, the
    model, the classifier, the Reconstruct page's PCA of the model's code size, and the Anomaly page's
    first detector with its scores of the test images (fitting and scoring take a first visitor of
    those pages about one and two seconds otherwise).

    When a visitor's first run is under way, or about to begin (a browser has asked for a page:
    ``VisitorWatch``), the libraries' import and then the model and the classifier wait until it has
    drawn its page (at most ``first_page_wait_s`` each time): importing TensorFlow
    takes the interpreter for seconds, and on two cores it, or loading and tracing a model, beside that
    run would slow down the first page (the Data page), which needs none of them; they are ready before
    the visitor's next click, and a page that needs them first imports them itself."""
    loaded: dict[str, object] = {}

    def dataset() -> None:  # NumPy only: what the first page shows, loaded before any heavy import
        from ui.shell import load_registered_dataset

        loaded["dataset"] = load_registered_dataset(dataset_name)

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
            loaded["latent_dim"] = bundle.model.latent_dim

    def pca_baseline() -> None:
        from latent_core import keys
        from ui import reconstruct_views

        data, dims = loaded.get("dataset"), loaded.get("latent_dim")
        if data is None or dims is None or not data.is_image:
            return  # no default model with a code: the Reconstruct page has nothing to compare
        if reconstruct_views.pca_fits(data.input_shape, dims, data):
            reconstruct_views.pca_baseline(keys.dataset_key(data), dims, data)

    def classifier() -> None:
        from ui import models

        found = models.load_classifier(dataset_name)
        if found is not None and "dataset" in loaded:
            found.predict_proba(loaded["dataset"].x_test[:warmup.TRACE_BATCH])

    def anomaly_detector() -> None:
        from latent_core import keys
        from ui import anomaly_views, models

        data = loaded.get("dataset")
        detector = None if data is None else models.anomaly_detectors(dataset_name, data.input_shape).get(
            anomaly_views.FIRST_NORMAL_CLASS)
        if detector is None:
            return  # no dataset, or no library detector of the class the Anomaly page opens at
        model = models.load_choice(detector.key).model
        anomaly_views.detector_scores(detector.cache_key, keys.dataset_key(data), model, data)

    def first_page() -> None:
        wait_for_a_first_page_in_progress(first_page_wait_s)

    return [("dataset", dataset), (BEFORE_LIBRARIES, first_page), ("libraries", runtime.import_libraries),
            ("process", runtime.prepare_process), (BEFORE_MODEL, first_page), ("model", model),
            ("classifier", classifier), ("PCA baseline", pca_baseline), ("anomaly detector", anomaly_detector)]


def will_import_libraries() -> bool:
    """Whether this process's warm-up is still under way: it imports the heavy libraries itself, after
    a visitor's first page, so nothing else need start that import beside the page."""
    job = warmup.process_warmup()
    return job is not None and not job.done


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
    success, whether a browser has asked for a page yet, and whether the process's first visitor came
    ``"during"`` or ``"after"`` it (None: no visitor yet). No error messages: they go to the server log."""
    job = warmup.process_warmup()
    outcomes = job.outcomes if job is not None else []
    return {"enabled": warmup.enabled(), "started": job is not None, "done": job is not None and job.done,
            "steps": [{"name": o.name, "seconds": round(o.seconds, 2), "ok": o.ok} for o in outcomes],
            "page_requested": _page_requested.is_set(), "first_visit": _first_visit}


async def _status_endpoint(request: object) -> object:
    from starlette.responses import JSONResponse

    return JSONResponse(status())


class VisitorWatch:
    """ASGI middleware (``serve.py``) that calls ``page_requested`` when a browser asks for one of the
    app's pages (a GET accepting HTML outside Streamlit's own endpoints), before the page's scripts
    have loaded and connected: the warm-up then holds its import of TensorFlow until that first page
    is drawn instead of slowing it down. Health checks and API calls ask for no HTML."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if not _page_requested.is_set() and is_page_request(scope):
            page_requested()
        await self.app(scope, receive, send)


def is_page_request(scope: dict) -> bool:
    """Whether an ASGI ``scope`` is a browser asking for a page: an HTTP GET accepting ``text/html``,
    not for Streamlit's own endpoints (``/_stcore/``) nor the warm-up's status."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return False
    path = scope.get("path", "")
    if path.startswith(STREAMLIT_PATHS) or path == STATUS_PATH:
        return False
    accept = dict(scope.get("headers") or []).get(b"accept", b"")
    return b"text/html" in accept


def middleware() -> list[object]:
    """The server's middleware around Streamlit's: ``VisitorWatch``."""
    from starlette.middleware import Middleware

    return [Middleware(VisitorWatch)]


def routes() -> list[object]:
    """The server's own routes beside Streamlit's: ``GET /api/warmup`` answers ``status()`` as JSON."""
    from starlette.routing import Route

    return [Route(STATUS_PATH, _status_endpoint, methods=["GET"])]
