"""The server's warm-up: steps in a background thread, once per process, failures logged; the app's
steps fill the caches the pages read."""

import logging
import threading
import time

import pytest
from page_helpers import open_page

from latent_core import data, warmup
from latent_core.models import build_model


@pytest.fixture
def fresh_process(monkeypatch):
    """No warm-up started yet in this process, and warm-ups turned on."""
    monkeypatch.setattr(warmup, "_process_warmup", None)
    monkeypatch.setenv(warmup.ENV, "1")


def test_steps_run_in_order_in_a_background_thread():
    threads, order = [], []

    def step(name):
        return lambda: (order.append(name), threads.append(threading.current_thread()))

    job = warmup.Warmup([("a", step("a")), ("b", step("b"))]).start()
    assert job.wait(10)
    assert order == ["a", "b"]
    assert all(thread is not threading.main_thread() for thread in threads)
    assert [(o.name, o.ok) for o in job.outcomes] == [("a", True), ("b", True)]


def test_a_failing_step_is_logged_and_the_next_one_still_runs(caplog):
    ran = []

    def broken():
        raise OSError("disk gone")

    with caplog.at_level(logging.WARNING, logger="latent_core.warmup"):
        outcomes = warmup.Warmup([("broken", broken), ("after", lambda: ran.append(True))]).run()
    assert ran == [True]
    assert outcomes[0].error == "OSError: disk gone" and outcomes[1].ok
    record = next(r for r in caplog.records if "'broken' failed" in r.getMessage())
    assert record.exc_info is not None  # the traceback goes to the log


def test_the_process_warms_up_once(fresh_process):
    made = []

    def make_steps():
        made.append(True)
        return [("nothing", lambda: None)]

    first = warmup.start_once(make_steps)
    assert warmup.start_once(make_steps) is first
    assert made == [True] and first.wait(10)
    assert warmup.process_warmup() is first


@pytest.mark.parametrize("value", ["0", "false", "Off"])
def test_an_environment_variable_turns_it_off(fresh_process, value):
    assert warmup.start_once(lambda: [("nothing", lambda: None)], environ={warmup.ENV: value}) is None
    assert warmup.enabled({}) and warmup.enabled({warmup.ENV: "1"})


def test_tracing_leaves_every_fast_path_traced(digits):
    model = build_model("dense_ae", input_shape=digits.input_shape, latent_dim=4, seed=0)
    warmup.trace_fast_paths(model, digits.x_test)
    traced = model._fast_path._functions
    assert set(traced) == {"encode", "decode", "reconstruct"}
    model.reconstruct(digits.x_test[:50])  # a page's call of another size reuses the trace
    assert all(function.experimental_get_tracing_count() == 1 for function in traced.values())


def test_the_pages_find_what_the_warm_up_loaded(monkeypatch):
    from ui import models, shell
    from ui import warmup as app_warmup

    shell.load_registered_dataset.clear()
    models.load_pretrained_bundle.clear()
    loads = []
    load_dataset = data.load_dataset
    monkeypatch.setattr(data, "load_dataset", lambda name: loads.append(name) or load_dataset(name))
    app_warmup.first_page_drawn()
    outcomes = warmup.Warmup(app_warmup.steps("digits")).run()
    assert all(outcome.ok for outcome in outcomes), outcomes
    choice = models.pretrained_choices("digits", (8, 8, 1))[0]
    bundle = models.load_choice(choice.key)
    assert set(bundle.model._fast_path._functions) >= {"encode", "decode", "reconstruct"}  # traced by the warm-up

    app = open_page("reconstruct.py", dataset="digits")
    assert not app.exception
    assert loads == ["digits"]  # the page read the warm-up's dataset from the cache
    assert models.load_choice(choice.key) is bundle


