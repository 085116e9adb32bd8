"""`streamlit run serve.py` warms itself up before its first visitor, and that visitor's page works."""

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WARMUP_DEADLINE_S = 240  # TensorFlow's import and the default model on a busy 2-core machine


def warmup_status(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/api/warmup", timeout=10) as response:
        return json.load(response)


def test_the_server_warms_up_before_any_page_is_requested(serve_app, page, tmp_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    _, url = serve_app(workspace, lifetime_s=WARMUP_DEADLINE_S + 120, script="serve.py",
                       LATENT_EXPLORER_WARMUP="1")
    assert warmup_status(url)["started"]  # the server began it: no page has been requested yet
    deadline = time.monotonic() + WARMUP_DEADLINE_S
    while not (status := warmup_status(url))["done"] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status["done"], status
    assert [step["name"] for step in status["steps"]] == [
        "dataset", "first page, before the libraries", "libraries", "process", "first page, before the model",
        "model", "classifier", "PCA baseline", "anomaly detector"]
    assert all(step["ok"] for step in status["steps"]), status
    assert status["first_visit"] is None and not status["page_requested"]  # health checks are no visitor

    page.goto(url)
    expect(page.get_by_role("heading", name=re.compile("^Data"))).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    status = warmup_status(url)
    assert status["page_requested"]  # the server's middleware saw the browser ask for the page
    assert status["first_visit"] == "after"  # the first run found the warm-up finished
