"""Two app replicas on one shared workspace and one Ray cluster (all on this machine): a
training started through one shows as running in the other, Stop there ends it, and the
model it saved is listed and opens there."""

import re

import pytest
from app_steps import choose_dataset, choose_model, current, idle, open_digits_train_form, start_training
from playwright.sync_api import expect

from latent_core import cluster
from latent_core.workspace import Workspace

pytestmark = pytest.mark.browser
PROGRESS = re.compile(r"^Epoch \d+/\d+")  # a training's progress line, not a text that mentions epochs
pytest.importorskip("ray")


def test_two_replicas_share_trainings_and_models(browser, serve_app, tmp_path, ray_address, screenshot):
    workspace = tmp_path / "shared-workspace"
    settings = {cluster.RAY_ADDRESS_ENV: ray_address, cluster.TRAINING_MEMORY_ENV: "1024",
                "RAY_USAGE_STATS_ENABLED": "0"}
    _, first_url = serve_app(workspace, lifetime_s=600, **settings)
    _, second_url = serve_app(workspace, lifetime_s=600, **settings)
    first, second = (browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
                     for _ in range(2))
    for tab in (first, second):
        tab.set_default_timeout(60_000)

    open_digits_train_form(first, first_url)
    sliders = current(first).get_by_test_id("stSlider")
    epochs, batch = sliders.nth(0).get_by_role("slider"), sliders.nth(1).get_by_role("slider")
    epochs.focus()
    epochs.press("End")  # 100 epochs: it runs until stopped
    idle(first)
    batch.focus()
    batch.press("Home")
    idle(first)
    start_training(first, "shared run")
    expect(first.get_by_role("heading", name="Training shared run…")).to_be_visible()
    expect(current(first).get_by_text(PROGRESS)).to_be_visible(timeout=120_000)  # the worker's progress reached it

    second.goto(f"{second_url}/train")  # the same user on the other replica
    expect(second.get_by_role("heading", name="Training shared run…")).to_be_visible()
    expect(current(second).get_by_text(PROGRESS)).to_be_visible()
    screenshot(second, "replica_takes_over")
    current(second).get_by_role("button", name="Stop").click()  # the page's, not the header's stop-the-run
    expect(second.get_by_text("Stopped. shared run keeps the weights")).to_be_visible(timeout=120_000)
    expect(first.get_by_text("Stopped. shared run keeps the weights")).to_be_visible(timeout=60_000)
    [entry] = Workspace(workspace).entries()
    assert entry.name == "shared run" and entry.stop_reason == "stopped" and not entry.in_progress

    second.goto(f"{second_url}/library")  # trained through the first replica, opened in the second
    expect(second.get_by_role("heading", name="Model library")).to_be_visible()
    choose_dataset(second, "Digits (8×8)")
    idle(second)
    choose_model(second, "★ shared run")
    expect(second.get_by_role("heading", name="Inside: ★ shared run")).to_be_visible()
    idle(second)
    expect(second.get_by_test_id("stException")).to_have_count(0)
    expect(first.get_by_test_id("stException")).to_have_count(0)
