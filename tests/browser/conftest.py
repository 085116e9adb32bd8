"""Fixtures for browser tests: a real `streamlit run` server and headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

# The app's first run imports TensorFlow: allow for a slow start on a busy 2-core machine.
expect.set_options(timeout=60_000)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Flags for a closed network and a root user: no sandbox, no background calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout:.0f} s")


def start_server(workspace: Path, log_path: Path, *, lifetime_s: int | None = None, script: str = "app.py",
                 **env: str) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` (or ``script``, e.g. serve.py) on a free loopback port with
    ``workspace`` as its workspace (and ``env`` added), wait until it answers, and return the process
    and URL. With ``lifetime_s`` the server ends by itself after that many seconds, whatever happens."""
    port = free_port()
    deadline = ["timeout", "-k", "10", str(lifetime_s)] if lifetime_s else []
    with open(log_path, "a") as log:
        process = subprocess.Popen(
            deadline + [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
                        "--server.port", str(port), "--server.address", "127.0.0.1",
                        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "LATENT_EXPLORER_WORKSPACE": str(workspace), **env})
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
    except BaseException:
        process.kill()
        raise
    return process, url


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app served by `streamlit run app.py` on a free loopback port, for the whole session,
    with an empty workspace of its own."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    process, url = start_server(tmp_path_factory.mktemp("workspace"), log_path)
    try:
        yield url
    finally:
        stop_server(process)
        print(log_path.read_text()[-3000:])


@pytest.fixture
def serve_app(tmp_path):
    """Start servers of the app on workspaces of a test's choosing: ``serve_app(workspace,
    lifetime_s=None, script="app.py", **env)`` returns ``(process, url)``; whatever still runs stops
    when the test ends."""
    started = []

    def serve(workspace: Path, *, lifetime_s: int | None = None, script: str = "app.py",
              **env: str) -> tuple[subprocess.Popen, str]:
        process, url = start_server(workspace, tmp_path / f"server-{len(started)}.log", lifetime_s=lifetime_s,
                                    script=script, **env)
        started.append(process)
        return process, url

    yield serve
    for process in started:
        if process.poll() is None:
            stop_server(process)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: `apt-get install chromium` or set CHROMIUM_PATH"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
