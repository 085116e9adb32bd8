"""Drawing with a finger on tablets and phones: on Denoise the stroke comes back denoised, on the
Latent map a canvas scaled down to its narrow column still puts the ink where the finger went, and
nothing on these pages (nor on the Anomaly page's metrics) is clipped or cut."""

import pytest
from app_steps import choose_radio, idle
from playwright.sync_api import expect

from latent_core import pretrained

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the first run of a page imports TensorFlow and loads the model
SHOWN_IMAGES = '[data-testid="stMain"] [data-testid="stImage"] img'
CANVAS_PIXELS = 280  # the canvas's own size: what it sends back, however large it is shown
BRUSH = 18  # the Denoise page's pen width, in canvas pixels
SEVEN = ((0.25, 0.25), (0.75, 0.25), (0.45, 0.8))  # a '7' as fractions of the canvas shown

SCREENS = {  # name: (width, height, sidebar open, language)
    "ipad-sidebar-open": (810, 1080, True, "en"),
    "ipad-sidebar-closed": (810, 1080, False, "ko"),
    "tablet-768-sidebar-open": (768, 1024, True, "ko"),
    "phone": (390, 844, False, "en"),
}

INK_BOX = """(canvas) => {
    const {width, height} = canvas;
    const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
    let left = width, top = height, right = -1, bottom = -1;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
        if (pixels[(y * width + x) * 4] > 127) {
            left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
        }
    }
    return {width, height, box: [left, top, right, bottom]};
}"""

OVERFLOWS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const width = document.documentElement.clientWidth;
    const outside = [...main.querySelectorAll('[data-testid="stElementContainer"]')]
        .filter(element => element.offsetParent !== null)
        .map(element => [element, element.getBoundingClientRect()])
        .filter(([, box]) => box.width > 0 && (box.left < -0.5 || box.right > width + 0.5))
        .map(([element, box]) => `${element.innerText.slice(0, 30)} at ${box.left}..${box.right}`);
    return {scroll: [main.scrollWidth, main.clientWidth], outside};
}"""

CUT_TEXT = """() => [...document.querySelectorAll(
        '[data-testid="stMain"] [data-testid="stMetricLabel"], [data-testid="stMain"] [data-testid="stMetricValue"]')]
    .filter(metric => [metric, ...metric.querySelectorAll("*")].some(part => part.scrollWidth > part.clientWidth + 1))
    .map(metric => metric.innerText)"""

CANVAS_IN_ITS_BLOCK = """(canvas) => {
    const host = canvas.getRootNode().host;
    const block = host.closest('[data-testid="stVerticalBlock"]').getBoundingClientRect();
    const shown = canvas.getBoundingClientRect();
    const scroller = canvas.closest(".dc-scroll");
    return {inside: shown.left >= block.left - 0.5 && shown.right <= block.right + 0.5,
            shown: [shown.left, shown.right], block: [block.left, block.right],
            scrolls: scroller.scrollWidth > scroller.clientWidth + 1};
}"""


def sidebar_is_open(page) -> bool:
    box = page.get_by_test_id("stSidebar").bounding_box()
    return box is not None and box["x"] + box["width"] > 1


def set_sidebar(page, want_open: bool) -> None:
    """Open or close the sidebar as a person would, and wait until it has moved."""
    if want_open and not sidebar_is_open(page):
        page.get_by_test_id("stExpandSidebarButton").click()
    elif not want_open and sidebar_is_open(page):
        page.get_by_test_id("stSidebar").hover()
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    page.wait_for_function("""(open) => {  // the sidebar, and the main area beside it, have moved
        const side = document.querySelector('[data-testid="stSidebar"]').getBoundingClientRect();
        const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
        return open ? side.left === 0 && side.right > 1 && main.left === side.right : side.right <= 1 && main.left === 0;
    }""", arg=want_open)


def finger_stroke(page, points: list[tuple[float, float]]) -> None:
    """One finger put down at the first point, moved through the others and lifted (touch events)."""
    touch = page.context.new_cdp_session(page)
    first, *rest = points
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": first[0], "y": first[1]}]})
    previous = first
    for point in rest:
        for step in range(1, 11):
            x = previous[0] + (point[0] - previous[0]) * step / 10
            y = previous[1] + (point[1] - previous[1]) * step / 10
            touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        previous = point
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    touch.detach()


@pytest.fixture
def touch_page(browser, screen):
    """A page with a touch screen of the size ``SCREENS[screen]`` gives."""
    width, height, _, _ = SCREENS[screen]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def settled_box(page, locator) -> dict:
    """The on-screen box of ``locator`` once it has stopped moving (charts and expanders above it
    may still be laying out after the run has ended)."""
    box = locator.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(200)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    raise AssertionError(f"{locator} kept moving: last at {box}")


def draw_a_seven_with_a_finger(page) -> tuple[dict, list[tuple[float, float]]]:
    """A '7' drawn with a finger on the page's canvas; returns the canvas's box on screen and the finger's path."""
    canvas = page.locator("canvas.upper-canvas")
    canvas.scroll_into_view_if_needed()
    box = settled_box(page, canvas)
    finger = [(box["x"] + box["width"] * x, box["y"] + box["height"] * y) for x, y in SEVEN]
    finger_stroke(page, finger)
    return box, finger