def test_the_reconstruct_page_finds_the_pca_of_the_default_models_size_fitted(monkeypatch):
    from latent_core import metrics
    from ui import reconstruct_views
    from ui import warmup as app_warmup

    reconstruct_views.pca_baseline.clear()
    step = dict(app_warmup.steps("digits"))
    for name in ("dataset", "model", "PCA baseline"):
        step[name]()

    def fitted(*args, **kwargs):
        raise AssertionError("the page fitted PCA although the warm-up had")

    monkeypatch.setattr(metrics, "pca_baseline", fitted)
    app = open_page("reconstruct.py", dataset="digits")
    assert not app.exception
    assert any(m.label == "PCA MSE, 8 dimensions" for m in app.metric)  # of digits_ae_8, the default model


def test_the_anomaly_pages_first_view_finds_its_detectors_scores_ready(monkeypatch):
    from latent_core import anomaly, pretrained
    from ui import anomaly_views
    from ui import warmup as app_warmup

    dataset = next((name for name in ("fashion_mnist", "mnist")
                    if anomaly_views.FIRST_NORMAL_CLASS in pretrained.anomaly_models(name)), None)
    if dataset is None:
        pytest.skip("no pretrained anomaly detector of the first class in pretrained/")
    anomaly_views.detector_scores.clear()
    step = dict(app_warmup.steps(dataset))
    step["dataset"]()
    step["anomaly detector"]()

    def scored(*args):
        raise AssertionError("the page scored the test images although the warm-up had")

    monkeypatch.setattr(anomaly, "anomaly_scores", scored)
    app = open_page("anomaly.py", dataset=dataset)
    assert not app.exception
    assert app.main.radio[0].value == "pretrained" and len(app.get("plotly_chart")) == 2


def test_a_failed_warm_up_leaves_the_page_working(monkeypatch, caplog):
    from ui import shell
    from ui import warmup as app_warmup

    shell.load_registered_dataset.clear()
    load_dataset = data.load_dataset
    failures = []

    def fails_once(name):
        if not failures:
            failures.append(name)
            raise OSError("the disk is not there yet")
        return load_dataset(name)

    monkeypatch.setattr(data, "load_dataset", fails_once)
    app_warmup.first_page_drawn()
    with caplog.at_level(logging.WARNING, logger="latent_core.warmup"):
        outcomes = warmup.Warmup(app_warmup.steps("digits")).run()
    assert [o.name for o in outcomes if not o.ok] == ["dataset"]  # the steps that need it skip it
    assert any("'dataset' failed" in r.getMessage() for r in caplog.records)

    app = open_page("data.py", dataset="digits")
    assert not app.exception and not app.error
    assert app.main.header[0].value.startswith("Data")


def test_the_shell_starts_the_warm_up_without_waiting_for_it(fresh_process, monkeypatch):
    from ui import warmup as app_warmup

    release = threading.Event()
    monkeypatch.setattr(app_warmup, "steps", lambda name: [("held", lambda: release.wait(60))])
    try:
        app = open_page("concepts.py")
        assert not app.exception
        started = warmup.process_warmup()
        assert started is not None and not started.done  # the page ran while the warm-up still worked
    finally:
        release.set()
    assert started.wait(10)


@pytest.fixture
def no_visitor_yet(monkeypatch):
    """This process's app warm-up state as in a server no visitor has reached."""
    from ui import warmup as app_warmup

    monkeypatch.setattr(app_warmup, "_page_requested", threading.Event())
    monkeypatch.setattr(app_warmup, "_first_run_began", threading.Event())
    monkeypatch.setattr(app_warmup, "_first_page_drawn", threading.Event())
    monkeypatch.setattr(app_warmup, "_first_visit", None)
    return app_warmup


def test_the_libraries_and_the_model_wait_while_a_visitors_first_page_is_drawn(monkeypatch, no_visitor_yet):
    from ui import models

    app_warmup = no_visitor_yet
    app_warmup.run_began()  # a visitor's first run is under way
    loaded, load_choice = [], models.load_choice
    monkeypatch.setattr(models, "load_choice", lambda key: loaded.append(key) or load_choice(key))
    job = warmup.Warmup(app_warmup.steps("digits", first_page_wait_s=60)).start()
    deadline = time.monotonic() + 60
    while not job.outcomes and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert [o.name for o in job.outcomes] == ["dataset"]  # the first page's data, then nothing beside its run
    assert loaded == [] and not job.done  # the shell says when a run has ended
    app = open_page("concepts.py")
    assert not app.exception and app_warmup._first_page_drawn.is_set()
    assert job.wait(60) and "pretrained:digits_ae_8" in loaded
    assert [o.name for o in job.outcomes] == ["dataset", app_warmup.BEFORE_LIBRARIES, "libraries", "process",
                                              app_warmup.BEFORE_MODEL, "model", "classifier", "PCA baseline",
                                              "anomaly detector"]


