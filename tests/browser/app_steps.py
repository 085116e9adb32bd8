"""Steps the browser tests share: pick a dataset in the sidebar, open a page on it, start a training,
draw on a canvas."""

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

CURRENT = '[data-testid="stElementContainer"]:not([data-stale="true"])'
"""Elements drawn by the latest run; during a rerun Streamlit keeps the previous run's on screen, marked stale."""


def current(page):
    """A locator of the elements the latest script run drew (stale leftovers excluded)."""
    return page.locator(CURRENT)


def idle(page) -> None:
    """Wait until no script run is in progress (Streamlit's running indicator is gone)."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


def open_digits_train_form(page, url: str) -> None:
    """The Train page on 8×8 digits, once its form has been redrawn for digits and the run has ended.

    The default model name names the dataset, so its value shows that the form is the new one.
    """
    page.goto(f"{url}/train")
    choose_dataset(page, "Digits (8×8)")
    expect(page.get_by_role("heading", name="Train a model")).to_be_visible()
    expect(current(page).get_by_label("Name for the model")).to_have_value("dense AE digits 8-D")
    idle(page)


def choose_dataset(page, title: str) -> None:
    """Pick ``title`` in the sidebar's dataset selectbox (the first of its selectboxes)."""
    choose_in_sidebar(page, 0, title)


def choose_model(page, title: str) -> None:
    """Pick ``title`` in the sidebar's model selectbox (the second of its selectboxes)."""
    choose_in_sidebar(page, 1, title)


def choose_in_sidebar(page, position: int, title: str, *, attempts: int = 3) -> None:
    """Pick ``title`` in the sidebar selectbox at ``position``.

    A run that redraws the sidebar while its list is open closes the list (a first visit runs
    the page more than once), so the list is opened once the page is idle, and again if it closed.
    """
    selectbox = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(position)
    option = page.get_by_role("option", name=title)
    for attempt in range(attempts):
        expect(selectbox).to_be_visible(timeout=60_000)
        idle(page)
        selectbox.click()
        try:
            option.click(timeout=15_000)
            return
        except PlaywrightTimeoutError:
            if attempt == attempts - 1:
                raise


def open_sidebar_list(page, position: int, *, attempts: int = 3) -> None:
    """Open the list of the sidebar selectbox at ``position`` and wait until the page is idle
    with the list still open (opened again if a rerun closed it), so its options can be read."""
    selectbox = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(position)
    for attempt in range(attempts):
        expect(selectbox).to_be_visible(timeout=60_000)
        idle(page)
        selectbox.click()
        try:
            expect(page.get_by_role("option").first).to_be_visible(timeout=15_000)
            idle(page)
            expect(page.get_by_role("option").first).to_be_visible(timeout=1_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def choose_radio(page, label: str, *, attempts: int = 3) -> None:
    """Click the radio option ``label`` once the page is idle, and again if the run that follows
    redrew the radio with its old choice (a first visit runs the page more than once)."""
    option = current(page).get_by_role("radio", name=label, exact=True)
    for attempt in range(attempts):
        idle(page)
        current(page).get_by_text(label, exact=True).click()
        try:
            expect(option).to_be_checked(timeout=15_000)
            idle(page)
            expect(option).to_be_checked(timeout=1_000)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def open_page_on(page, app_url: str, *, dataset: str, page_title: str) -> None:
    """Start the app, choose ``dataset`` and go to the page titled ``page_title`` by its navigation link."""
    page.goto(app_url)
    expect(page.get_by_test_id("stApp")).to_be_visible()
    choose_dataset(page, dataset)
    go_to_page(page, page_title)


def go_to_page(page, page_title: str, *, heading: str | None = None, timeout: float | None = None) -> None:
    """Follow the sidebar's link to the page titled ``page_title`` and wait for its ``heading``
    (the title unless given)."""
    page.get_by_test_id("stSidebarNav").get_by_text(page_title).click()
    expect(page.get_by_role("heading", name=heading or page_title)).to_be_visible(timeout=timeout)


def start_training(page, name: str) -> None:
    """On the Train page, name the model ``name`` (Enter sends it), wait for the rerun, and press
    Start training."""
    field = current(page).get_by_label("Name for the model")
    field.fill(name)
    field.press("Enter")
    expect(field).to_have_value(name)
    idle(page)
    page.get_by_role("button", name="Start training").click()


def draw_seven(page, canvas) -> None:
    """A '7' drawn with the mouse on the canvas."""
    box = canvas.bounding_box()
    left, top = box["x"], box["y"]
    page.mouse.move(left + 70, top + 70)
    page.mouse.down()
    page.mouse.move(left + 210, top + 70, steps=12)
    page.mouse.move(left + 130, top + 230, steps=12)
    page.mouse.up()
