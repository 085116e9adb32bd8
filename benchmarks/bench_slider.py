"""Slider to image, server side: what one move of a Generate-page slider costs the server.

On the pretrained Fashion-MNIST conv AE (32-D) and its classifier, over random slider
positions along a class's five main directions:

* **model call**: ``model.decode`` of one code (the compiled fast path);
* **fragment work**: what the ``shape_sliders`` fragment of ``pages/generate.py`` computes
  per move: the code from the sliders, the decoded image, its 224-px PNG (``shown_png``, what
  ``st.image`` gets) and the classifier's verdict; its download buttons produce
  their files only when clicked;
* the same with the download files built on every move (how the fragment worked before);
* **Streamlit's cleanup** after every run, fragment reruns included: Keras'
  ``clear_session`` and a garbage collection, before and after ``ui.runtime``
  freezes the library objects;
* **full page rerun**: the Generate page run by Streamlit's ``AppTest`` after moving the
  slider, i.e. what every move would cost without the fragment (AppTest reruns the whole
  script with one shared script cache, as a server has; its own overhead is included, so
  this is an upper bound of the page's work), taking turns with reruns whose pictures are encoded
  at zlib level 6, as Streamlit encodes a PIL image.

Writes ``benchmarks/results/slider.md``. Run: ``python benchmarks/bench_slider.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.report import (  # noqa: E402
    Timing, format_ms, load_note, open_app, summarize, table, time_calls, write_result)
from latent_core import latent, maps, pretrained  # noqa: E402
from latent_core import images  # noqa: E402
from latent_core.images import png_bytes, shown_png, upscale  # noqa: E402
from ui.runtime import HEAVY_LIBRARIES, freeze_library_objects  # noqa: E402

MODEL = "fashion_mnist_conv_ae_32"
DATASET = "fashion_mnist"
CLASS_LABEL = 0
SHOWN_SIZE = 224  # pages/generate.py SHOWN_SIZE
DOWNLOAD_SIZE = 280
MODEL_CALL = "model call (`model.decode`, one code)"


def slider_positions(count: int, directions: int, seed: int = 0) -> np.ndarray:
    """``count`` random slider settings in the page's range (-3..3, step 0.1)."""
    return np.round(np.random.default_rng(seed).uniform(-3.0, 3.0, (count, directions)), 1)


def streamlit_cleanup(runs: int, *, frozen: bool) -> Timing:
    """What Streamlit does after every script or fragment run with Keras loaded:
    ``keras.backend.clear_session()`` (a full ``gc.collect()``) and ``gc.collect(2)``;
    before or after ``ui.runtime.freeze_library_objects`` (as ``app.py`` calls it)."""
    import keras

    if frozen:
        freeze_library_objects()

    def cleanup(_):
        keras.backend.clear_session()
        gc.collect(2)

    return time_calls(cleanup, runs, warmup=1)


def in_process(moves: int) -> dict[str, object]:
    """Model call alone and the fragment's work, with and without eager download files."""
    model = pretrained.load_pretrained(MODEL).model
    classifier = pretrained.load_classifier(DATASET)
    latent_map = pretrained.load_latent_map(MODEL)
    class_codes = latent_map.codes[latent_map.labels == CLASS_LABEL]
    mean = class_codes.mean(axis=0)
    directions = latent.class_directions(class_codes, n_components=5)
    positions = slider_positions(moves + 2, len(directions.std))
    class_name = f"class {CLASS_LABEL}"

    def code_at(i: int) -> np.ndarray:
        return latent.code_from_sliders(mean, directions, positions[i])

    def fragment(i: int, *, eager_downloads: bool) -> None:
        code = code_at(i)
        image = np.clip(model.decode(code[np.newaxis]), 0.0, 1.0)[0]
        shown_png(upscale(image, SHOWN_SIZE))
        classifier.predict_proba(image[np.newaxis])
        if eager_downloads:
            png_bytes(upscale(image, DOWNLOAD_SIZE))
            maps.codes_csv(code[np.newaxis], [class_name])
            maps.codes_npz(code[np.newaxis])

    return {
        MODEL_CALL: time_calls(lambda i: model.decode(code_at(i)[np.newaxis]), moves),
        "fragment work, downloads built on click (now)": time_calls(
            lambda i: fragment(i, eager_downloads=False), moves),
        "fragment work, downloads built every move (before)": time_calls(
            lambda i: fragment(i, eager_downloads=True), moves),
    }