def test_with_no_visitor_yet_the_warm_up_does_not_wait_for_a_first_page(no_visitor_yet):
    waiting = threading.Thread(target=no_visitor_yet.wait_for_a_first_page_in_progress, args=(60,), daemon=True)
    waiting.start()
    waiting.join(10)
    assert not waiting.is_alive()  # it went on to the model at once (the server warming up at launch)


def test_a_page_requested_holds_the_warm_up_until_that_visitors_first_page_is_drawn(no_visitor_yet):
    no_visitor_yet.page_requested()  # a browser asked for a page; its scripts connect a moment later
    waiting = threading.Thread(target=no_visitor_yet.wait_for_a_first_page_in_progress, args=(60,), daemon=True)
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive()  # no run yet: it waits for the visitor's first run to begin
    no_visitor_yet.run_began()
    waiting.join(0.5)
    assert waiting.is_alive()  # that run is drawing its page
    no_visitor_yet.first_page_drawn()
    waiting.join(10)
    assert not waiting.is_alive()


def test_a_page_requested_by_a_browser_that_never_connects_holds_the_warm_up_only_briefly(no_visitor_yet):
    no_visitor_yet.page_requested()
    begun = time.monotonic()
    no_visitor_yet.wait_for_a_first_page_in_progress(60, arrival_timeout=0.3)
    assert time.monotonic() - begun < 10


def browser_request(path: str, accept: bytes = b"text/html,application/xhtml+xml,*/*;q=0.8", *,
                    kind: str = "http", method: str = "GET") -> dict:
    return {"type": kind, "method": method, "path": path, "headers": [(b"host", b"server"), (b"accept", accept)]}


@pytest.mark.parametrize("scope, is_page", [
    (browser_request("/"), True),
    (browser_request("/latent_map"), True),
    (browser_request("/_stcore/health"), False),  # the health check
    (browser_request("/api/warmup"), False),
    (browser_request("/static/js/index.js", b"*/*"), False),  # the page's scripts, asked for after the page
    (browser_request("/_stcore/stream", kind="websocket"), False),
    (browser_request("/", method="HEAD"), False),
    ({"type": "http", "method": "GET", "path": "/", "headers": []}, False),  # a client asking for no HTML
])
def test_only_a_browser_asking_for_a_page_counts_as_a_visitor_coming(no_visitor_yet, scope, is_page):
    assert no_visitor_yet.is_page_request(scope) is is_page


def test_the_servers_middleware_notes_a_page_request_and_passes_every_request_on(no_visitor_yet):
    passed = []

    async def streamlit(scope, receive, send):
        passed.append(scope["path"])

    watch = no_visitor_yet.VisitorWatch(streamlit)

    async def requests():
        await watch(browser_request("/_stcore/health", b"*/*"), None, None)
        health_counted = no_visitor_yet._page_requested.is_set()
        await watch(browser_request("/"), None, None)
        return health_counted

    assert run_coroutine(requests) is False
    assert no_visitor_yet._page_requested.is_set() and passed == ["/_stcore/health", "/"]


def test_a_page_drawn_during_the_warm_up_leaves_the_libraries_import_to_it(fresh_process, monkeypatch):
    from ui import runtime
    from ui import warmup as app_warmup

    monkeypatch.setattr(runtime, "model_layer_imported", lambda: False)  # as in a server that has not imported it
    started = []
    monkeypatch.setattr(runtime, "prepare_process_in_background", lambda: started.append(True))
    release = threading.Event()
    monkeypatch.setattr(app_warmup, "steps", lambda name: [("held", lambda: release.wait(60))])
    try:
        app = open_page("data.py", dataset="digits")
        assert not app.exception and started == []  # the warm-up imports them once the page is drawn
    finally:
        release.set()
    assert warmup.process_warmup().wait(10)
    app = open_page("data.py", dataset="digits")
    assert not app.exception and started  # no warm-up under way: the page has them imported at once


