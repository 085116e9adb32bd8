"""A shared link in a real browser: the sidebar's "Share this view" link, opened in a fresh browser, shows the
same picture (the same dataset, model, class and slider positions; on the Latent map the epoch the latent space
over training opens at) and carries no workspace key."""

import re

import pytest
from app_steps import current, idle
from playwright.sync_api import expect

from latent_core import history, pretrained
from test_history_browser import point_positions, same_places, shown_epoch

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the first run of a page imports TensorFlow and loads the model
CHOSEN = """box => [box.innerText, ...[...box.querySelectorAll('input')].map(input => input.value)].join(' ')"""
SLIDER_IMAGE = '[data-testid="stImage"]:has-text("moved by the sliders") img'


def view_of(page) -> dict:
    """What the Generate page shows: the chosen class, the direction sliders' positions and the image's address
    (Streamlit names a picture by a hash of its bytes, so the same picture has the same address)."""
    idle(page)
    image = current(page).locator(SLIDER_IMAGE).first
    expect(image).to_be_visible(timeout=WAIT)
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stImage"] img')]
        .every(image => image.complete && image.naturalWidth > 0)""")
    main = page.get_by_test_id("stMain")
    return {"class": main.get_by_test_id("stSelectbox").first.evaluate(CHOSEN),
            "sliders": main.get_by_test_id("stSliderThumbValue").all_inner_texts(),
            "image": image.get_attribute("src").split("?")[0],
            "model": page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1).evaluate(CHOSEN)}


def test_a_shared_generate_link_opens_the_same_picture_without_the_workspace_key(browser, serve_app, tmp_path,
                                                                                 screenshot):
    if not any(entry.name == "fashion_mnist_conv_ae_32" for entry in pretrained.list_pretrained("fashion_mnist")):
        pytest.skip("no pretrained fashion_mnist_conv_ae_32 in pretrained/")
    _, url = serve_app(tmp_path / "workspace", LATENT_EXPLORER_HOSTED="1")
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
    teacher.goto(f"{url}/generate")
    expect(teacher.locator(SLIDER_IMAGE).first).to_be_visible(timeout=WAIT)
    idle(teacher)
    teacher.get_by_test_id("stMain").get_by_test_id("stSelectbox").first.click()
    teacher.get_by_role("option", name="Sneaker").click()
    idle(teacher)
    # The class's run has written it to the address before the sliders move (as at a person's pace).
    expect(teacher).to_have_url(re.compile(r"[?&]class=7(&|$)"), timeout=WAIT)
    slider = teacher.get_by_test_id("stSlider").locator('input[type="range"]').nth(1)
    slider.focus()
    for _ in range(7):
        teacher.keyboard.press("ArrowRight")
    expect(teacher.get_by_test_id("stMain").get_by_test_id("stSliderThumbValue").nth(1)).to_have_text(
        re.compile(r"^0\.70?$"))
    shown = view_of(teacher)
    assert "Sneaker" in shown["class"] and re.fullmatch(r"0\.70?", shown["sliders"][1])
    assert "user=" in teacher.url  # hosted without sign-in: the workspace key is in the teacher's address

    teacher.get_by_test_id("stSidebar").get_by_text("Share this view").click()
    code = teacher.get_by_test_id("stSidebar").get_by_test_id("stCode")
    expect(code).to_contain_text("dir=0,0.7", timeout=WAIT)  # the address follows the slider
    link = code.inner_text().strip()
    assert "user=" not in link
    assert "class=7" in link and "model=pretrained:fashion_mnist_conv_ae_32" in link

    student_context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    student = student_context.new_page()
    student.goto(link)
    expect(student.locator(SLIDER_IMAGE).first).to_be_visible(timeout=WAIT)
    assert view_of(student) == shown
    teacher_key = teacher.url.split("user=")[1].split("&")[0]
    assert "user=" in student.url and teacher_key not in student.url  # a workspace of the student's own
    expect(student.get_by_test_id("stException")).to_have_count(0)
    screenshot(student, "shared_link")
    student_context.close()
    teacher.context.close()


def opened_epoch(page):
    """The Latent map's "Picture opens at epoch" control."""
    return current(page).get_by_test_id("stSlider").filter(has_text="Picture opens at epoch")


def history_chart(page):
    """The figure of the latent space over training, once the page has drawn it (a locator, so it finds the
    chart again after a rerun redraws it)."""
    chart = current(page).get_by_test_id("stPlotlyChart").filter(has=page.locator(".slider-container"))
    expect(chart).to_have_count(1, timeout=WAIT)
    return chart


def test_a_shared_latent_map_link_opens_the_history_at_the_same_epoch(browser, serve_app, tmp_path, screenshot):
    entry = next((entry for entry in pretrained.list_pretrained("digits") if entry.name == "digits_ae_8"), None)
    if entry is None or history.load_history(pretrained.PRETRAINED_DIR / entry.path) is None:
        pytest.skip("no pretrained digits_ae_8 with a history in pretrained/")
    epochs = [int(epoch) for epoch in history.load_history(pretrained.PRETRAINED_DIR / entry.path).epochs]
    chosen = epochs[2]
    _, url = serve_app(tmp_path / "workspace", LATENT_EXPLORER_HOSTED="1")
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
    teacher.goto(f"{url}/latent_map?dataset=digits&model=pretrained:digits_ae_8&map=pca")
    chart = history_chart(teacher)
    expect(shown_epoch(chart)).to_have_text(f"Epoch: {epochs[-1]}")  # the trained model first
    control = opened_epoch(teacher).get_by_role("slider")
    control.focus()
    control.press("Home")
    control.press("ArrowRight")
    control.press("ArrowRight")
    expect(opened_epoch(teacher).get_by_test_id("stSliderThumbValue")).to_have_text(str(chosen))
    idle(teacher)
    chart = history_chart(teacher)
    # A list of one: wait until a single chart says so (while a rerun draws, the old chart can still be there).
    expect(shown_epoch(chart)).to_have_text([f"Epoch: {chosen}"], timeout=WAIT)  # the picture opens there
    places = point_positions(chart)

    teacher.get_by_test_id("stSidebar").get_by_text("Share this view").click()
    code = teacher.get_by_test_id("stSidebar").get_by_test_id("stCode")
    expect(code).to_contain_text(f"epoch={chosen}", timeout=WAIT)
    link = code.inner_text().strip()
    assert "user=" not in link and "model=pretrained:digits_ae_8" in link

    student_context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    student = student_context.new_page()
    student.goto(link)
    chart = history_chart(student)
    expect(shown_epoch(chart)).to_have_text([f"Epoch: {chosen}"], timeout=WAIT)
    expect(opened_epoch(student).get_by_test_id("stSliderThumbValue")).to_have_text(str(chosen))
    assert same_places(point_positions(chart), places)  # the same picture, not only the same label
    chart.locator(".updatemenu-button", has_text="Play").click()  # Play still runs in the browser
    expect(shown_epoch(chart)).to_have_text(f"Epoch: {epochs[-1]}", timeout=30_000)
    expect(opened_epoch(student).get_by_test_id("stSliderThumbValue")).to_have_text(str(chosen))
    expect(student.get_by_test_id("stException")).to_have_count(0)
    screenshot(student, "shared_latent_map_epoch")
    student_context.close()
    teacher.context.close()
