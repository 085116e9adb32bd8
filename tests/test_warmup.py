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


def test_the_model_waits_until_the_first_page_is_drawn(monkeypatch):
    from ui import models
    from ui import warmup as app_warmup

    monkeypatch.setattr(app_warmup, "_first_page_drawn", threading.Event())
    loaded, load_choice = [], models.load_choice
    monkeypatch.setattr(models, "load_choice", lambda key: loaded.append(key) or load_choice(key))
    job = warmup.Warmup(app_warmup.steps("digits", first_page_wait_s=60)).start()
    deadline = time.monotonic() + 60
    while [o.name for o in job.outcomes] != ["dataset", "libraries"] and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert loaded == [] and not job.done  # waiting for the first run; the shell says when a run has ended
    app = open_page("concepts.py")
    assert not app.exception and app_warmup._first_page_drawn.is_set()
    assert job.wait(60) and "pretrained:digits_ae_8" in loaded
