"""A server killed in the middle of a training run: the restarted server lists the model.
Hosted, a student's models come back with the address that holds their key, and only with it."""

import re
import signal
import time

import pytest
from app_steps import (choose_dataset, choose_model, current, idle, open_digits_train_form, open_sidebar_list,
                       start_training)
from playwright.sync_api import expect

from latent_core.workspace import Workspace

pytestmark = pytest.mark.browser


def wait_for_checkpoint(workspace, epochs: int, seconds: float = 180):
    """The workspace entry of the run once it holds ``epochs`` finished epochs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [entry for entry in Workspace(workspace).entries() if (entry.epochs_completed or 0) >= epochs]
        if found:
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"no checkpoint of {epochs} epochs within {seconds:.0f} s")


def test_a_training_survives_the_server_being_killed(page, serve_app, tmp_path, screenshot):
    workspace = tmp_path / "workspace"
    server, url = serve_app(workspace)
    open_digits_train_form(page, url)
    sliders = current(page).get_by_test_id("stSlider")
    epochs, batch = sliders.nth(0).get_by_role("slider"), sliders.nth(1).get_by_role("slider")
    epochs.focus()
    epochs.press("End")  # 100 epochs: far more than the test waits for
    idle(page)
    batch.focus()
    batch.press("Home")  # batches of 16: slow enough epochs to stop in the middle
    idle(page)
    start_training(page, "survives a crash")
    expect(page.get_by_role("heading", name="Training survives a crash…")).to_be_visible()

    checkpoint = wait_for_checkpoint(workspace, epochs=2)
    server.send_signal(signal.SIGKILL)  # the whole server dies mid-run
    server.wait(30)
    saved = Workspace(workspace).entries()
    assert [entry.id for entry in saved] == [checkpoint.id]
    assert saved[0].in_progress and 2 <= saved[0].epochs_completed < 100

    _, url = serve_app(workspace)  # a new server on the same workspace
    page.goto(f"{url}/library")
    expect(page.get_by_role("heading", name="Model library")).to_be_visible()
    choose_dataset(page, "Digits (8×8)")
    idle(page)
    label = f"★ survives a crash · dense AE, 8-D · unfinished, {saved[0].epochs_completed} of 100 epochs"
    choose_model(page, label)
    expect(page.get_by_role("heading", name=re.compile("^Inside: ★ survives a crash"))).to_be_visible()
    idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "library_after_restart")


def test_a_hosted_students_models_come_back_with_their_address(browser, serve_app, tmp_path, screenshot):
    workspace = tmp_path / "workspace"
    _, url = serve_app(workspace, LATENT_EXPLORER_HOSTED="1")
    student = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
    student.set_default_timeout(60_000)
    open_digits_train_form(student, url)
    expect(student.get_by_text("Shared classroom server")).to_be_visible()
    expect(student.get_by_text("Classroom limits on this server: at most 20 epochs")).to_be_visible()
    epochs = current(student).get_by_test_id("stSlider").nth(0).get_by_role("slider")
    epochs.focus()
    epochs.press("Home")
    idle(student)
    start_training(student, "my homework")
    expect(student.get_by_text("Finished my homework in")).to_be_visible(timeout=300_000)
    key = re.search(r"[?&]user=([0-9a-f]{32})", student.url).group(1)
    assert [entry.name for entry in Workspace(workspace / "users" / key).entries()] == ["my homework"]

    student.goto(f"{url}/library?user={key}")  # the bookmark, in a new visit
    choose_dataset(student, "Digits (8×8)")
    choose_model(student, "★ my homework · dense AE, 8-D")
    expect(student.get_by_role("heading", name="Inside: ★ my homework · dense AE, 8-D")).to_be_visible()
    idle(student)
    screenshot(student, "hosted_library")
    student.get_by_test_id("stSidebar").get_by_text("Share this view").click()  # the same view, not the models
    expect(student.get_by_test_id("stSidebar").get_by_test_id("stCode")).to_have_text(f"{url}/library?lang=en&dataset=digits")

    classmate = browser.new_context(locale="en-US").new_page()
    classmate.goto(f"{url}/library")
    choose_dataset(classmate, "Digits (8×8)")
    idle(classmate)
    open_sidebar_list(classmate, 1)
    expect(classmate.get_by_role("option", name=re.compile("my homework"))).to_have_count(0)
    assert re.search(r"[?&]user=([0-9a-f]{32})", classmate.url).group(1) != key
    student.context.close()
    classmate.context.close()
