"""The Train page: settings read from each model kind (a newly registered kind included), a live run in the
background, stop, errors, the saved result, hosted limits, the shared queue and each hosted user's own workspace."""

import dataclasses
import logging
import re
import time

import pytest

from page_helpers import ROOT, TIMEOUT, another_users_job_holds_the_queue, open_page, tiny_digits_model
from streamlit.testing.v1 import AppTest

from latent_core import hosting
from latent_core.data import load_dataset
from latent_core import jobs
from latent_core import models as models_package
from latent_core.jobs import TrainingJob, estimate_seconds, workspace_job
from latent_core.models import build_model
from latent_core.models.architectures import plan
from latent_core.training import TrainingDivergedError, TrainingResult, train
from latent_core.workspace import Workspace
from ui import shell
from ui.text import translate



def duration_text(seconds):
    """A duration as the page writes it in English."""
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def minutes(text):
    """The minutes in a duration the page wrote ("45 s", "4.5 min")."""
    value, unit = text.split()
    return float(value) / (60 if unit == "s" else 1)


def button(app, label):
    return next(b for b in app.button if b.label == label)


def speak(lang, monkeypatch):
    """Sets the language for the widgets' labels AppTest formats in the test's own thread too, where no
    session says which language is chosen (the page itself reads it from its session)."""
    monkeypatch.setattr(shell, "lang", lambda: lang)


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
    assert {"test_psnr", "pca_test_mse"} <= set(entries[0].metrics)  # measured as the library and the CLI are
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


def test_settings_that_cannot_work_get_a_message(workspace_root, caplog):
    app = open_page("train.py", dataset="digits")
    app.selectbox[0].set_value("denoising_ae").run()
    app.multiselect[0].set_value([]).run()
    with caplog.at_level(logging.WARNING):
        button(app, "Start training").click().run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "These settings do not build a denoising AE; change them and start again. The server log says which setting."]
    assert "noise_kinds needs" in caplog.text  # the model's own reason is in the server log
    assert "training_job" not in app.session_state


def test_settings_a_model_refuses_are_told_in_korean(workspace_root, monkeypatch):
    def refuse(kind, **options):
        raise ValueError(f"{kind}: simulated refusal.")

    monkeypatch.setattr(models_package, "build_model", refuse)
    speak("ko", monkeypatch)
    app = open_page("train.py", dataset="digits", lang="ko")
    button(app, "학습 시작").click().run()
    assert [error.value for error in app.error] == [translate("train.bad_settings", "ko", kind=translate("kind.dense_ae", "ko"))]
    assert "simulated" not in app.error[0].value
    assert "training_job" not in app.session_state


def test_an_empty_name_is_refused(workspace_root):
    app = open_page("train.py", dataset="digits")
    app.text_input[0].set_value("   ")
    button(app, "Start training").click().run()
    assert [error.value for error in app.error] == ["Give the model a name."]
    assert "training_job" not in app.session_state


def test_point_data_offers_only_the_kinds_that_take_points(workspace_root):
    app = open_page("train.py", dataset="swiss_roll")
    assert app.selectbox[0].options == ["dense AE", "sparse AE", "linear AE", "VAE"]
    assert app.number_input[0].value == 2
    assert app.selectbox[1].options == ["MSE", "L1"]  # unbounded outputs: no BCE
    app.selectbox[0].set_value("vae").run()
    assert [slider.label for slider in app.slider][0] == "β (weight of the KL term)"
    assert list(app.main.radio) == []  # no convolutional architecture for points


def test_each_kind_shows_its_own_settings_and_only_the_losses_it_trains_with(workspace_root):
    app = open_page("train.py", dataset="digits")
    assert app.selectbox[1].options == ["MSE", "BCE", "L1"]
    assert [radio.label for radio in app.main.radio] == ["Activation of the hidden layers"]  # its layer builder's
    app.selectbox[0].set_value("linear_ae").run()
    assert app.selectbox[1].options == ["MSE", "L1"]  # a linear output cannot take BCE
    app.selectbox[0].set_value("vae").run()
    assert app.slider[0].label == "β (weight of the KL term)" and app.slider[0].value == 1.0
    assert [(radio.label, radio.options) for radio in app.main.radio] == [("Encoder and decoder", ["dense", "conv"])]
    app.selectbox[0].set_value("sparse_ae").run()
    assert (app.select_slider[0].label, app.select_slider[0].value) == ("L1 penalty on the code", 1e-4)
    app.selectbox[0].set_value("denoising_ae").run()
    assert app.multiselect[0].value == ["gaussian"] and app.slider[0].value == (0.1, 0.5)
    app.selectbox[0].set_value("dcgan").run()
    assert len(app.main.selectbox) == 1  # a GAN has no reconstruction loss to choose
    assert app.number_input[0].value == 100  # its noise size, not the digits' code size of 8
    assert not app.exception


