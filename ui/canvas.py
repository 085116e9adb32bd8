"""A drawing canvas (streamlit-drawable-canvas) whose drawing survives reruns and page switches.

Used wherever a user draws: the Denoise page (a drawing, or scribbles over a test image)
and the Latent map (a drawing placed onto the map). Each canvas has a ``name`` that
prefixes its keys, so several canvases keep separate drawings.

In a column narrower than the canvas (a tablet, a side column) the canvas is shown scaled
down to fit; it still draws and sends ``CANVAS_SIZE`` × ``CANVAS_SIZE`` pixels, so drawings
are prepared the same way at any size.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from ui.shell import t
from ui.uploads import canvas_pixels

CANVAS_SIZE = 280
DRAW_BRUSH = 18  # a pen stroke about as wide as an MNIST stroke once shrunk to 28×28
FIT_STEP = 10  # px: a canvas too wide for its column is shown this much narrower at a time until it fits
SMALLEST_FIT = 100  # px: the narrowest a canvas is shown
TOOLBAR_ROOM = "1.75rem"  # with the 1 rem gap above, room for the toolbar that pops up 2.65 rem above the canvas


def _canvas_state(name: str) -> dict:
    return st.session_state.setdefault(name, {"generation": 0, "json": None, "pixels": None, "seed": None,
                                              "png_digest": None})


def clear_canvas(name: str) -> None:
    """Empty a canvas: a new key is the only way to clear it from code."""
    state = _canvas_state(name)
    state.update(generation=state["generation"] + 1, json=None, pixels=None, seed=None, png_digest=None)


def _fit_style(room_class: str, canvas_class: str) -> str:
    """CSS that shows the canvas block ``canvas_class`` at the widest step that fits the block
    ``room_class`` around it, and keeps room above it for the canvas's toolbar.

    The canvas lives in a shadow root that page styles cannot reach, so its whole block is
    scaled with a transform: fabric.js maps pointer positions through the transform (from
    the canvas's on-screen box), and the canvas keeps its own pixel size.
    """
    rules = [f".{room_class} {{ container-type: inline-size; padding-top: {TOOLBAR_ROOM}; }}",
             f".{room_class} .{canvas_class} {{ width: {CANVAS_SIZE}px; max-width: none; transform-origin: 0 0; }}"]
    for shown in range(CANVAS_SIZE - FIT_STEP, SMALLEST_FIT - 1, -FIT_STEP):
        rules.append(f"@container (width < {shown + FIT_STEP}px) {{ .{room_class} .{canvas_class} "
                     f"{{ transform: scale({shown / CANVAS_SIZE:.4f}); margin-bottom: {shown - CANVAS_SIZE}px; }} }}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"


def drawing_canvas(name: str, **canvas_options) -> np.ndarray | None:
    """A square canvas with a Clear button; returns its latest RGBA pixels (None before the first stroke).

    The drawing and its pixels are kept in session state under ``name``. A freshly mounted
    canvas (first visit, back from another page) starts from the kept drawing; while
    mounted, its ``initial_drawing`` stays fixed so the canvas is never reset under the pen.
    """
    state = _canvas_state(name)
    key = f"{name}.canvas{state['generation']}"
    if key not in st.session_state:
        state["seed"] = state["json"]
    block = name.replace(".", "-")
    st.html(_fit_style(f"st-key-{block}-room", f"st-key-{block}-canvas"))
    with st.container(key=f"{block}-room"):
        with st.container(key=f"{block}-canvas"):
            result = st_canvas(key=key, initial_drawing=state["seed"], return_image_data=True,
                               stroke_color="#FFFFFF", width=CANVAS_SIZE, height=CANVAS_SIZE, **canvas_options)
        _keep_drawing(state, result.image_bytes, result.json_data)
        st.button(t("canvas.clear"), key=f"{name}.clear", on_click=clear_canvas, args=(name,))
    return state["pixels"]


def _keep_drawing(state: dict, png: bytes | None, json_data) -> None:
    """Keep the canvas's drawing and its pixels; the PNG the browser sends is decoded (in the
    upload sandbox) only when it changed, not on every rerun of the page around the canvas."""
    if png is None:
        return
    digest = hashlib.sha256(png).hexdigest()
    if digest == state.get("png_digest"):
        state["json"] = json_data
        return
    pixels = canvas_pixels(png, CANVAS_SIZE)
    if pixels is not None:
        state.update(json=json_data, pixels=pixels, png_digest=digest)
