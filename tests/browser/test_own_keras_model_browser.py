"""A Keras VAE from a notebook in a real browser: its encoder and decoder uploaded together on the Model
library page, then its latent map and its samples from the prior."""

import keras
import pytest
from app_steps import choose_dataset, go_to_page, idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WAIT = 90_000  # ms: the first run of a page imports TensorFlow and loads the model
POINTS_DRAWN = """() => {
    const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return plot && plot._fullData ? plot._fullData.reduce((sum, trace) => sum + (trace._length || 0), 0) : 0;
}"""


def save_notebook_vae(folder):
    """A small VAE written as a notebook writes it: an encoder with a mean and a log-variance, a decoder."""
    layers = keras.layers
    inputs = keras.Input((8, 8))
    hidden = layers.Dense(16, activation="relu")(layers.Flatten()(inputs))
    encoder = keras.Model(inputs, [layers.Dense(2, name="z_mean")(hidden), layers.Dense(2, name="z_log_var")(hidden)])
    decoder = keras.Sequential([keras.Input((2,)), layers.Dense(16, activation="relu"),
                                layers.Dense(64, activation="sigmoid"), layers.Reshape((8, 8))])
    paths = [folder / "vae_encoder.keras", folder / "vae_decoder.keras"]
    for model, path in zip((encoder, decoder), paths):
        model.save(path)
    return paths


def test_an_uploaded_notebook_vae_gets_a_latent_map_and_samples(page, serve_app, tmp_path, screenshot):
    files = save_notebook_vae(tmp_path)
    _, url = serve_app(tmp_path / "workspace")
    page.goto(f"{url}/library")
    choose_dataset(page, "Digits (8×8)")
    idle(page)
    page.get_by_text("Upload a model").click()
    page.get_by_text("An encoder and its decoder, as two files").click()
    uploaders = page.get_by_test_id("stFileUploaderDropzoneInput")
    expect(uploaders).to_have_count(2)
    for position, path in enumerate(files):
        uploaders.nth(position).set_input_files(str(path))
        idle(page)
    expect(page.get_by_role("heading", name="Inside: ★ vae_encoder + vae_decoder")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("The code is the encoder's mean output")).to_be_visible()
    idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "library_notebook_vae")

    go_to_page(page, "Latent map")
    page.wait_for_function(f"() => ({POINTS_DRAWN})() > 100", timeout=WAIT)
    idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)

    go_to_page(page, "Generate")
    page.get_by_role("tab", name="Samples from the prior").click()
    expect(page.get_by_text("16 samples from the prior")).to_be_visible(timeout=WAIT)
    idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlert")).to_have_count(0)


def test_the_address_explore_prints_opens_the_model_in_the_browser(page, tmp_path):
    from latent_core import explore

    path = tmp_path / "autoencoder.keras"
    keras.Sequential([keras.Input((64,)), keras.layers.Dense(3, activation="relu"),
                      keras.layers.Dense(64, activation="sigmoid")]).save(path)
    explorer = explore.explore(path, host="127.0.0.1", workspace=tmp_path / "workspace", quiet=True)
    try:
        page.goto(explorer.url)
        # the model is offered only on digits (its inputs are 64 values), so the address chose both
        expect(page.get_by_role("heading", name="Inside: ★ autoencoder")).to_be_visible(timeout=WAIT)
        idle(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
    finally:
        explorer.stop()
