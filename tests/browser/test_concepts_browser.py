"""The Concepts page in a real browser: the KL widget reacts to its sliders."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WAIT = 90_000


def test_kl_widget_reacts_to_a_slider(page, app_url, screenshot):
    page.goto(app_url)
    expect(page.get_by_test_id("stApp")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_text("Concepts").click()
    expect(page.get_by_role("heading", name="Concepts")).to_be_visible(timeout=WAIT)
    forward = page.get_by_test_id("stMetric").filter(has=page.get_by_text("KL(P‖Q)", exact=True)) \
        .get_by_test_id("stMetricValue")
    expect(forward).to_have_text("0.217", timeout=WAIT)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    screenshot(page, "concepts")
    page.get_by_test_id("stSlider").locator('input[type="range"]').first.focus()
    page.keyboard.press("End")
    expect(forward).not_to_have_text("0.217", timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)


def test_a_tab_is_drawn_when_it_is_opened(page, app_url):
    page.goto(app_url)
    page.get_by_test_id("stSidebarNav").get_by_text("Concepts").click()
    expect(page.get_by_role("heading", name="Concepts")).to_be_visible(timeout=WAIT)
    bce = page.get_by_test_id("stMetric").filter(has=page.get_by_text("BCE", exact=True))
    expect(page.get_by_test_id("stMetric").filter(has=page.get_by_text("KL(P‖Q)", exact=True))).to_be_visible(
        timeout=WAIT)
    expect(bce).to_have_count(0)  # only the open tab is drawn
    page.get_by_role("tab", name="BCE vs MSE").click()
    expect(bce).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
