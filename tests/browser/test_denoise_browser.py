"""The Denoise page in a real browser: a stroke drawn with the mouse comes back denoised, with where it differs."""

import pytest
from app_steps import draw_seven, open_page_on
from playwright.sync_api import expect

from latent_core import pretrained

pytestmark = pytest.mark.browser

WAIT = 60_000  # ms: the first run of a page imports TensorFlow and loads the model
CANVAS_SIZE = 280
SHOWN_IMAGES = '[data-testid="stMain"] [data-testid="stImage"] img'


def open_denoise_on_mnist(page, app_url) -> None:
    if not pretrained.list_pretrained("mnist"):
        pytest.skip("no pretrained MNIST model in pretrained/")
    open_page_on(page, app_url, dataset="MNIST digits", page_title="Denoise")


def wait_for_canvas(page):
    """The drawing canvas, once it is on screen at its full size (it lives in a shadow root)."""
    canvas = page.locator("canvas").last
    expect(canvas).to_be_visible(timeout=WAIT)
    box = canvas.bounding_box()
    assert box["width"] >= CANVAS_SIZE - 1 and box["height"] >= CANVAS_SIZE - 1
    return canvas


def test_canvas_is_there_on_the_first_visit_with_a_hint(page, app_url):
    open_denoise_on_mnist(page, app_url)
    wait_for_canvas(page)
    expect(page.get_by_text("Draw something on the canvas to see it denoised.")).to_be_visible(timeout=WAIT)
    expect(page.locator(SHOWN_IMAGES)).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_the_canvas_toolbar_shown_on_hover_leaves_the_caption_above_readable(page, app_url):
    open_denoise_on_mnist(page, app_url)
    canvas = wait_for_canvas(page)
    caption = page.get_by_text("Draw with the mouse (or a finger) in white on black")
    canvas.hover()
    toolbar = page.locator(".dc-toolbar-card")  # inside the canvas's shadow root
    page.wait_for_function("""() => {
        const host = [...document.querySelectorAll("*")].find(element => element.shadowRoot?.querySelector(".dc-toolbar"));
        return getComputedStyle(host.shadowRoot.querySelector(".dc-toolbar")).opacity === "1";
    }""")
    above, bar = caption.bounding_box(), toolbar.bounding_box()
    assert bar["y"] >= above["y"] + above["height"], f"toolbar at y={bar['y']} covers the caption ending at {above}"


def test_a_stroke_drawn_with_the_mouse_comes_back_denoised(page, app_url, screenshot):
    open_denoise_on_mnist(page, app_url)
    draw_seven(page, wait_for_canvas(page))
    expect(page.get_by_text("Denoised output")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Where the output differs from the clean image")).to_be_visible(timeout=WAIT)
    expect(page.locator(SHOWN_IMAGES)).to_have_count(4, timeout=WAIT)
    expect(page.get_by_text("Draw something on the canvas")).to_have_count(0)
    expect(page.get_by_text("Output PSNR")).to_be_visible()

    noisy = page.locator(SHOWN_IMAGES).nth(1)
    before = noisy.get_attribute("src")
    slider = page.get_by_test_id("stSlider").locator('input[type="range"]')
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(noisy).not_to_have_attribute("src", before, timeout=WAIT)
    expect(page.locator(SHOWN_IMAGES)).to_have_count(4)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    screenshot(page, "denoise")


def test_the_page_offers_the_unet_and_explains_it_with_the_librarys_figures(page, app_url):
    unet = next((entry for entry in pretrained.list_pretrained("mnist") if entry.kind == "unet_denoiser"), None)
    if unet is None:
        pytest.skip("no pretrained MNIST U-Net denoiser in pretrained/")
    open_denoise_on_mnist(page, app_url)
    expect(page.get_by_text(f"Any autoencoder removes some noise, but {unet.name}")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="Use it").click()
    expect(page.get_by_text("Any autoencoder removes some noise")).to_have_count(0, timeout=WAIT)
    page.get_by_text("Why the skip-connection denoiser beats the bottleneck one").click()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible(timeout=WAIT)
    per_image = unet.metrics["mean_psnr_denoised_0.2"]
    expect(page.get_by_text(f"reaches {per_image:.1f} dB at σ = 0.2")).to_be_visible()
    canvas = wait_for_canvas(page)
    canvas.scroll_into_view_if_needed()  # the open explanation pushes the canvas down
    draw_seven(page, canvas)
    expect(page.locator(SHOWN_IMAGES)).to_have_count(4, timeout=WAIT)
    expect(page.get_by_test_id("stException")).to_have_count(0)
