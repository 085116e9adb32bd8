"""Bad files through the real file inputs: each gets its message, and the app keeps working."""

import pytest
from app_steps import choose_dataset, current, idle, open_sidebar_list
from playwright.sync_api import expect

from tests.bad_inputs import BY_ID

pytestmark = pytest.mark.browser


def send(page, case_id: str) -> None:
    """Put a bad file of the suite into the page's file input, as a user picking it would."""
    case = BY_ID[case_id]
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": case.filename, "mimeType": "application/octet-stream", "buffer": case.payload}])


def error_shown(page):
    return current(page).get_by_test_id("stAlertContentError")


def test_bad_datasets_and_models_get_their_message_and_the_app_keeps_working(page, app_url, screenshot):
    page.goto(app_url)  # the Data page comes first
    choose_dataset(page, "Digits (8×8)")
    expect(page.get_by_role("heading", name="Data: Digits (8×8)")).to_be_visible()
    idle(page)
    page.get_by_text("Use your own data").click()
    send(page, "npz_object_images")
    expect(error_shown(page)).to_contain_text("Could not use this file: objects.npz stores Python objects")
    idle(page)
    send(page, "zip_path_traversal")
    expect(error_shown(page)).to_contain_text("contains the unsafe path '../../evil.png'")
    idle(page)
    send(page, "npz_shadow_member")
    expect(error_shown(page)).to_contain_text("shadow.npz holds the members x.npy, x; an .npz for this app holds "
                                              "exactly x.npy and, optionally, y.npy")
    idle(page)
    send(page, "zip_pixel_bomb")
    expect(error_shown(page)).to_contain_text("pixels.zip holds 20,000 pictures of 335,544,320,000 pixels in all")
    idle(page)
    expect(page.get_by_role("heading", name="Data: Digits (8×8)")).to_be_visible()
    page.get_by_role("button", name="Show other examples").click()  # the page still answers
    idle(page)
    expect(current(page).get_by_test_id("stImage")).to_have_count(10)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "bad-dataset-upload")

    page.get_by_test_id("stSidebarNav").get_by_text("Model library").click()
    expect(page.get_by_role("heading", name="Inside: digits_ae_8")).to_be_visible()
    idle(page)
    page.get_by_text("Upload a model").click()
    send(page, "model_not_a_zip")
    expect(error_shown(page)).to_contain_text("Not a usable model: the uploaded file is not a Keras .keras file")
    idle(page)
    send(page, "model_wrong_input_shape")
    expect(error_shown(page)).to_contain_text("Does not fit this dataset: this model takes inputs of shape (28, 28, 1)")
    idle(page)
    expect(page.get_by_role("heading", name="Inside: digits_ae_8")).to_be_visible()
    open_sidebar_list(page, 1)  # the model picker
    expect(page.get_by_role("option", name="★")).to_have_count(0)  # no model of the user's was added
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "bad-model-upload")
