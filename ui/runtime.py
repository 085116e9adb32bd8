"""Keep garbage-collection pauses out of every rerun.

After every script run — each fragment rerun of a slider move included — Streamlit
calls ``keras.backend.clear_session()``, which runs a full ``gc.collect()``, and then
(``runner.postScriptGC``) another ``gc.collect(2)``. With TensorFlow, Keras, Streamlit,
plotly and scikit-learn imported, a full collection walks about 400,000 long-lived
objects: 0.3-0.4 s each on a 2-core CPU, during which the server sends nothing.
``freeze_library_objects`` moves the objects alive once the libraries are imported into
the collector's permanent generation (``gc.freeze``), so later collections look only at
objects made since: about a millisecond. Memory is still freed as before (reference
counting, and collections of everything newer).
"""

from __future__ import annotations

import gc
import importlib

# Everything a page imports that creates many long-lived objects.
HEAVY_LIBRARIES = ("tensorflow", "keras", "plotly.graph_objects", "sklearn.decomposition", "streamlit")

_frozen = False


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
