"""The Generate page in a real browser: moving a slider repaints the class image and its verdict, and so
does choosing the class average at its typical distance."""

import re

import pytest
from app_steps import open_page_on
from playwright.sync_api import expect

from latent_core import pretrained

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the first run of a page imports TensorFlow and loads the model
SLIDER_IMAGE = '[data-testid="stImage"]:has-text("moved by the sliders") img'


def test_moving_a_direction_slider_changes_the_image(page, app_url, screenshot):
    if not any(entry.name == "mnist_conv_ae_32" for entry in pretrained.list_pretrained("mnist")):
        pytest.skip("no pretrained mnist_conv_ae_32 in pretrained/")
    open_page_on(page, app_url, dataset="MNIST digits", page_title="Generate")
    image = page.locator(SLIDER_IMAGE).first
    expect(image).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stMetricLabel").get_by_text("The classifier sees")).to_be_visible()
    before = image.get_attribute("src")

    slider = page.get_by_test_id("stSlider").locator('input[type="range"]').first
    slider.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    expect(image).not_to_have_attribute("src", before, timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stImage"] img')]
        .every(image => image.complete && image.naturalWidth > 0)""")
    screenshot(page, "generate")


def test_the_average_at_the_class_typical_distance_repaints_the_class_image(page, app_url):
    if not any(entry.name == "mnist_conv_ae_32" for entry in pretrained.list_pretrained("mnist")):
        pytest.skip("no pretrained mnist_conv_ae_32 in pretrained/")
    open_page_on(page, app_url, dataset="MNIST digits", page_title="Generate")
    image = page.locator(SLIDER_IMAGE).first
    expect(image).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("plain average lies at")).to_be_visible()
    before = image.get_attribute("src")

    page.get_by_test_id("stRadio").get_by_text("At the class's typical distance").click()
    expect(image).not_to_have_attribute("src", before, timeout=WAIT)
    expect(page).to_have_url(re.compile(r"average=typical"), timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
