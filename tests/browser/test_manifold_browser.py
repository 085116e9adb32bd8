"""The Manifold lab in a real browser: the roll (a still picture, then in 3-D on demand) and its five 2-D
embeddings render."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WAIT = 180_000  # ms: t-SNE, Isomap and LLE of 1,000 points on a busy CPU


def test_the_lab_renders_the_roll_and_its_embeddings(page, app_url, screenshot):
    page.goto(app_url)
    expect(page.get_by_test_id("stApp")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_text("Manifold lab").click()
    expect(page.get_by_role("heading", name="Manifold lab")).to_be_visible(timeout=WAIT)
    charts = page.get_by_test_id("stPlotlyChart")
    expect(charts).to_have_count(6, timeout=WAIT)  # the roll, the autoencoder, PCA, t-SNE, Isomap, LLE
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    expect(page.locator('[data-testid="stPlotlyChart"] .gl-container canvas').first).to_be_attached()
    for title in ("PCA", "t-SNE", "Isomap", "LLE"):
        expect(page.locator(".gtitle", has_text=title).first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    roll = charts.first
    expect(roll.locator(".scatterlayer .point")).to_have_count(1000)  # the still picture: 1,000 points in SVG
    expect(roll.locator("canvas")).to_have_count(0)  # no WebGL scene yet
    page.locator(".gtitle", has_text="LLE").first.scroll_into_view_if_needed()  # both rows of embeddings
    page.wait_for_timeout(1500)  # let WebGL paint before the picture
    screenshot(page, "manifold")

    page.get_by_test_id("stCheckbox").get_by_text("Turn it in 3-D", exact=True).click()
    expect(roll.locator(".gl-container canvas")).to_be_attached(timeout=WAIT)  # the 3-D scene, to drag
    expect(page.get_by_text("drag to rotate")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