def assert_canvas_fits_its_block(page) -> None:
    placed = page.locator("canvas.dc-canvas.lower-canvas").evaluate(CANVAS_IN_ITS_BLOCK)
    assert placed["inside"] and not placed["scrolls"], f"canvas {placed['shown']} clipped by its block {placed['block']}"


def assert_ink_under_the_finger(page, box: dict, finger: list[tuple[float, float]]) -> None:
    """The stroke's ink, in the canvas's own pixels, covers where the finger went (mapped through the scaling)."""
    ink = page.locator("canvas.dc-canvas.lower-canvas").evaluate(INK_BOX)
    assert (ink["width"], ink["height"]) == (CANVAS_PIXELS, CANVAS_PIXELS)  # drawings keep the canvas's own size
    scale = CANVAS_PIXELS / box["width"]
    xs = [(x - box["x"]) * scale for x, _ in finger]
    ys = [(y - box["y"]) * scale for _, y in finger]
    expected = [min(xs) - BRUSH / 2, min(ys) - BRUSH / 2, max(xs) + BRUSH / 2, max(ys) + BRUSH / 2]
    assert all(abs(got - want) <= 6 for got, want in zip(ink["box"], expected)), \
        f"ink at {ink['box']}, finger at {[round(value) for value in expected]} (canvas pixels)"


def assert_nothing_clipped_or_cut(page) -> None:
    overflow = page.evaluate(OVERFLOWS)
    assert overflow["scroll"][0] <= overflow["scroll"][1], f"the page scrolls sideways: {overflow['scroll']}"
    assert overflow["outside"] == []
    assert page.evaluate(CUT_TEXT) == []
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_a_finger_drawn_stroke_comes_back_denoised_and_nothing_is_clipped(touch_page, screen, app_url, screenshot):
    page = touch_page
    _, _, sidebar_open, language = SCREENS[screen]
    if not pretrained.list_pretrained("fashion_mnist"):
        pytest.skip("no pretrained Fashion-MNIST model in pretrained/")
    page.goto(f"{app_url}/denoise?lang={language}")  # Fashion-MNIST and its first model: the defaults
    expect(page.locator("canvas.upper-canvas")).to_be_visible(timeout=WAIT)
    idle(page)
    set_sidebar(page, sidebar_open)

    assert_canvas_fits_its_block(page)
    box, finger = draw_a_seven_with_a_finger(page)
    # the drawing as the model sees it, its noisy version, the output and where the output differs
    expect(page.locator(SHOWN_IMAGES)).to_have_count(4, timeout=WAIT)
    idle(page)
    assert_ink_under_the_finger(page, box, finger)
    assert_nothing_clipped_or_cut(page)
    screenshot(page, f"denoise-{screen}")


@pytest.mark.parametrize("screen", ["ipad-sidebar-open"])
def test_a_drawing_placed_on_the_latent_map_from_a_narrow_column_lands_under_the_finger(touch_page, screen, app_url,
                                                                                      screenshot):
    page = touch_page
    if not pretrained.list_pretrained("fashion_mnist"):
        pytest.skip("no pretrained Fashion-MNIST model in pretrained/")
    page.goto(f"{app_url}/latent_map")
    idle(page)
    page.get_by_text("Place an image onto the map").click()
    choose_radio(page, "Draw one")
    expect(page.locator("canvas.upper-canvas")).to_be_visible(timeout=WAIT)
    idle(page)

    assert_canvas_fits_its_block(page)
    box, finger = draw_a_seven_with_a_finger(page)
    assert box["width"] < CANVAS_PIXELS - 1  # shown scaled down to its column
    expect(page.get_by_text("Your drawing as the model sees it")).to_be_visible(timeout=WAIT)
    idle(page)
    assert_ink_under_the_finger(page, box, finger)
    assert_nothing_clipped_or_cut(page)
    screenshot(page, "latent-map-place-drawing-ipad")


@pytest.mark.parametrize("screen", ["ipad-sidebar-open"])
def test_the_anomaly_metrics_are_not_cut_on_a_tablet(touch_page, screen, app_url):
    page = touch_page
    if not pretrained.anomaly_models("fashion_mnist"):
        pytest.skip("no pretrained Fashion-MNIST anomaly detector in pretrained/")
    page.goto(f"{app_url}/anomaly")
    expect(page.get_by_test_id("stMetric")).to_have_count(5, timeout=WAIT)
    idle(page)
    assert_nothing_clipped_or_cut(page)
