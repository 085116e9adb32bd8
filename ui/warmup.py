"""The app's warm-up: what a first visitor's pages need, loaded through the caches those pages read.

``start()`` (called by the shell on every run, acting once per process) hands these steps to
``latent_core.warmup.start_once``, which runs them in a background thread: the default dataset (the
sidebar's first choice) loaded (NumPy only, so it overlaps with the first run's import of
TensorFlow), the heavy libraries imported, then, once the first page is drawn, the dataset hashed, its
default model
(the picker's first entry) loaded with its latent map and code sample, the dataset's classifier
loaded, and every compiled fast path traced. Each is the same ``st.cache_resource`` entry a page
reads, so the first visitor's pages find them ready.
"""

from __future__ import annotations

import importlib
import threading

from latent_core import warmup
from ui import runtime

DEFAULT_DATASET = "fashion_mnist"
FIRST_PAGE_WAIT_S = 30.0  # a first run that never ends (an error) does not hold the warm-up back longer

_first_page_drawn = threading.Event()


def first_page_drawn() -> None:
    """Tell the warm-up that the process's first run has ended (the shell calls it after every run)."""
    _first_page_drawn.set()


def steps(dataset_name: str = DEFAULT_DATASET, *, first_page_wait_s: float = FIRST_PAGE_WAIT_S) -> list[warmup.Step]:
    """The warm-up of ``dataset_name`` and its default model, as named steps (run in this order).

    The model and the classifier wait until the first run has drawn its page (at most
    ``first_page_wait_s``): on two cores, loading and tracing them beside that run would slow
    down the first page, which needs neither; they are ready before the visitor's next click."""
    loaded: dict[str, object] = {}

    def dataset() -> None:  # NumPy only: it overlaps with the first run's TensorFlow import
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
        _first_page_drawn.wait(first_page_wait_s)

    return [("dataset", dataset), ("libraries", libraries), ("first page", first_page), ("model", model),
            ("classifier", classifier)]


def start() -> warmup.Warmup | None:
    """Start the process's warm-up in the background the first time (None when it is turned off)."""
    return warmup.start_once(lambda: steps(DEFAULT_DATASET))
