"""The process setup every run gets: Keras's state kept across reruns, library objects frozen."""

import gc
import threading
import importlib.machinery
import importlib.util
import sys
import time
import types

import keras
from streamlit.runtime.scriptrunner import script_runner

from ui import runtime


def streamlits_own_cleanup():
    """Streamlit's cleanup as it ships, from a fresh copy of its module: this process's copy
    has it replaced already once any app has run here."""
    spec = importlib.util.spec_from_file_location("fresh_script_runner", script_runner.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._clean_problem_modules


def test_streamlit_no_longer_resets_keras_after_a_run(monkeypatch):
    calls = []
    cleanup = streamlits_own_cleanup()
    monkeypatch.setattr(script_runner, "_clean_problem_modules", cleanup)
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: calls.append(args))
    cleanup()
    assert calls, "Streamlit's own cleanup resets Keras; if not, this module has nothing to do"
    calls.clear()
    assert runtime.keep_keras_state_between_runs()
    assert script_runner._clean_problem_modules is not cleanup  # the hook Streamlit calls is replaced
    script_runner._clean_problem_modules()
    assert calls == []


def test_the_cleanup_still_closes_matplotlib_figures(monkeypatch):
    closed = []

    class FakePyplot:
        @staticmethod
        def close(which):
            closed.append(which)

    monkeypatch.setitem(__import__("sys").modules, "matplotlib.pyplot", FakePyplot)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", script_runner._clean_problem_modules)
    runtime.keep_keras_state_between_runs()
    script_runner._clean_problem_modules()
    assert closed == ["all"]


def test_prepare_process_freezes_the_libraries_once(monkeypatch):
    monkeypatch.setattr(runtime, "_frozen", False)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", script_runner._clean_problem_modules)
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(True))
    runtime.prepare_process()
    runtime.prepare_process()
    assert freezes == [True]
    assert script_runner._clean_problem_modules is runtime._clean_problem_modules_except_keras


def test_freed_memory_goes_back_to_the_system_in_the_background(monkeypatch):
    trims = []
    real_trim = runtime.trim_freed_memory
    assert real_trim() is (sys.platform.startswith("linux"))  # glibc here; other C libraries have no malloc_trim
    monkeypatch.setattr(runtime, "_trimmer", None)
    monkeypatch.setattr(runtime, "trim_freed_memory", lambda: trims.append(time.monotonic()) or True)
    assert runtime.start_memory_trimmer(interval=0.05)
    thread = runtime._trimmer
    assert thread.daemon and thread.is_alive()
    assert runtime.start_memory_trimmer(interval=0.05)  # one trimmer per process
    assert runtime._trimmer is thread
    deadline = time.monotonic() + 10
    while len(trims) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(trims) >= 3
    monkeypatch.undo()
    thread.join(timeout=5)
    assert not thread.is_alive()  # a trimmer that is no longer the process's own stops


def test_a_run_neither_imports_nor_freezes_the_libraries_before_the_model_layer_is_imported(monkeypatch):
    monkeypatch.setattr(runtime, "_frozen", False)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", script_runner._clean_problem_modules)
    monkeypatch.setattr(runtime, "model_layer_imported", lambda: False)
    freezes, imports = [], []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(True))
    monkeypatch.setattr(runtime.importlib, "import_module", lambda name: imports.append(name))
    runtime.prepare_run()
    assert freezes == [] and imports == []
    assert script_runner._clean_problem_modules is runtime._clean_problem_modules_except_keras  # that part stays


def test_the_first_run_that_finds_the_model_layer_imported_freezes_the_libraries_once(monkeypatch):
    monkeypatch.setattr(runtime, "_frozen", False)
    monkeypatch.setattr(script_runner, "_clean_problem_modules", script_runner._clean_problem_modules)
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(True))
    runtime.import_model_layer()
    assert runtime.model_layer_imported()
    runtime.prepare_run()
    runtime.prepare_run()
    assert freezes == [True]


def test_a_module_still_importing_in_another_thread_does_not_count_as_imported(monkeypatch):
    half_imported = types.ModuleType("half_imported")
    half_imported.__spec__ = importlib.machinery.ModuleSpec("half_imported", None)
    half_imported.__spec__._initializing = True  # what Python marks while the module's code runs
    monkeypatch.setitem(sys.modules, "half_imported", half_imported)
    assert not runtime.fully_imported("half_imported")
    half_imported.__spec__._initializing = False
    assert runtime.fully_imported("half_imported")
    assert not runtime.fully_imported("never_imported_anywhere")


def test_a_run_does_not_wait_while_another_thread_freezes_the_libraries(monkeypatch):
    monkeypatch.setattr(runtime, "_frozen", False)
    freezes = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(True))
    with runtime._freeze_lock:  # the warm-up's thread is freezing them
        began = time.monotonic()
        runtime.freeze_library_objects(wait=False)
        assert time.monotonic() - began < 1.0
    assert freezes == []
    runtime.freeze_library_objects(wait=False)
    assert freezes == [True]


def test_the_model_layer_is_imported_by_one_thread_at_a_time(monkeypatch):
    inside, overlaps = [], []

    def slow_import(name):
        inside.append(name)
        if len(inside) > 1:
            overlaps.append(tuple(inside))
        time.sleep(0.01)
        inside.remove(name)

    monkeypatch.setattr(runtime.importlib, "import_module", slow_import)
    threads = [threading.Thread(target=runtime.import_model_layer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert overlaps == []  # the warm-up and the script runs never import it side by side


def test_the_model_layer_counts_as_imported_only_when_all_of_it_is(monkeypatch):
    runtime.import_model_layer()
    assert runtime.model_layer_imported()
    monkeypatch.delitem(sys.modules, "ui.queue_views")
    assert not runtime.model_layer_imported()
