"""A drawing canvas (streamlit-drawable-canvas) whose drawing survives reruns and page switches.

Used wherever a user draws: the Denoise page (a drawing, or scribbles over a test image)
and the Latent map (a drawing placed onto the map). Each canvas has a ``name`` that
prefixes its keys, so several canvases keep separate drawings.
"""

from __future__ import annotations

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from ui.shell import t
from ui.uploads import canvas_pixels

CANVAS_SIZE = 280
DRAW_BRUSH = 18  # a pen stroke about as wide as an MNIST stroke once shrunk to 28×28


def _canvas_state(name: str) -> dict:
    return st.session_state.setdefault(name, {"generation": 0, "json": None, "pixels": None, "seed": None})


def clear_canvas(name: str) -> None:
    """Empty a canvas: a new key is the only way to clear it from code."""
    state = _canvas_state(name)
    state.update(generation=state["generation"] + 1, json=None, pixels=None, seed=None)


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
    result = st_canvas(key=key, initial_drawing=state["seed"], return_image_data=True, stroke_color="#FFFFFF",
                       width=CANVAS_SIZE, height=CANVAS_SIZE, **canvas_options)
    pixels = canvas_pixels(result.image_bytes, CANVAS_SIZE)
    if pixels is not None:
        state["json"], state["pixels"] = result.json_data, pixels
    st.button(t("canvas.clear"), key=f"{name}.clear", on_click=clear_canvas, args=(name,))
    return state["pixels"]
