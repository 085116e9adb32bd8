"""Keep per-run overhead out of every rerun, fragment reruns of a slider move included.

Two things Streamlit does after every script run cost more than the run itself here:

- It calls ``keras.backend.clear_session()`` (``script_runner._clean_problem_modules``).
  That resets Keras's global state and TensorFlow's kernel cache, so the next model call
  rebuilds its kernels (about 50 ms per model on 2 cores), and it can reset that state
  under a training thread or another session that is building a model at that moment.
  The app never relies on the reset: models are built once and kept, so
  ``keep_keras_state_between_runs`` leaves Keras alone and keeps the rest of the cleanup.
- It runs full garbage collections (inside ``clear_session`` and ``runner.postScriptGC``).
  With TensorFlow, Keras, Streamlit, plotly and scikit-learn imported, a full collection
  walks about 400,000 long-lived objects: 0.3-0.4 s on a 2-core CPU.
  ``freeze_library_objects`` moves the objects alive once the libraries are imported into
  the collector's permanent generation (``gc.freeze``), so later collections look only at
  objects made since. Memory is still freed as before (reference counting, and
  collections of everything newer).

Memory that TensorFlow's and NumPy's temporaries give back stays in glibc's per-thread
malloc arenas unless the allocator is told to return it (``malloc_trim``): about 50 MiB
after a page has encoded a thousand images. ``start_memory_trimmer`` returns it every few
seconds from a background thread (about 4 ms each time, off the script threads).

``prepare_process`` does all three, once per process, importing the libraries first (the
server's warm-up calls it). The shell calls ``prepare_run`` on every run instead, so a deep
link straight to a page gets the same: it never imports the libraries itself, so the Data page
and the sidebar draw while TensorFlow is still importing, and it freezes them as soon as a run
finds them imported (by the warm-up, or by the first page that needed a model).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib
import sys
import threading
import time

# Everything a page imports that creates many long-lived objects (TensorFlow and Keras through
# latent_core.frameworks, which lets one thread at a time import them).
FRAMEWORKS = "latent_core.frameworks"
HEAVY_LIBRARIES = (FRAMEWORKS, "plotly.graph_objects", "sklearn.decomposition", "streamlit")
# TensorFlow and the app's modules built on it that the shell and the warm-up import lazily
MODEL_LAYER = (FRAMEWORKS, "latent_core.models", "latent_core.jobs", "ui.models", "ui.codes", "ui.queue_views")

TRIM_INTERVAL_SECONDS = 5.0

_frozen = False
_freeze_lock = threading.Lock()
_model_layer_lock = threading.Lock()
_trimmer: threading.Thread | None = None
_preparer: threading.Thread | None = None


def freeze_library_objects(*, wait: bool = True) -> None:
    """Import the heavy libraries, collect once, and freeze what is left (once per process, whichever
    thread asks first: the warm-up's or a script run's). With ``wait=False`` return at once while
    another thread is doing it."""
    global _frozen
    if not _freeze_lock.acquire(blocking=wait):
        return
    try:
        if _frozen:
            return
        import_libraries()
        gc.collect()
        gc.freeze()
        _frozen = True
    finally:
        _freeze_lock.release()


def import_model_layer() -> None:
    """Import ``MODEL_LAYER`` one thread at a time (the warm-up's, a script run's, the freeze's).

    Two threads importing these at once (the warm-up loading the default model while the sidebar's
    rerun imports the model picker) can enter the circular imports of ``latent_core.models`` at
    different modules; Python then hands one of them a half-initialised module and the page fails with
    ``ImportError: cannot import name ... from partially initialized module``. Every lazy importer of
    the model layer comes here instead, so the second waits until the first has imported it whole."""
    with _model_layer_lock:
        for name in MODEL_LAYER:
            importlib.import_module(name)


def import_libraries() -> None:
    """Import the model layer (one thread at a time) and the rest of ``HEAVY_LIBRARIES``."""
    import_model_layer()
    for name in HEAVY_LIBRARIES:
        importlib.import_module(name)


def model_layer_imported() -> bool:
    """Whether ``MODEL_LAYER`` is imported whole: a run may use the models without importing anything."""
    return all(fully_imported(name) for name in MODEL_LAYER)


def fully_imported(name: str) -> bool:
    """Whether module ``name`` has finished importing (not merely begun in another thread: Python puts
    a module in ``sys.modules`` before running it and marks its spec ``_initializing`` meanwhile, the
    same check its import system makes)."""
    module = sys.modules.get(name)
    return module is not None and not getattr(getattr(module, "__spec__", None), "_initializing", False)


def _clean_problem_modules_except_keras() -> None:
    """Streamlit's cleanup after a script run without the Keras reset: close matplotlib figures."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state_between_runs() -> bool:
    """Stop Streamlit from calling ``keras.backend.clear_session()`` after every script run.

    Returns False when this Streamlit has no such cleanup hook (nothing to do).
    """
    from streamlit.runtime.scriptrunner import script_runner

    if getattr(script_runner, "_clean_problem_modules", None) is None:
        return False
    script_runner._clean_problem_modules = _clean_problem_modules_except_keras
    return True


def trim_freed_memory() -> bool:
    """Hand memory that is free inside glibc's malloc arenas back to the system.

    Returns False where the C library has no ``malloc_trim`` (not glibc: macOS, musl).
    """
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is None:
        return False
    trim(0)
    return True


def start_memory_trimmer(interval: float = TRIM_INTERVAL_SECONDS) -> bool:
    """Call ``trim_freed_memory`` every ``interval`` seconds in a daemon thread (one per process)."""
    global _trimmer
    if _trimmer is not None:
        return True
    if not trim_freed_memory():
        return False

    def trim_while_current() -> None:
        while _trimmer is threading.current_thread():
            time.sleep(interval)
            trim_freed_memory()

    _trimmer = threading.Thread(target=trim_while_current, name="malloc-trim", daemon=True)
    _trimmer.start()
    return True


def prepare_process() -> None:
    """All of the above, once per process, the heavy libraries imported first."""
    keep_keras_state_between_runs()
    freeze_library_objects()
    start_memory_trimmer()


def prepare_process_in_background() -> None:
    """Run ``prepare_process`` in a daemon thread, once per process (a page drawn without the heavy
    libraries has them imported meanwhile; with the server's warm-up importing them too, the import
    gate and the freeze's lock let each happen once)."""
    global _preparer
    with _freeze_lock:
        if _frozen or _preparer is not None:
            return
        _preparer = threading.Thread(target=prepare_process, name="prepare-process", daemon=True)
    _preparer.start()


def prepare_run() -> None:
    """What every script run asks for (cheap after the first): Streamlit's Keras reset replaced, the
    memory trimmer running, and the libraries frozen once the model layer is imported, without
    importing or waiting for it."""
    keep_keras_state_between_runs()
    start_memory_trimmer()
    if not _frozen and model_layer_imported():
        freeze_library_objects(wait=False)
