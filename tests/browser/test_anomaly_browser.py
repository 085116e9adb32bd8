"""The Anomaly detection page in a real browser: the most anomalous images with where they differ, and the
threshold slider changes the metrics, from nothing flagged at its top to everything flagged at its bottom,
and the score with the code's distance redraws them."""

import pytest
from app_steps import current, idle, open_page_on
from playwright.sync_api import expect

from latent_core import pretrained

pytestmark = pytest.mark.browser

WAIT = 90_000  # ms: the first run imports TensorFlow, loads or trains the detector and scores the test images
FLAGGED = "{flagged} of {total} images flagged;"


def metric(page, label: str):
    """The value of the metric labelled ``label``."""
    return (page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
            .get_by_test_id("stMetricValue"))


def metric_value(page, label: str) -> str:
    return metric(page, label).inner_text()


def flagged_caption(page):
    return current(page).get_by_test_id("stCaptionContainer").filter(has_text=" images flagged; ")


def test_the_threshold_slider_changes_the_metrics(page, app_url, screenshot):
    use_pretrained = bool(pretrained.anomaly_models("mnist"))
    open_page_on(page, app_url, dataset="MNIST digits" if use_pretrained else "Digits (8×8)", page_title="Anomaly detection")
    if not use_pretrained:
        page.get_by_role("button", name='Train a detector on "0"').click()
    expect(page.get_by_text("Recall", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(2, timeout=WAIT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    recall, accuracy, auroc = (metric_value(page, name) for name in ("Recall", "Accuracy", "AUROC"))
    total = int(flagged_caption(page).inner_text().split(" of ")[1].split(" ")[0])
    assert float(auroc) > 0.8
    expect(page.get_by_text("From the top: the image · the detector's reconstruction · where they differ")).to_be_visible()
    screenshot(page, "anomaly")

    slider = page.get_by_test_id("stSlider").locator('input[type="range"]')
    slider.focus()
    page.keyboard.press("End")  # the highest threshold: nothing is flagged
    expect(metric(page, "Recall")).to_have_text("0.0%", timeout=WAIT)
    expect(flagged_caption(page)).to_contain_text(FLAGGED.format(flagged=0, total=total))
    assert recall != "0.0%"
    assert metric_value(page, "AUROC") == auroc
    assert metric_value(page, "Accuracy") != accuracy

    idle(page)
    slider.focus()
    page.keyboard.press("Home")  # the lowest threshold: every image is flagged
    expect(metric(page, "Recall")).to_have_text("100.0%", timeout=WAIT)
    expect(flagged_caption(page)).to_contain_text(FLAGGED.format(flagged=total, total=total))
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_detector_trained_here_shows_its_progress_then_its_results(page, app_url):
    open_page_on(page, app_url, dataset="Digits (8×8)", page_title="Anomaly detection")
    page.get_by_role("button", name='Train a detector on "0"').click()
    expect(page.get_by_text('Training on "0" images only…')).to_be_visible(timeout=WAIT)  # a job in the queue
    expect(current(page).get_by_role("button", name="Stop")).to_be_visible()  # the page's, not the header's
    expect(page.get_by_text("Recall", exact=True)).to_be_visible(timeout=WAIT)  # the page reran when it was done
    expect(page.get_by_text("Detector trained here on ", exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_the_score_with_the_code_distance_redraws_the_metrics_and_the_threshold(page, app_url):
    if not pretrained.anomaly_models("mnist"):
        pytest.skip("no pretrained mnist anomaly detectors in pretrained/")
    open_page_on(page, app_url, dataset="MNIST digits", page_title="Anomaly detection")
    expect(page.get_by_text("Recall", exact=True)).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=WAIT)
    auroc = metric_value(page, "AUROC")

    page.get_by_test_id("stRadio").get_by_text("Error and code distance").click()
    expect(page.get_by_text("Threshold (error and code distance)")).to_be_visible(timeout=WAIT)
    expect(metric(page, "AUROC")).not_to_have_text(auroc, timeout=WAIT)
    expect(page.get_by_text("Most anomalous test images (highest score first)")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