def full_page_reruns(moves: int):
    """Generate page reruns in AppTest after each slider move (what a move costs without a fragment):
    ``moves`` with the pictures encoded at ``images.SHOWN_PNG_LEVEL`` (now) and, taking turns with them,
    ``moves`` at zlib level 6, the level Streamlit encodes a PIL image at (before)."""
    app, first_open = open_app(DATASET, f"pretrained:{MODEL}", "generate.py")
    positions = slider_positions(2 * moves + 1, 1, seed=1)[:, 0]
    fast_level = images.SHOWN_PNG_LEVEL
    durations = {fast_level: [], 6: []}
    try:
        for i, value in enumerate(positions):
            level = fast_level if i % 2 else 6
            images.SHOWN_PNG_LEVEL = level
            slider = app.slider(key="generate.direction.0").set_value(float(value))
            started = time.perf_counter()
            slider.run()
            if i:  # the first rerun after opening still warms caches
                durations[level].append(time.perf_counter() - started)
    finally:
        images.SHOWN_PNG_LEVEL = fast_level
    return first_open, summarize(durations[fast_level]), summarize(durations[6])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 moves in process, 5 page reruns")
    parser.add_argument("--moves", type=int, default=200, help="slider moves timed in process")
    parser.add_argument("--page-moves", type=int, default=30, help="full page reruns timed with AppTest")
    args = parser.parse_args()
    moves, page_moves = (20, 5) if args.quick else (args.moves, args.page_moves)
    cleanup_runs = 5 if args.quick else 20

    for library in HEAVY_LIBRARIES:  # what the app has imported when a slider moves
        __import__(library)
    cleanup_before = streamlit_cleanup(cleanup_runs, frozen=False)
    timings = in_process(moves)
    first_open, page, page_level_6 = full_page_reruns(page_moves)
    # After the page has run: the objects a session creates (models, data, state) are not frozen.
    cleanup_now = streamlit_cleanup(moves, frozen=True)
    for name, timing in [*timings.items(), ("cleanup before", cleanup_before), ("cleanup now", cleanup_now)]:
        print(f"{name}: {timing}", flush=True)
    print(f"page: first open {first_open:.1f} s, rerun {page}", flush=True)

    now = timings["fragment work, downloads built on click (now)"]
    before = timings["fragment work, downloads built every move (before)"]
    rows = [[name, *timing.cells().split(" | "), timing.count] for name, timing in timings.items()]
    rows.append(["Streamlit's cleanup after the run, library objects frozen (now)",
                 *cleanup_now.cells().split(" | "), cleanup_now.count])
    rows.append(["Streamlit's cleanup after the run (before)", *cleanup_before.cells().split(" | "),
                 cleanup_before.count])
    rows.append(["full Generate page rerun in `AppTest` (no fragment)", *page.cells().split(" | "), page.count])
    rows.append(["the same, pictures encoded at zlib level 6 (before)", *page_level_6.cells().split(" | "),
                 page_level_6.count])
    rerun_now = now.median_ms + cleanup_now.median_ms
    rerun_before = before.median_ms + cleanup_before.median_ms
    body = "\n".join([
        "### Server side",
        "",
        f"Pretrained `{MODEL}` with the Fashion-MNIST classifier; random positions of the five "
        "direction sliders of one class (the Generate page's first tab). Milliseconds, after two "
        f"warm-up moves; {load_note()} at the end.",
        "",
        table(["per slider move", "median ms", "p95 ms", "moves"], rows),
        "",
        f"Opening the Generate page the first time in a fresh process, after the app's home page "
        f"(model, map and classifier loaded, functions traced) took {first_open:.1f} s in `AppTest`.",
        "",
        f"**One fragment rerun** (its work plus Streamlit's cleanup, medians): {rerun_now:.1f} ms; "
        f"the model call alone: {timings[MODEL_CALL].median_ms:.1f} ms. Before the optimisations "
        f"below: {rerun_before:.0f} ms.",
        "",
        "Optimisations:",
        "",
        f"- Library objects frozen out of the garbage collector once after import "
        f"(`ui/runtime.py`): Streamlit's cleanup after every run, fragment reruns included "
        f"(`keras.backend.clear_session()` and `gc.collect(2)`), {cleanup_before.median_ms:.0f} → "
        f"{format_ms(cleanup_now.median_ms)} ms median (measured after the Generate page had run "
        "in this process, so the objects it made are included).",
        f"- Slider path inside `st.fragment`: a move reruns only the fragment's work "
        f"({now.median_ms:.1f} ms median) instead of the whole page ({page.median_ms:.0f} ms "
        f"median in `AppTest`) — {page.median_ms / now.median_ms:.0f}× less server work per move.",
        f"- Download files (280-px PNG, CSV, NPZ) built only when a download button is clicked "
        f"(`st.download_button` with a callable): fragment work {before.median_ms:.1f} → "
        f"{now.median_ms:.1f} ms median, p95 {before.p95_ms:.1f} → {now.p95_ms:.1f} ms.",
        "- The model is called through its compiled fast path, not `predict` (section 2 has "
        "the ratios).",
        f"- Pictures handed to `st.image` as PNG bytes at zlib level {images.SHOWN_PNG_LEVEL} "
        "(`latent_core.images.shown_png`) instead of PIL images Streamlit encodes at level 6 on every run: "
        f"full page rerun {page_level_6.median_ms:.0f} → {page.median_ms:.0f} ms median (the two "
        "taking turns in one run).",
    ])
    print(write_result("slider", body))


if __name__ == "__main__":
    main()
