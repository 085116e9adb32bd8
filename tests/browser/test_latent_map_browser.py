"""The Latent map page in a real browser: a pretrained model's precomputed map, a lasso selection and the
map coloured by the neighbours it kept."""

import pytest
from app_steps import idle, open_page_on
from playwright.sync_api import expect

from latent_core import pretrained

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the first run of a page imports TensorFlow and loads the model
POINTS_DRAWN = """() => {
    const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return plot && plot._fullData ? plot._fullData.reduce((sum, trace) => sum + (trace._length || 0), 0) : 0;
}"""


def open_latent_map(page, app_url) -> None:
    open_page_on(page, app_url, dataset="MNIST digits", page_title="Latent map")


def test_a_pretrained_map_renders_its_points_and_a_lasso_selects_some(page, app_url, screenshot):
    mnist = {entry.name: entry for entry in pretrained.list_pretrained("mnist")}
    if "mnist_conv_ae_32" not in mnist:
        pytest.skip("no pretrained mnist_conv_ae_32 in pretrained/")
    open_latent_map(page, app_url)
    expect(page.get_by_text("2,000 codes of the bundled sample of test images, precomputed")).to_be_visible(
        timeout=WAIT)
    page.wait_for_function(f"() => ({POINTS_DRAWN})() === 2000", timeout=WAIT)
    expect(page.locator('[data-testid="stPlotlyChart"] canvas').first).to_be_visible()
    expect(page.get_by_text("Click a point to see its image")).to_be_visible()

    page.locator('[data-testid="stPlotlyChart"] .nsewdrag').first.hover()
    page.locator('[data-testid="stPlotlyChart"] .modebar-btn[data-val="lasso"]').first.click()
    area = page.locator('[data-testid="stPlotlyChart"] .nsewdrag').first.bounding_box()
    left, top = area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3
    page.mouse.move(left, top)
    page.mouse.down()
    for dx, dy in ((0.4, 0.0), (0.4, 0.4), (0.0, 0.4), (0.0, 0.05)):
        page.mouse.move(left + area["width"] * dx, top + area["height"] * dy, steps=8)
    page.mouse.up()
    expect(page.get_by_text("The mean of the ")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("heading", name="selected")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    screenshot(page, "latent_map")


def test_the_map_is_coloured_by_the_neighbours_it_kept(page, app_url, screenshot):
    mnist = {entry.name: entry for entry in pretrained.list_pretrained("mnist")}
    if "mnist_conv_ae_32" not in mnist:
        pytest.skip("no pretrained mnist_conv_ae_32 in pretrained/")
    open_latent_map(page, app_url)
    page.wait_for_function(f"() => ({POINTS_DRAWN})() === 2000", timeout=WAIT)
    idle(page)
    page.get_by_test_id("stMain").get_by_text("Neighbours kept", exact=True).click()
    trust = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Trustworthiness of the map"))
    expect(trust).to_be_visible(timeout=WAIT)
    assert 0.5 < float(trust.get_by_test_id("stMetricValue").inner_text()) <= 1.0
    expect(page.get_by_text("Do not over-read t-SNE distances")).to_be_visible()
    page.wait_for_function("""() => {
        const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
        return plot && plot._fullData && plot._fullData.length === 1 && plot._fullData[0]._length === 2000
            && plot._fullData[0].marker.cmax === 1;
    }""", timeout=WAIT)
    expect(page.locator('[data-testid="stPlotlyChart"] .colorbar')).to_have_count(1)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    idle(page)
    screenshot(page, "latent_map_trust")


def test_the_thumbnail_layer_draws_images_on_the_map_and_a_click_shows_one(page, app_url, screenshot):
    mnist = {entry.name: entry for entry in pretrained.list_pretrained("mnist")}
    if "mnist_conv_ae_32" not in mnist:
        pytest.skip("no pretrained mnist_conv_ae_32 in pretrained/")
    open_latent_map(page, app_url)
    page.wait_for_function(f"() => ({POINTS_DRAWN})() === 2000", timeout=WAIT)
    idle(page)
    page.get_by_test_id("stMain").get_by_text("Their images", exact=True).click()
    thumbnails = page.locator('[data-testid="stPlotlyChart"] .layer-above image')
    expect(thumbnails).to_have_count(300, timeout=WAIT)
    page.wait_for_function(f"() => ({POINTS_DRAWN})() === 2000", timeout=WAIT)  # the dots stay under them
    expect(page.get_by_text("picked farthest from those before it")).to_be_visible()
    idle(page)
    page.get_by_test_id("stPlotlyChart").first.scroll_into_view_if_needed()
    box = thumbnails.nth(0).bounding_box()  # the first pick: the point nearest the map's centre
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_text("Its code, decoded")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    idle(page)
    screenshot(page, "latent_map_thumbnails")
