"""The latent space over training in a real browser: train a tiny model, scrub its epochs and play them on the
Train page, then find the same history on the Latent map page."""

import re
import time

import pytest
from app_steps import current, go_to_page, idle, open_digits_train_form, start_training
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
REPAINT_S = 0.25


def point_positions(chart) -> list[tuple[float, float]]:
    """Where the first class's points are drawn (each marker's SVG translate, in pixels)."""
    transforms = chart.locator(".scatterlayer .trace").first.locator("path.point").evaluate_all(
        "points => points.map(point => point.getAttribute('transform'))")
    return [tuple(float(value) for value in re.findall(r"-?[\d.]+", transform)[:2]) for transform in transforms]


def same_places(first, second) -> bool:
    """Whether two drawings put every point within half a pixel of the same place."""
    return len(first) == len(second) and all(abs(a - b) < 0.5 for one, other in zip(first, second)
                                             for a, b in zip(one, other))


def shown_epoch(chart):
    """The scrubber's "Epoch: N" line."""
    return chart.locator(".slider-container text", has_text=re.compile("^Epoch: "))


def scrub_to(page, chart, epoch: int) -> float:
    """Click the scrubber's rail above the step labelled ``epoch``; seconds until the slider says so."""
    label = chart.locator(".slider-label-group text", has_text=re.compile(f"^{epoch}$")).bounding_box()
    rail = chart.locator(".slider-rail-touch-rect").bounding_box()
    started = time.perf_counter()
    page.mouse.click(label["x"] + label["width"] / 2, rail["y"] + rail["height"] / 2)
    expect(shown_epoch(chart)).to_have_text(f"Epoch: {epoch}")
    return time.perf_counter() - started


def check_scrubber(page, chart) -> None:
    expect(shown_epoch(chart)).to_have_text("Epoch: 2")  # the trained model first
    trained = point_positions(chart)
    assert scrub_to(page, chart, 0) < REPAINT_S * 4  # drawn in the browser, no server round trip (generous for CI)
    untrained = point_positions(chart)
    assert len(untrained) == len(trained) and not same_places(untrained, trained)  # the points moved
    chart.locator(".updatemenu-button", has_text="Play").click()
    expect(shown_epoch(chart)).to_have_text("Epoch: 2", timeout=10_000)
    deadline = time.monotonic() + 5
    while not same_places(point_positions(chart), trained) and time.monotonic() < deadline:  # the glide ends
        time.sleep(0.1)
    assert same_places(point_positions(chart), trained)


def test_train_a_tiny_model_and_scrub_through_its_epochs(page, app_url, screenshot):
    open_digits_train_form(page, app_url)
    epochs = current(page).get_by_test_id("stSlider").first.get_by_role("slider")
    epochs.focus()
    epochs.press("Home")
    epochs.press("ArrowRight")  # two epochs
    expect(epochs).to_have_value("2")
    idle(page)
    start_training(page, "history AE")
    expect(page.get_by_text("Finished history AE in")).to_be_visible(timeout=300_000)
    idle(page)
    chart = current(page).get_by_test_id("stPlotlyChart").filter(has=page.locator(".slider-container"))
    expect(chart).to_have_count(1)
    expect(current(page).get_by_text("What to look for")).to_be_visible()
    check_scrubber(page, chart)
    screenshot(page, "train_history")

    go_to_page(page, "Latent map", heading="The latent space over training", timeout=120_000)
    idle(page)
    chart = current(page).get_by_test_id("stPlotlyChart").filter(has=page.locator(".slider-container"))
    chart.scroll_into_view_if_needed()
    check_scrubber(page, chart)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "latent_map_history")
