"""Shared helpers for page tests: a workspace with a tiny trained model, opening pages, background jobs
run to their end, drawing on a canvas."""

from __future__ import annotations

import base64
import contextlib
import io
from pathlib import Path

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

from latent_core import hosting
from latent_core.data import load_dataset
from latent_core.jobs import BackgroundJob
from latent_core.models import build_model
from latent_core.training import train
from latent_core.workspace import Workspace, WorkspaceEntry

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120


def tiny_digits_model(workspace_root: Path, *, name: str = "tiny digits AE") -> WorkspaceEntry:
    """A dense AE trained for one epoch on 200 digits, saved in a workspace at ``workspace_root``."""
    digits = load_dataset("digits", max_train=200, max_test=50)
    model = build_model("dense_ae", input_shape=digits.input_shape, latent_dim=4, seed=0)
    result = train(model, digits, epochs=1, batch_size=50)
    return Workspace(workspace_root).save(model, name=name, dataset=digits, training=result,
                                          metrics={"test_mse": 0.05})


def open_page(page: str, **state) -> AppTest:
    """The app on ``pages/<page>``, with the sidebar's choices (``lang``, ``dataset``, ``model``) preset."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    return app.switch_page(str(ROOT / "pages" / page)).run()


def open_link(page: str, **params: str) -> AppTest:
    """The app on ``pages/<page>`` as a link with these query parameters opens it: a new session
    (no sidebar choices preset)."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params.update(params)
    app.run()
    return app.switch_page(str(ROOT / "pages" / page)).run()


def open_with_model(page: str, entry: WorkspaceEntry, **state) -> AppTest:
    """``pages/<page>`` on 8×8 digits with the workspace model ``entry`` chosen in the sidebar."""
    return open_page(page, dataset="digits", model="workspace:" + entry.id, **state)


def session_jobs(app: AppTest) -> list[BackgroundJob]:
    """The background jobs (trainings, maps) the session keeps."""
    return [value for value in app.session_state.values() if isinstance(value, BackgroundJob)]



@contextlib.contextmanager
def another_users_job_holds_the_queue(monkeypatch, **ticket):
    """The server's shared queue with one slot, held by another user's running job while the block runs;
    yields the queue. The queue forgets, for the block, how far earlier tests' jobs were off their
    estimates, so its estimates are the tickets' own."""
    monkeypatch.setenv("LATENT_EXPLORER_MAX_TRAININGS", "1")
    queue = hosting.shared_training_queue()
    monkeypatch.setattr(queue, "_history", {})
    other_session = queue.join("another user", **ticket)
    assert queue.try_start(other_session)
    try:
        yield queue
    finally:
        queue.leave(other_session)

def finish_jobs(app: AppTest) -> AppTest:
    """What the page's polling does in the browser: wait until the session's background jobs (if any) are
    done, then run the page again."""
    for job in session_jobs(app):
        job.join(TIMEOUT)
        assert job.snapshot().finished, f"{job.kind} job {job.name!r} did not finish in time"
    return app.run()


def stroke_pixels() -> np.ndarray:
    """A white '7' on a black 280×280 canvas, as the canvas's RGBA pixels."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[60:80, 70:210, :3] = 255
    for row in range(80, 230):
        column = 210 - (row - 80) // 2
        canvas[row, column - 10 : column + 10, :3] = 255
    return canvas


def canvas_sends(app: AppTest, key: str, pixels: np.ndarray) -> AppTest:
    """What the browser does after a stroke: the canvas's state becomes the drawing and its PNG."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    app.session_state[key] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url},
                              "backgroundFit": None}
    return app.run()