def test_the_first_visit_records_whether_the_warm_up_had_finished(fresh_process, no_visitor_yet):
    release = threading.Event()
    job = warmup.start_once(lambda: [("held", lambda: release.wait(60))])
    no_visitor_yet.run_began()
    release.set()
    assert job.wait(10)
    no_visitor_yet.run_began()  # later runs change nothing
    assert no_visitor_yet.status()["first_visit"] == "during"


def test_a_visit_after_the_warm_up_is_recorded_as_after_it(fresh_process, no_visitor_yet):
    assert warmup.start_once(lambda: [("nothing", lambda: None)]).wait(10)
    no_visitor_yet.run_began()
    status = no_visitor_yet.status()
    assert status["first_visit"] == "after" and status["done"]
    assert status["steps"] == [{"name": "nothing", "seconds": 0.0, "ok": True}]


def run_coroutine(make_coroutine):
    """``asyncio.run(make_coroutine())`` in a thread of its own: the browser tests' Playwright keeps
    an event loop running in this process's main thread, where ``asyncio.run`` refuses to start."""
    import asyncio

    outcome = {}

    def run():
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as error:  # handed to the test's thread below
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the coroutine did not finish within 60 s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_the_servers_lifespan_starts_the_warm_up_and_serves_without_waiting_for_it(fresh_process, monkeypatch):
    from ui import warmup as app_warmup

    release = threading.Event()
    monkeypatch.setattr(app_warmup, "steps", lambda name: [("held", lambda: release.wait(60))])

    async def serve_once():
        async with app_warmup.lifespan(object()):
            job = warmup.process_warmup()
            return job, job is not None and job.done

    try:
        job, done_when_serving = run_coroutine(serve_once)
        assert job is not None and not done_when_serving  # serving began while the warm-up still worked
    finally:
        release.set()
    assert job.wait(10)


def test_the_servers_lifespan_starts_nothing_when_the_warm_up_is_off(fresh_process, monkeypatch):
    from ui import warmup as app_warmup

    monkeypatch.setenv(warmup.ENV, "0")

    async def serve_once():
        async with app_warmup.lifespan(object()):
            pass

    run_coroutine(serve_once)
    assert warmup.process_warmup() is None and not app_warmup.status()["started"]


def test_the_status_route_answers_how_far_the_warm_up_got(fresh_process, no_visitor_yet):
    import httpx
    from starlette.applications import Starlette

    def broken():
        raise OSError("/secret/path missing")

    async def ask():
        transport = httpx.ASGITransport(app=Starlette(routes=no_visitor_yet.routes()))
        async with httpx.AsyncClient(transport=transport, base_url="http://server") as client:
            return await client.get(no_visitor_yet.STATUS_PATH)

    assert warmup.start_once(lambda: [("broken", broken)]).wait(10)
    answer = run_coroutine(ask)
    assert answer.status_code == 200
    body = answer.json()
    assert body["done"] and body["steps"][0]["name"] == "broken" and body["steps"][0]["ok"] is False
    assert "secret" not in answer.text  # errors stay in the server log


def test_streamlit_run_serve_py_serves_app_py_as_an_asgi_app(monkeypatch):
    from pathlib import Path

    from streamlit import config
    from streamlit.web.server.app_discovery import discover_asgi_app

    root = Path(__file__).resolve().parents[1]
    found = discover_asgi_app(root / "serve.py")
    assert found.is_asgi_app and found.import_string == "serve:app"  # `streamlit run serve.py` serves it
    monkeypatch.setattr(config, "_main_script_path", config._main_script_path)  # the App sets it if unset
    import serve

    assert serve.app.script_path == Path("app.py")
