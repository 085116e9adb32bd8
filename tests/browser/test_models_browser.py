"""Model library and training in a real browser: look inside a model, train one, download it."""

import pytest
from app_steps import choose_dataset, current, go_to_page, idle, open_digits_train_form, start_training
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_library_shows_inside_a_pretrained_model(page, app_url, screenshot):
    page.goto(f"{app_url}/library")
    expect(page.get_by_role("heading", name="Model library")).to_be_visible()
    choose_dataset(page, "Digits (8×8)")
    expect(page.get_by_role("heading", name="Inside: digits_ae_8")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").nth(1)).to_be_visible()  # the architecture table
    idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "library")


def test_train_a_digits_model_end_to_end_and_download_it(page, app_url, screenshot):
    open_digits_train_form(page, app_url)
    epochs = current(page).get_by_test_id("stSlider").first.get_by_role("slider")
    epochs.focus()
    epochs.press("Home")  # one epoch
    expect(epochs).to_have_value("1")
    idle(page)
    start_training(page, "browser AE")
    expect(page.get_by_role("heading", name="Training browser AE…")).to_be_visible()
    expect(page.get_by_text("Finished browser AE in")).to_be_visible(timeout=300_000)
    screenshot(page, "train")

    go_to_page(page, "Model library", heading="Inside: ★ browser AE")
    idle(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .keras").click()
    download = download_info.value
    assert download.suggested_filename == "browser AE.keras"
    with open(download.path(), "rb") as handle:
        assert handle.read(2) == b"PK"  # a .keras file is a zip archive
    expect(page.get_by_test_id("stException")).to_have_count(0)