def test_a_newly_registered_kind_is_offered_estimated_and_trained(workspace_root, throwaway_kind):
    app = open_page("train.py", dataset="digits")
    assert app.selectbox[0].options[-1] == "tiny AE"  # its own English title: ui/texts has none
    app.selectbox[0].set_value("tiny_ae").run()
    assert not app.exception
    assert app.caption[0].value == "A dense AE with one hidden layer of 8 units."
    assert app.number_input[0].value == 8  # the digits' suggested code size
    images = app.slider[1].value
    queue = hosting.shared_training_queue()  # its history of this process's runs corrects every estimate alike
    ours, dense = (queue.preview(estimate_s=estimate_seconds(kind, (8, 8, 1), images=images, epochs=40, multiply_adds=plan(
        kind, input_shape=(8, 8, 1), latent_dim=8, options={}).multiply_adds)).run_s for kind in ("tiny_ae", "dense_ae"))
    assert round(ours) != round(dense)
    assert app.info[0].value == f"Expected time on 2 CPU cores: about {ours:.0f} s."
    next(radio for radio in app.radio if radio.label == "latent activation").set_value("tanh")
    app.slider[0].set_value(2)  # epochs
    app.text_input[0].set_value("my tiny AE")
    button(app, "Start training").click().run()
    wait_for_outcome(app)
    assert app.success[0].value.startswith("Finished my tiny AE in")
    model = app.session_state["training_job"].model
    assert (model.kind, model.latent_activation, model.hidden_units) == ("tiny_ae", "tanh", (8,))
    assert [entry.kind for entry in Workspace(workspace_root).entries()] == ["tiny_ae"]
    assert "★ my tiny AE · tiny AE, 8-D" in app.sidebar.selectbox[1].options


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


