"""The Reconstruct & compress page in a real browser: the grid, its errors, their heatmaps and the PCA comparison."""

import pytest
from app_steps import idle, open_page_on
from playwright.sync_api import expect

from latent_core import pretrained

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the first run of a page imports TensorFlow, loads the model and fits PCA
GRID_IMAGES = '[data-testid="stMain"] [data-testid="stColumn"] [data-testid="stImage"] img'
SCALE_CAPTION = "Error colours, the same fixed scale on every heatmap"


def test_grid_compares_the_model_with_pca_and_grows_with_the_slider(page, app_url, screenshot):
    if not pretrained.list_pretrained("mnist"):
        pytest.skip("no pretrained MNIST model in pretrained/")
    open_page_on(page, app_url, dataset="MNIST digits", page_title="Reconstruct & compress")
    expect(page.locator(GRID_IMAGES)).to_have_count(8, timeout=WAIT)
    expect(page.get_by_text("Compression", exact=True)).to_be_visible()
    expect(page.get_by_text("PCA MSE,")).to_be_visible()
    expect(page.get_by_text(" · PCA 0.")).to_have_count(8)

    slider = page.get_by_test_id("stSlider").locator('input[type="range"]')
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(GRID_IMAGES)).to_have_count(12, timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stImage"] img')]
        .every(image => image.complete && image.naturalWidth > 0)""")
    screenshot(page, "reconstruct")


def test_each_reconstruction_shows_where_it_differs_and_the_heatmaps_can_be_hidden(page, app_url):
    if not pretrained.list_pretrained("mnist"):
        pytest.skip("no pretrained MNIST model in pretrained/")
    open_page_on(page, app_url, dataset="MNIST digits", page_title="Reconstruct & compress")
    expect(page.locator(GRID_IMAGES)).to_have_count(8, timeout=WAIT)
    expect(page.get_by_text("From the top: original · your model · where your model differs")).to_be_visible()
    expect(page.get_by_text(SCALE_CAPTION)).to_be_visible()
    column = page.locator(GRID_IMAGES).first
    expect(column).to_have_js_property("complete", True)
    tall = column.evaluate("image => image.naturalHeight / image.naturalWidth")
    assert tall > 4.5  # five images stacked: original, model, its error, PCA, its error
    idle(page)

    page.get_by_test_id("stMain").get_by_text("Show where the errors are").click()
    expect(page.get_by_text("Top: original · middle: your model · bottom: PCA")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(SCALE_CAPTION)).to_have_count(0)
    idle(page)
    expect(page.locator(GRID_IMAGES)).to_have_count(8)
    shorter = page.locator(GRID_IMAGES).first.evaluate("image => image.naturalHeight / image.naturalWidth")
    assert 2.5 < shorter < 3.5  # original, model, PCA
    expect(page.get_by_test_id("stException")).to_have_count(0)
