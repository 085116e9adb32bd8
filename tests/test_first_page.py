"""A fresh server's first page: the Data page and the sidebar draw without TensorFlow, whose import
(seconds) runs in the background meanwhile; a page that needs a model still gets one.

Each test runs the app in a fresh interpreter (this test process imported TensorFlow long ago)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Opens the app's first page (the Data page) on 8×8 digits in a fresh interpreter, then the page given as
# argv[1] (if any), with the background preparation recorded instead of started, and prints what the
# last run imported and drew as JSON.
PROGRAM = """
import json, sys
from streamlit.testing.v1 import AppTest
from ui import runtime

background = []
runtime.prepare_process_in_background = lambda: background.append(True)
app = AppTest.from_file("app.py", default_timeout=300)
app.session_state["dataset"] = "digits"
app.run()
if sys.argv[1:]:
    background.clear()
    app.switch_page(sys.argv[1]).run()
print(json.dumps({
    "tensorflow": "tensorflow" in sys.modules, "keras": "keras" in sys.modules,
    "exceptions": [str(error.message) for error in app.exception],
    "headers": [header.value for header in app.header],
    "sidebar_widgets": [widget.key for widget in [*app.radio, *app.selectbox]],
    "captions": [caption.value for caption in app.caption],
    "background": background, "frozen": runtime._frozen}))
"""


def run_fresh(*then_page: str) -> dict:
    env = {**os.environ, "LATENT_EXPLORER_WARMUP": "0", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, "-c", PROGRAM, *then_page], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_data_page_and_the_sidebar_draw_without_importing_tensorflow():
    from ui.text import translate

    found = run_fresh()
    assert found["exceptions"] == []
    assert found["headers"][0].startswith("Data: ")
    assert not found["tensorflow"] and not found["keras"]
    assert {"lang_widget", "dataset_widget"} <= set(found["sidebar_widgets"])
    assert "model_widget" not in found["sidebar_widgets"]  # it follows once the models are imported
    assert translate("sidebar.models_loading", "en") in found["captions"]
    assert found["background"] == [True]  # the import was asked for, to run beside the page


def test_a_page_that_needs_a_model_waits_for_tensorflow_and_shows_the_model_picker():
    found = run_fresh("pages/generate.py")  # before the background import has (here: never) run
    assert found["exceptions"] == []
    assert found["headers"][0].startswith("Generate")
    assert found["tensorflow"]
    assert "model_widget" in found["sidebar_widgets"]
    assert found["frozen"]  # the run that imported the libraries froze them
    assert found["background"] == []
