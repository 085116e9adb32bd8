"""The app in a real browser: it starts, renders its images and switches language."""

import pytest
from app_steps import choose_dataset
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ALL_IMAGES_LOADED = """() => {
    const images = [...document.querySelectorAll('[data-testid="stImage"] img')];
    return images.length > 0 && images.every(image => image.complete && image.naturalWidth > 0);
}"""


def wait_for_app(page) -> None:
    expect(page.get_by_test_id("stApp")).to_be_visible()
    page.wait_for_selector('[data-testid="stImage"] img')
    page.wait_for_function(ALL_IMAGES_LOADED)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)


def test_data_page_renders_the_sample_grid(page, app_url, screenshot):
    outside = []
    page.on("request", lambda request: None if request.url.startswith(app_url) or request.url.startswith("data:")
            else outside.append(request.url))
    page.goto(app_url)
    wait_for_app(page)
    assert outside == []  # everything the page needs comes from the app itself (it works offline)
    expect(page.get_by_role("heading", name="Data: Fashion-MNIST")).to_be_visible()
    assert page.locator('[data-testid="stImage"] img').count() == 10
    expect(page.get_by_text("0: T-shirt/top")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "data-page")


def test_language_switch_changes_the_whole_page(page, app_url, screenshot):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_text("한국어").click()
    expect(page.get_by_role("heading", name="데이터: 패션 MNIST")).to_be_visible()
    expect(page.get_by_text("0: 티셔츠/탑")).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("데이터셋", exact=True)).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "data-page-ko")
    assert "lang=ko" in page.url


def test_choosing_another_dataset(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    choose_dataset(page, "Digits (8×8)")
    expect(page.get_by_role("heading", name="Data: Digits (8×8)")).to_be_visible()
    expect(page.get_by_text("1,437")).to_be_visible()
    wait_for_app(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
