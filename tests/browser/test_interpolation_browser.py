"""The Generate page's interpolation meter in a real browser: the path's strips and error chart, and a
switch to slerp repainting them."""

import pytest
from app_steps import current, idle, open_page_on
from playwright.sync_api import expect

from latent_core import pretrained

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the first run of a page imports TensorFlow and loads the model
LATENT_STRIP = '[data-testid="stImage"]:has-text("Latent space: the decoded image") img'


def test_the_meter_measures_a_path_and_repaints_for_slerp(page, app_url, screenshot):
    if not any(entry.name == "digits_ae_8" for entry in pretrained.list_pretrained("digits")):
        pytest.skip("no pretrained digits_ae_8 in pretrained/")
    open_page_on(page, app_url, dataset="Digits (8×8)", page_title="Generate")
    page.get_by_role("tab", name="Interpolation meter").click()
    strip = current(page).locator(LATENT_STRIP).first
    expect(strip).to_be_visible(timeout=WAIT)
    expect(current(page).get_by_test_id("stMetricLabel").get_by_text("Largest re-encoding error")).to_be_visible()
    expect(current(page).get_by_test_id("stPlotlyChart").first).to_be_visible()
    idle(page)
    before = strip.get_attribute("src")

    current(page).get_by_text("Slerp (spherical)").click()
    expect(current(page).locator(LATENT_STRIP).first).not_to_have_attribute("src", before, timeout=WAIT)
    idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "interpolation-meter")
