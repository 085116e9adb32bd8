"""Denoise: a drawing or a test image, made noisy, through the chosen model (the library's U-Net
denoiser unless the user chose another), with PSNR, and why skip connections denoise better."""

import math

import numpy as np
import streamlit as st

from latent_core import drawing, metrics
from latent_core.images import error_heatmaps, shown_png, upscale
from latent_core.models import add_noise
from ui.canvas import CANVAS_SIZE, DRAW_BRUSH, drawing_canvas
from ui.denoise_views import denoiser_hint, library_denoisers, why_skip_connections
from ui.guard import require_dataset, require_model
from ui.layout import input_beside_results
from ui.shell import lang, start_page, t

SHOWN_SIZE = 196
RESULTS_MIN_WIDTH = 420  # px: three pictures and their PSNR side by side, readable; narrower, they go below the input
DRAW_NOISES = ("gaussian", "salt_pepper", "none")
TEST_NOISES = ("gaussian", "salt_pepper", "strokes")


def scribble_brush(input_shape) -> int:
    """A scribble brush about one image pixel wide once the canvas is shrunk to the input size."""
    return max(8, round(1.2 * CANVAS_SIZE / input_shape[0]))


def random_test_image(count: int) -> None:
    st.session_state["denoise.image_index"] = int(np.random.default_rng().integers(count))


def next_noise() -> None:
    st.session_state["denoise.noise_seed"] = st.session_state.get("denoise.noise_seed", 0) + 1


def psnr_text(value: float) -> str:
    return t("denoise.psnr_identical") if math.isinf(value) else t("denoise.psnr_value", value=value)


@st.fragment
def denoise_view(model, clean: np.ndarray, *, noise: str, clean_caption: str,
                 scribbled: np.ndarray | None = None) -> None:
    """Noisy input, the model's output with where it differs from the clean image, and PSNR; the
    strength slider reruns only this."""
    if noise in ("gaussian", "salt_pepper"):
        controls = st.container(horizontal=True, vertical_alignment="bottom")
        strength = controls.slider(t("denoise.strength"), 0.0, 1.0, 0.2, 0.05, key=f"denoise.strength.{noise}",
                                   help=t(f"denoise.strength_help.{noise}"))
        controls.button(t("denoise.new_noise"), key="denoise.new_noise", on_click=next_noise)
        noisy = add_noise(clean[np.newaxis], kind=noise, strength=strength,
                          seed=st.session_state.get("denoise.noise_seed", 0))[0]
    else:
        noisy = clean if scribbled is None else scribbled
    denoised = np.clip(model.reconstruct(noisy[np.newaxis])[0], 0.0, 1.0)

    noisy_psnr = metrics.psnr(clean[np.newaxis], noisy[np.newaxis])
    denoised_psnr = metrics.psnr(clean[np.newaxis], denoised[np.newaxis])
    gain = None if math.isinf(noisy_psnr) or math.isinf(denoised_psnr) else t(
        "denoise.gain", gain=denoised_psnr - noisy_psnr)
    pictures = st.columns(3)  # each PSNR under its picture, also where a phone stacks the columns
    pictures[0].image(shown_png(upscale(clean, SHOWN_SIZE)), caption=clean_caption, output_format="PNG")
    pictures[1].image(shown_png(upscale(noisy, SHOWN_SIZE)), caption=t("denoise.noisy"), output_format="PNG")
    pictures[1].metric(t("denoise.psnr_noisy"), psnr_text(noisy_psnr), help=t("denoise.psnr_help"))
    pictures[2].image(shown_png(upscale(denoised, SHOWN_SIZE)), caption=t("denoise.denoised"), output_format="PNG")
    pictures[2].metric(t("denoise.psnr_denoised"), psnr_text(denoised_psnr), delta=gain, help=t("denoise.psnr_help"))
    pictures[2].image(shown_png(upscale(error_heatmaps(clean, denoised), SHOWN_SIZE)), caption=t("denoise.error_map"),
                      output_format="PNG")


start_page()
st.header(t("page.denoise"))
st.write(t("denoise.intro"))
dataset = require_dataset(images=True)
_, bundle = require_model(encoder=True)
model = bundle.model
unet, bottleneck = library_denoisers(dataset.input_shape)
denoiser_hint(model.kind, unet, bottleneck)
why_skip_connections(unet, bottleneck)
bright_ink = drawing.has_bright_ink(dataset.x_train[:500])

source = st.radio(t("denoise.source"), ["draw", "test"], horizontal=True, key="denoise.source",
                  format_func=lambda option: t(f"denoise.source.{option}"))
noise = st.radio(t("denoise.noise"), DRAW_NOISES if source == "draw" else TEST_NOISES, horizontal=True,
                 key=f"denoise.noise.{source}",
                 format_func=lambda option: t("common.none" if option == "none" else f"denoise.noise.{option}"))
left, right = input_beside_results("denoise", input_width=CANVAS_SIZE, results_min_width=RESULTS_MIN_WIDTH)

if source == "draw":
    with left:
        st.caption(t("denoise.draw_help"))
        pixels = drawing_canvas("denoise.draw", background_color="#000000", stroke_width=DRAW_BRUSH)
    with right:
        try:
            clean = drawing.to_dataset_style(pixels, model.input_shape, bright_ink=bright_ink)
        except drawing.EmptyDrawingError:
            st.info(t("denoise.empty_drawing"))
        else:
            denoise_view(model, clean, noise=noise, clean_caption=t("common.drawing_as_seen"))
            box = drawing.box_size(model.input_shape)
            st.caption(t("denoise.prepared_note", box=box, size=model.input_shape[0]))
else:
    count = len(dataset.x_test)
    with left:
        if st.session_state.get("denoise.image_index", 0) >= count:
            st.session_state["denoise.image_index"] = 0
        index = st.number_input(t("common.test_image_number"), min_value=0, max_value=count - 1, key="denoise.image_index")
        st.button(t("denoise.random_image"), key="denoise.random_image", on_click=random_test_image, args=(count,))
        clean = dataset.x_test[index]
        if dataset.num_classes:
            st.caption(t("denoise.image_class", name=dataset.class_names(lang())[int(dataset.y_test[index])]))
        scribbled = None
        if noise == "strokes":
            st.caption(t("denoise.scribble_help"))
            pixels = drawing_canvas("denoise.scribble", background_image=upscale(clean, CANVAS_SIZE),
                                    stroke_width=scribble_brush(model.input_shape))
            try:
                scribbled = drawing.draw_over(clean, pixels, bright_ink=bright_ink)
            except drawing.EmptyDrawingError:
                st.info(t("denoise.empty_scribble"))
    with right:
        denoise_view(model, clean, noise=noise, clean_caption=t("denoise.clean.test"), scribbled=scribbled)
