"""The Train page: settings, a live run in the background, stop, errors, and the saved result."""

import time

from page_helpers import ROOT, TIMEOUT, open_page
from streamlit.testing.v1 import AppTest

from latent_core.data import load_dataset
from latent_core.jobs import TrainingJob
from latent_core.models import build_model
from latent_core.workspace import Workspace



def button(app, label):
    return next(b for b in app.button if b.label == label)


def wait_for_outcome(app, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.run()
        if app.success or app.error or (app.info and "Stopped" in app.info[0].value):
            return app
        time.sleep(0.5)
    raise AssertionError("training did not finish in time")


def test_a_run_trains_live_and_saves_the_model(workspace_root):
    app = open_page("train.py", dataset="digits")
    assert app.header[0].value == "Train a model"
    assert app.selectbox[0].value == "dense_ae"
    assert app.info[0].value.startswith("Expected time on 2 CPU cores: about")
    app.slider[0].set_value(2)  # epochs
    app.text_input[0].set_value("my first AE")
    button(app, "Start training").click().run()
    assert not app.exception
    assert app.subheader[0].value == "Training my first AE…"
    wait_for_outcome(app)
    assert app.success[0].value.startswith("Finished my first AE in")
    entries = Workspace(workspace_root).entries()
    assert [entry.name for entry in entries] == ["my first AE"]
    assert entries[0].metrics["test_mse"] > 0 and entries[0].dataset == "digits"
    assert len(app.get("image")) == 1  # the last preview strip
    assert button(app, "Start training")  # ready for another run


def test_stop_keeps_what_was_learned(workspace_root):
    app = open_page("train.py", dataset="digits")
    app.slider[0].set_value(100)
    app.text_input[0].set_value("stopped early")
    button(app, "Start training").click().run()
    button(app, "Stop").click().run()
    wait_for_outcome(app)
    assert app.info[0].value.startswith("Stopped. stopped early keeps the weights")
    assert [entry.name for entry in Workspace(workspace_root).entries()] == ["stopped early"]


def test_settings_that_cannot_work_get_a_message(workspace_root):
    app = open_page("train.py", dataset="digits")
    app.selectbox[0].set_value("denoising_ae").run()
    app.multiselect[0].set_value([]).run()
    button(app, "Start training").click().run()
    assert not app.exception
    assert app.error[0].value.startswith("These settings do not work: denoising_ae: noise_kinds needs")
    assert "training_job" not in app.session_state


def test_an_empty_name_is_refused(workspace_root):
    app = open_page("train.py", dataset="digits")
    app.text_input[0].set_value("   ")
    button(app, "Start training").click().run()
    assert app.error[0].value == "These settings do not work: Give the model a name."


def test_point_data_offers_only_the_kinds_that_take_points(workspace_root):
    app = open_page("train.py", dataset="swiss_roll")
    assert app.selectbox[0].options == ["dense AE", "sparse AE", "linear AE", "VAE"]
    assert app.number_input[0].value == 2


def test_a_finished_run_is_selected_in_the_sidebar_from_any_page(workspace_root):
    digits = load_dataset("digits", max_train=128, max_test=32)
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    workspace = Workspace(workspace_root)
    job = TrainingJob(model, digits, epochs=1, batch_size=64,
                      on_model_ready=lambda result: workspace.save(model, name="from a job", training=result))
    job.start().join(120)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.session_state["dataset"] = "digits"
    app.session_state["training_job"] = job
    app.session_state["training_job_adopted"] = False
    app.run()
    assert not app.exception
    assert app.session_state["model"] == "workspace:" + workspace.entries()[0].id
    assert app.session_state["training_job_adopted"] is True


def test_train_page_in_korean(workspace_root):
    app = open_page("train.py", lang="ko", dataset="digits")
    assert app.header[0].value == "모델 학습"
    assert button(app, "학습 시작")
