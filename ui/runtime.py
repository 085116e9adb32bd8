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

``prepare_process`` does all three, once per process; the shell calls it on every run, so
a deep link straight to a page gets it as well as the home page.
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
HEAVY_LIBRARIES = ("latent_core.frameworks", "plotly.graph_objects", "sklearn.decomposition", "streamlit")

TRIM_INTERVAL_SECONDS = 5.0

_frozen = False
_trimmer: threading.Thread | None = None


def freeze_library_objects() -> None:
    """Import the heavy libraries, collect once, and freeze what is left (once per process)."""
    global _frozen
    if _frozen:
        return
    for name in HEAVY_LIBRARIES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    _frozen = True


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
    """All of the above, once per process."""
    keep_keras_state_between_runs()
    freeze_library_objects()
    start_memory_trimmer()