def test_hosted_mode_caps_the_sliders_and_says_so(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    monkeypatch.setenv("LATENT_EXPLORER_MAX_TRAINING_IMAGES", "500")
    app = open_page("train.py", dataset="digits")
    assert not app.exception
    epochs, images = app.slider[0], app.slider[1]
    assert epochs.max == 20 and epochs.value == 20  # the digits default of 40, capped
    assert images.max == 500
    assert "at most 20 epochs and 500 training images" in " ".join(c.value for c in app.caption)
    assert app.sidebar.caption[-1].value.startswith("Shared classroom server")


def test_hosted_the_28x28_sets_start_from_the_classroom_defaults_and_their_wait(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    app = open_page("train.py", dataset="fashion_mnist")
    assert not app.exception
    defaults = hosting.CLASSROOM_TRAINING_DEFAULTS
    assert app.selectbox[0].value == defaults["kind"] and app.number_input[0].value == defaults["latent"]
    epochs, images = app.slider[0], app.slider[1]
    assert (epochs.value, images.value, app.select_slider[0].value) == (
        defaults["epochs"], defaults["images"], defaults["batch"])
    work = plan(defaults["kind"], input_shape=(28, 28, 1), latent_dim=defaults["latent"], options={}).multiply_adds
    own = hosting.shared_training_queue().preview(estimate_s=estimate_seconds(
        defaults["kind"], (28, 28, 1), images=defaults["images"], epochs=defaults["epochs"], multiply_adds=work)).run_s
    assert app.info[0].value == f"Expected time: about {duration_text(own)}. A slot is free (0 of 2 running now), " \
        "so it starts at once."


def test_the_wait_before_start_adds_the_queue_ahead_to_the_run(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    with another_users_job_holds_the_queue(monkeypatch, kind="train", estimate_s=300) as queue:
        app = open_page("train.py", dataset="digits")
        work = plan("dense_ae", input_shape=(8, 8, 1), latent_dim=8, options={}).multiply_adds
        place = queue.preview(estimate_s=estimate_seconds("dense_ae", (8, 8, 1), images=app.slider[1].value,
                                                          epochs=app.slider[0].value, multiply_adds=work))
        assert place.wait_s > 200  # the other user's five minutes, less what they already ran
        shown = re.fullmatch(r"Ready in about (.+): 0 job\(s\) waiting ahead of yours and 1 running, 1 at a time, so "
                             r"yours starts in about (.+); then about (.+) of training\.", app.info[0].value)
        assert shown, app.info[0].value
        total, wait, run = (minutes(text) for text in shown.groups())
        assert wait == pytest.approx(place.wait_s / 60, abs=0.15) and run == pytest.approx(place.run_s / 60, abs=0.01)
        assert total == pytest.approx(wait + run, abs=0.15)
        app.slider[0].set_value(1).run()  # one epoch: the same wait for the slot, a shorter run
        fewer = re.search(r"then about (.+) of training", app.info[0].value)
        assert fewer and minutes(fewer.group(1)) < run


def test_the_wait_before_start_in_korean(workspace_root, monkeypatch):
    with another_users_job_holds_the_queue(monkeypatch, kind="train", estimate_s=300):
        app = open_page("train.py", lang="ko", dataset="digits")
        assert re.fullmatch(r"약 [\d.]+(초|분) 후 완료 예상: 내 앞에 대기 중인 작업 0개, 실행 중 1개\(한 번에 1개씩\)라 "
                            r"약 [\d.]+(초|분) 후 시작하고, 그다음 학습에 약 [\d.]+(초|분)이 걸립니다\.", app.info[0].value)


def test_a_run_waits_in_the_shared_queue_and_stop_takes_it_out(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_TRAININGS", "1")
    queue = hosting.shared_training_queue()
    other_session = queue.join()
    assert queue.wait_for_slot(other_session, timeout=0)
    try:
        app = open_page("train.py", dataset="digits")
        app.text_input[0].set_value("waiting AE")
        button(app, "Start training").click().run()
        assert app.subheader[0].value == "Training waiting AE…"
        assert app.progress[0].proto.text.startswith("Yours is next: it starts when one of the 1 running jobs ends · ")
        button(app, "Stop").click().run()
        app.session_state["training_job"].join(10)
        app.run()
        assert app.info[0].value == "waiting AE left the queue before it started: nothing was trained."
        assert Workspace(workspace_root).entries() == [] and queue.waiting == 0
    finally:
        queue.leave(other_session)


def test_the_queue_place_comes_with_an_estimate_from_the_queues_history(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_TRAININGS", "1")
    queue = hosting.shared_training_queue()
    done = queue.join(kind="train", estimate_s=10)  # a finished training teaches the queue this server's speed
    assert queue.try_start(done)
    queue.leave(done, finished=True)
    with another_users_job_holds_the_queue(monkeypatch, kind="train", estimate_s=120) as queue:
        app = open_page("train.py", dataset="digits")
        button(app, "Start training").click().run()
        assert re.fullmatch(r"Yours is next: it starts when one of the 1 running jobs ends · starts in about "
                            r"[\d.]+ (s|min)", app.progress[0].proto.text)
        assert app.sidebar.caption[-1].value.startswith('Queued: the training of "dense AE digits 8-D". Yours is next')
        assert app.main.caption[-1].value.endswith("Stop takes it out of the queue.")  # no limit per person here
        button(app, "Stop").click().run()
        app.session_state["training_job"].join(10)


def test_a_second_job_of_the_same_user_is_refused_and_says_what_is_queued(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_JOBS_PER_USER", "1")
    with another_users_job_holds_the_queue(monkeypatch) as queue:
        mine = queue.join(str(workspace_root), kind="anomaly", label="3")  # this user's detector, from another page
        try:
            app = open_page("train.py", dataset="digits")
            button(app, "Start training").click().run()
            assert app.warning[0].value.startswith(
                'You already have a job in this server\'s queue: the detector for "3", waiting at place 1.')
            assert "training_job" not in app.session_state and queue.waiting == 1
        finally:
            queue.leave(mine)


def test_a_run_past_the_time_limit_stops_and_keeps_its_epochs(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_JOB_SECONDS", "2")
    app = open_page("train.py", dataset="digits")
    app.slider[0].set_value(100)
    app.select_slider[0].set_value(16)  # many small batches: far more than 2 s of work
    app.text_input[0].set_value("too long")
    button(app, "Start training").click().run()
    wait_for_outcome(app)
    assert app.warning[0].value == "Stopped at this server's time limit of 2 s per job."
    assert app.info[0].value.startswith("Stopped. too long keeps the weights it had learned")
    entry = Workspace(workspace_root).entries()[0]
    assert entry.name == "too long" and entry.stop_reason == "stopped" and not entry.in_progress


def test_each_hosted_user_has_a_workspace_of_their_own_kept_in_the_address(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    mine = "a" * 32
    tiny_digits_model(workspace_root / "users" / mine, name="mine")
    tiny_digits_model(workspace_root, name="not in anyone's folder")

    def sidebar_models(**query):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        app.session_state["dataset"] = "digits"
        app.query_params.update(query)
        app.run()
        assert not app.exception
        return app, [option for option in app.sidebar.selectbox[1].options if option.startswith("★")]

    app, yours = sidebar_models(user=mine)
    assert yours == ["★ mine · dense AE, 4-D"] and app.query_params["user"] == mine
    app, yours = sidebar_models()  # a first visit: a new key, an empty workspace
    assert yours == [] and re.fullmatch(r"[0-9a-f]{32}", app.query_params["user"])
    assert app.query_params["user"] != mine
    app, yours = sidebar_models(user="../../etc")  # not a key: replaced, never used as a path
    assert yours == [] and re.fullmatch(r"[0-9a-f]{32}", app.query_params["user"])


def test_a_new_session_takes_over_the_users_running_training(workspace_root):
    digits = load_dataset("digits", max_train=256, max_test=32)
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    job = workspace_job(Workspace(workspace_root), model, digits, name="left running", owner=str(workspace_root),
                        epochs=500, batch_size=8).start()
    try:
        app = open_page("train.py", dataset="digits")  # as when the tab was closed and opened again
        assert app.session_state["training_job"] is job
        assert app.subheader[0].value == "Training left running…"
    finally:
        job.stop()
        job.join(60)
    assert [entry.name for entry in Workspace(workspace_root).entries()] == ["left running"]


def test_an_unfinished_checkpoint_is_marked_in_the_model_picker(workspace_root):
    digits = load_dataset("digits", max_train=128, max_test=32)
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    result = train(model, digits, epochs=2, batch_size=64)
    result.config = dataclasses.replace(result.config, epochs=10)  # as if cut short after 2 of 10
    Workspace(workspace_root).save(model, name="cut short", training=result, in_progress=True)
    app = open_page("library.py", dataset="digits")
    assert "★ cut short · dense AE, 4-D · unfinished, 2 of 10 epochs" in app.sidebar.selectbox[1].options


def test_an_error_mid_run_says_so_and_keeps_the_last_good_epoch(workspace_root, monkeypatch, caplog):
    def out_of_memory_in_epoch_two(job, progress):
        if progress.epoch == 2:
            raise MemoryError("simulated: out of memory")

    monkeypatch.setattr(TrainingJob, "on_batch", out_of_memory_in_epoch_two)
    app = open_page("train.py", dataset="digits")
    app.slider[0].set_value(3)
    app.text_input[0].set_value("crashes in epoch 2")
    with caplog.at_level(logging.ERROR, logger="latent_core.jobs"):
        button(app, "Start training").click().run()
        wait_for_outcome(app)
    assert app.error[0].value == "Training failed (MemoryError); the server log has the details."
    assert "simulated: out of memory" in caplog.text  # the detail and its traceback are in the server log
    assert app.info[0].value == "The last good epoch was saved as crashes in epoch 2."
    entry = Workspace(workspace_root).entries()[0]
    assert (entry.epochs_completed, entry.stop_reason, entry.in_progress) == (1, "failed", False)
    assert "★ crashes in epoch 2 · dense AE, 8-D · ended early, 1 of 3 epochs" in app.sidebar.selectbox[1].options


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_failed_or_diverged_run_is_told_in_the_chosen_language_without_the_english_detail(
        workspace_root, monkeypatch, lang):
    def diverge(model, data, **options):
        raise TrainingDivergedError("Training stopped: loss is nan in epoch 1.", TrainingResult(model, None))

    def fail(job, progress):
        raise MemoryError("simulated: out of memory")

    start = "Start training" if lang == "en" else "학습 시작"
    speak(lang, monkeypatch)
    monkeypatch.setattr(jobs, "train", diverge)
    app = open_page("train.py", dataset="digits", lang=lang)
    button(app, start).click().run()
    wait_for_outcome(app)
    assert [error.value for error in app.error] == [translate("train.diverged", lang)]

    monkeypatch.setattr(jobs, "train", train)
    monkeypatch.setattr(TrainingJob, "on_batch", fail)
    app = open_page("train.py", dataset="digits", lang=lang)
    button(app, start).click().run()
    wait_for_outcome(app)
    assert [error.value for error in app.error] == [translate("common.training_failed", lang, error_type="MemoryError")]
    assert "simulated" not in app.error[0].value


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_checkpoint_refused_by_a_quota_is_told_in_the_chosen_language(workspace_root, monkeypatch, lang):
    from latent_core.workspace import SaveRefused

    save = Workspace.save

    def refuse_checkpoints(self, *args, in_progress=False, **kwargs):
        if in_progress:
            raise SaveRefused("Your models would take more than 5 MB on this server.", "user_space", limit="5 MB")
        return save(self, *args, in_progress=in_progress, **kwargs)

    monkeypatch.setattr(Workspace, "save", refuse_checkpoints)
    monkeypatch.setattr(TrainingJob.__init__, "__kwdefaults__",  # a checkpoint after every epoch
                        {**TrainingJob.__init__.__kwdefaults__, "checkpoint_every_s": 0.0})
    speak(lang, monkeypatch)
    app = open_page("train.py", dataset="digits", lang=lang)
    app.slider[0].set_value(2)
    button(app, "Start training" if lang == "en" else "학습 시작").click().run()
    wait_for_outcome(app)
    reason = translate("save.user_space", lang, limit="5 MB")
    assert translate("train.checkpoint_refused", lang, reason=reason) in [warning.value for warning in app.warning]
    if lang == "ko":
        assert not any("would take more than" in warning.value for warning in app.warning)
    assert Workspace(workspace_root).entries()[0].in_progress is False  # the final save went through


# --------------------------------------------------------------------------- the layer builder


def by_label(widgets, label):
    return next(widget for widget in widgets if widget.label == label)


def architecture_rows(app):
    table = app.dataframe[0].value
    return list(zip(table["Type"], table["Output shape"], table["Activation"]))


def parameters_caption(app):
    return next(caption.value for caption in app.caption if caption.value.endswith("parameters in all, before any training."))


def test_a_preset_sets_the_layers_and_the_table_shows_them_before_training(workspace_root):
    app = open_page("train.py", dataset="mnist")
    presets = app.button_group[0]
    assert presets.options[:2] == ["conv AE: strided 32, 64 (the app's default)", "dense AE: 256 (the app's default)"]
    assert architecture_rows(app)[1:3] == [("Conv2D", "(None, 14, 14, 32)", "relu"), ("Conv2D", "(None, 7, 7, 64)", "relu")]
    presets.set_value("mlp_784_128_64_32").run()
    assert not app.exception
    assert app.selectbox[0].value == "dense_ae" and app.number_input[0].value == 32
    assert by_label(app.text_input, "Hidden layer widths, encoder side (the decoder mirrors them)").value == "128, 64"
    dense = [(shape, activation) for kind, shape, activation in architecture_rows(app) if kind == "Dense"]
    assert dense == [("(None, 128)", "relu"), ("(None, 64)", "relu"), ("(None, 32)", "linear"),
                     ("(None, 64)", "relu"), ("(None, 128)", "relu"), ("(None, 784)", "sigmoid")]
    assert parameters_caption(app) == "222,384 parameters in all, before any training."
    app.button_group[0].set_value("conv_code_100").run()
    assert (app.selectbox[0].value, app.number_input[0].value) == ("conv_ae", 100)  # not the data's 32

    app.button_group[0].set_value("mnist_pooling").run()
    assert app.selectbox[0].value == "conv_ae"
    assert (app.number_input[0].value, app.number_input[0].disabled) == (392, True)  # the feature map is the code
    assert by_label(app.radio, "Down-sampling").value == "maxpool"
    assert by_label(app.toggle, "Dense code layer (off: the code is the last feature map)").value is False
    kinds = [kind for kind, _, _ in architecture_rows(app)]
    assert kinds.count("MaxPooling2D") == 2 and kinds.count("UpSampling2D") == 2 and "Dense" not in kinds
    assert parameters_caption(app) == "3,217 parameters in all, before any training."

    app.slider[0].set_value(1)  # epochs
    app.slider[1].set_value(app.slider[1].min)  # a few hundred images at most
    app.text_input[0].set_value("pooling AE")
    button(app, "Start training").click().run()
    wait_for_outcome(app)
    assert app.success[0].value.startswith("Finished pooling AE in")
    model = app.session_state["training_job"].model
    assert (model.kind, model.latent_dim, model.filters, model.downsample, model.dense_code) == (
        "conv_ae", 392, (16, 8), "maxpool", False)
    entry = Workspace(workspace_root).entries()[0]
    assert entry.name == "pooling AE" and entry.kind == "conv_ae"


def test_changing_a_presets_layers_is_shown_and_the_table_follows(workspace_root):
    app = open_page("train.py", dataset="swiss_roll")
    app.button_group[0].set_value("swiss_roll_elu").run()
    assert by_label(app.radio, "Activation of the hidden layers").value == "elu"
    assert not any(caption.value.startswith("Changed since") for caption in app.caption)
    by_label(app.text_input, "Hidden layer widths, encoder side (the decoder mirrors them)").set_value("4, 4").run()
    assert "Changed since choosing swiss roll 3-2-2 ELU." in [caption.value for caption in app.caption]
    dense = [shape for kind, shape, _ in architecture_rows(app) if kind == "Dense"]
    assert dense == ["(None, 4)", "(None, 4)", "(None, 2)", "(None, 4)", "(None, 4)", "(None, 3)"]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_width_list_beyond_the_bounds_is_refused_under_its_field_in_the_chosen_language(
        workspace_root, monkeypatch, lang):
    speak(lang, monkeypatch)
    app = open_page("train.py", dataset="digits", lang=lang)
    widths = by_label(app.text_input, translate("train.option.hidden_units", lang))
    widths.set_value("256, 2048").run()
    assert [error.value for error in app.error] == [translate("train.refused.list_range", lang, minimum=1, maximum=1024)]
    assert not app.dataframe  # nothing to show
    button(app, translate("train.start", lang)).click().run()
    assert "training_job" not in app.session_state


def test_a_hosted_server_refuses_layers_over_its_parameter_limit_before_training(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_MODEL_PARAMETERS", "30000")
    app = open_page("train.py", dataset="digits")
    assert [error.value for error in app.error] == [
        "These layers have 37,448 parameters, over the 30,000 this server trains: use narrower or fewer layers."]
    button(app, "Start training").click().run()
    assert "training_job" not in app.session_state
    by_label(app.text_input, "Hidden layer widths, encoder side (the decoder mirrors them)").set_value("64").run()
    assert not app.error and parameters_caption(app) == "9,416 parameters in all, before any training."


def test_a_runs_chart_and_preview_are_made_once_per_epoch_not_on_every_redraw(workspace_root, monkeypatch):
    from ui import charts, history_views

    made = []
    loss_figure, history_figure = charts.loss_figure, history_views.history_figure
    monkeypatch.setattr(charts, "loss_figure", lambda history, **kw: made.append("loss") or loss_figure(history, **kw))
    monkeypatch.setattr(history_views, "history_figure",
                        lambda *args: made.append("history") or history_figure(*args))
    app = open_page("train.py", dataset="digits")
    app.slider[0].set_value(2)  # epochs
    button(app, "Start training").click().run()
    wait_for_outcome(app)
    made.clear()
    for _ in range(3):  # the finished run's chart and preview, drawn again by every rerun
        app.run()
    assert not app.exception and len(app.get("plotly_chart")) == 1 and len(app.get("image")) == 1
    assert made == []  # nothing new to draw: the chart of the last epoch is reused
