"""The Denoise page, driven through AppTest: drawings arrive the way the canvas sends them."""

import numpy as np
import pytest
from page_helpers import canvas_sends, open_page, open_with_model, stroke_pixels
from streamlit.testing.v1 import AppTest

from latent_core import data, drawing, images, metrics, pretrained
from latent_core.models import add_noise
from ui import models

PAGE = "denoise.py"
DRAW_CANVAS = "denoise.draw.canvas0"
SCRIBBLE_CANVAS = "denoise.scribble.canvas0"


def canvases(app: AppTest) -> list:
    return app.get("bidi_component")


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def psnr_text(clean: np.ndarray, other: np.ndarray) -> str:
    return f"{metrics.psnr(clean[np.newaxis], other[np.newaxis]):.1f} dB"


@pytest.fixture
def shown_images(monkeypatch):
    """Every image the page upscales for display, in order."""
    shown = []
    upscale = images.upscale
    monkeypatch.setattr(images, "upscale", lambda image, size: shown.append(np.asarray(image)) or upscale(image, size))
    return shown


def test_empty_canvas_on_first_run_shows_the_canvas_and_a_hint(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    assert not app.exception
    assert app.header[0].value == "Denoise"
    assert len(canvases(app)) == 1
    assert app.info[0].value == "Draw something on the canvas to see it denoised."
    assert not app.get("image")


def test_a_drawing_is_prepared_like_the_data_and_denoised(tiny, shown_images):
    entry, model = tiny.ae, tiny.ae_model
    app = open_with_model(PAGE, entry)
    app.radio(key="denoise.noise.draw").set_value("none").run()
    canvas_sends(app, DRAW_CANVAS, stroke_pixels())
    assert not app.exception and not app.info
    prepared = drawing.to_dataset_style(stroke_pixels(), (8, 8, 1))
    np.testing.assert_array_equal(shown_images[-4], prepared)
    denoised = np.clip(model.reconstruct(prepared[np.newaxis])[0], 0.0, 1.0)
    np.testing.assert_allclose(shown_images[-2], denoised, atol=1e-6)
    values = metric_values(app)
    assert values["Noisy PSNR"] == "identical"
    assert values["Output PSNR"] == psnr_text(prepared, denoised)
    assert any("6×6 box" in caption.value for caption in app.caption)


def test_the_output_column_shows_where_the_output_differs_from_the_clean_image(tiny, shown_images):
    entry, model = tiny.ae, tiny.ae_model
    app = open_with_model(PAGE, entry)
    app.radio(key="denoise.source").set_value("test").run()
    app.number_input(key="denoise.image_index").set_value(5).run()
    assert not app.exception
    clean = data.load_dataset("digits").x_test[5]
    noisy = add_noise(clean[np.newaxis], kind="gaussian", strength=0.2, seed=0)
    denoised = np.clip(model.reconstruct(noisy), 0.0, 1.0)
    np.testing.assert_allclose(shown_images[-1], images.error_heatmaps(clean[np.newaxis], denoised)[0], atol=1e-5)
    captions = [image.proto.imgs[0].caption for image in app.get("image")]
    assert captions[-2] == "Denoised output"
    assert captions[-1].startswith("Where the output differs from the clean image (|x − x̂|, 0 black … 1 pale yellow)")


def test_noise_strength_slider_changes_the_noisy_input(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    canvas_sends(app, DRAW_CANVAS, stroke_pixels())
    prepared = drawing.to_dataset_style(stroke_pixels(), (8, 8, 1))
    expected = add_noise(prepared[np.newaxis], kind="gaussian", strength=0.2, seed=0)[0]
    assert metric_values(app)["Noisy PSNR"] == psnr_text(prepared, expected)
    app.slider(key="denoise.strength.gaussian").set_value(0.6).run()
    stronger = add_noise(prepared[np.newaxis], kind="gaussian", strength=0.6, seed=0)[0]
    assert metric_values(app)["Noisy PSNR"] == psnr_text(prepared, stronger)
    app.button(key="denoise.new_noise").click().run()
    other = add_noise(prepared[np.newaxis], kind="gaussian", strength=0.6, seed=1)[0]
    assert metric_values(app)["Noisy PSNR"] == psnr_text(prepared, other)


def test_the_drawing_survives_reruns_and_page_switches(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    canvas_sends(app, DRAW_CANVAS, stroke_pixels())
    app.radio(key="denoise.noise.draw").set_value("salt_pepper").run()
    assert len(app.get("image")) == 4
    app.switch_page("pages/data.py").run()
    app.switch_page("pages/" + PAGE).run()
    assert not app.exception and not app.info
    assert len(app.get("image")) == 4 and len(canvases(app)) == 1
    assert app.session_state["denoise.draw"]["seed"] is not None


def test_clearing_gives_the_canvas_a_new_key_and_brings_the_hint_back(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    canvas_sends(app, DRAW_CANVAS, stroke_pixels())
    app.button(key="denoise.draw.clear").click().run()
    assert not app.exception
    assert len(canvases(app)) == 1
    assert app.session_state["denoise.draw"]["generation"] == 1
    assert app.info[0].value == "Draw something on the canvas to see it denoised."
    app.run()
    assert len(canvases(app)) == 1, "the canvas must not live inside the button's branch"


def test_a_test_image_gets_noise_and_its_clean_original(tiny, shown_images):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    app.radio(key="denoise.source").set_value("test").run()
    app.number_input(key="denoise.image_index").set_value(5).run()
    assert not app.exception
    clean = data.load_dataset("digits").x_test[5]
    np.testing.assert_array_equal(shown_images[-4], clean)
    noisy = add_noise(clean[np.newaxis], kind="gaussian", strength=0.2, seed=0)[0]
    assert metric_values(app)["Noisy PSNR"] == psnr_text(clean, noisy)
    digit = data.load_dataset("digits").y_test[5]
    assert f"Class: {digit}" in [caption.value for caption in app.caption]
    app.button(key="denoise.random_image").click().run()
    assert not app.exception and len(app.get("image")) == 4


def test_scribbles_over_a_test_image_are_the_noise(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    app.radio(key="denoise.source").set_value("test").run()
    app.radio(key="denoise.noise.test").set_value("strokes").run()
    assert len(canvases(app)) == 1
    assert app.info[0].value.startswith("Scribble over the image")
    scribble = np.zeros((280, 280, 4), np.uint8)
    scribble[100:140, :] = 255
    canvas_sends(app, SCRIBBLE_CANVAS, scribble)
    assert not app.exception and not app.info
    clean = data.load_dataset("digits").x_test[0]
    assert metric_values(app)["Noisy PSNR"] == psnr_text(clean, drawing.draw_over(clean, scribble))


def test_page_speaks_korean(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    app.session_state["lang"] = "ko"
    app.run()
    assert app.header[0].value == "잡음 제거"
    assert app.info[0].value.startswith("캔버스에")


def test_without_a_model_the_page_says_where_to_get_one(tiny, monkeypatch):
    monkeypatch.setattr(models, "choices_for", lambda *args, **kwargs: [])
    app = open_page(PAGE, dataset="digits")
    assert not app.exception
    assert "Train page" in app.info[0].value
    assert not canvases(app)


@pytest.mark.parametrize("dataset", ["digits", "mnist", "fashion_mnist"])
def test_renders_with_a_pretrained_model(dataset):
    if not pretrained.list_pretrained(dataset):
        pytest.skip(f"no pretrained model for {dataset} in pretrained/")
    app = open_page(PAGE, dataset=dataset)
    assert app.session_state["model"].startswith("pretrained:")
    canvas_sends(app, DRAW_CANVAS, stroke_pixels())
    assert not app.exception and len(app.get("image")) == 4
    app.radio(key="denoise.source").set_value("test").run()
    assert not app.exception and len(app.get("image")) == 4


def test_a_plain_autoencoder_gets_a_tip_to_train_a_denoiser(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    assert not app.exception
    assert any(caption.value.startswith("Tip: a denoising AE") for caption in app.caption)


def test_a_pretrained_denoiser_is_offered_and_selected_with_one_click(workspace_root):
    entries = pretrained.list_pretrained("mnist")
    # the U-Net denoiser where the library has one, else the bottleneck denoising AE
    offered = next((e for kind in ("unet_denoiser", "denoising_ae") for e in entries if e.kind == kind), None)
    others = [e for e in entries if e.kind == "vae"]  # not the sidebar's first model, which the page replaces
    if offered is None or not others:
        pytest.skip("needs a pretrained MNIST VAE and denoiser")
    app = open_page(PAGE, dataset="mnist", model="pretrained:" + others[0].name)
    assert app.info[0].value.startswith("Any autoencoder removes some noise") and offered.name in app.info[0].value
    next(b for b in app.button if b.label == "Use it").click().run()
    assert not app.exception
    assert app.session_state["model"] == "pretrained:" + offered.name
    assert not any(info.value.startswith("Any autoencoder") for info in app.info)


def test_a_drawing_is_decoded_once_not_again_on_every_rerun(monkeypatch):
    from ui import canvas

    decoded = []
    real = canvas.canvas_pixels
    monkeypatch.setattr(canvas, "canvas_pixels", lambda png, size: decoded.append(png) or real(png, size))
    app = open_page(PAGE, dataset="digits")
    canvas_sends(app, DRAW_CANVAS, stroke_pixels())
    for strength in (0.3, 0.4, 0.5):  # slider moves rerun the page around the unchanged drawing
        app.slider(key="denoise.strength.gaussian").set_value(strength).run()
    assert not app.exception and len(decoded) == 1
    canvas_sends(app, DRAW_CANVAS, 255 - stroke_pixels())  # a new stroke: its picture is decoded
    assert len(decoded) == 2
