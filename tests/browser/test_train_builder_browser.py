"""The Train page's layer builder in a real browser: a course preset sets the layers, and the table shows
them with their parameter count before anything trains."""

import pytest
from app_steps import current, idle, open_digits_train_form
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_choosing_a_preset_shows_its_layers_before_training(page, app_url):
    open_digits_train_form(page, app_url)
    expect(current(page).get_by_text("37,448 parameters in all, before any training.")).to_be_visible()
    page.get_by_test_id("stButtonGroup").get_by_role("radio", name="conv AE with a 100-d code").click()
    expect(current(page).get_by_text("126,053 parameters in all, before any training.")).to_be_visible()
    expect(current(page).get_by_label("Name for the model")).to_have_value("conv AE digits 100-D")
    filters = "Filters per convolution stage, encoder side (each stage halves the image)"
    expect(current(page).get_by_role("textbox", name=filters)).to_have_value("32, 64")
    expect(current(page).get_by_test_id("stDataFrame")).to_be_visible()
    idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
