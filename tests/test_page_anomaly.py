"""The Anomaly detection page: a detector trained on the spot or pretrained, the threshold and its metrics."""

import io
import re

import numpy as np
import pytest
import streamlit as st
from page_helpers import another_users_job_holds_the_queue, finish_jobs, open_page

from latent_core import data, evaluation, hosting, images, metrics, pretrained, user_data


def metrics_of(app) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def button(app, label: str):
    return next(b for b in app.button if b.label.startswith(label))


@pytest.fixture(scope="module")
def detector_trained_on_three():
    """A detector for class 3 trained through the page's button (once: training takes seconds), as the
    session keeps it."""
    app = open_page("anomaly.py", dataset="digits", **{"anomaly.normal_class": 3})
    assert not app.exception
    assert [radio.value for radio in app.radio if radio.label == "Detector"] in ([], ["here"])
    assert app.info[0].value.startswith('Train a small dense autoencoder on the ')
    button(app, 'Train a detector on "3"').click().run()
    assert app.info[0].value == 'Training on "3" images only…'  # queued or training: the page watches it
    finish_jobs(app)
    return dict(app.session_state["anomaly.detectors"])


@pytest.fixture
def trained_digits_app(detector_trained_on_three):
    """The page opened afresh on digits in a session that holds the detector for class 3."""
    return open_page("anomaly.py", dataset="digits", **{"anomaly.normal_class": 3,
                                                          "anomaly.detectors": dict(detector_trained_on_three)})


def test_training_here_shows_metrics_histogram_roc_and_extremes(trained_digits_app):
    app = trained_digits_app
    assert not app.exception and not app.error
    assert any(c.value.startswith('Detector trained here on ') and '"3"' in c.value for c in app.main.caption)
    numbers = metrics_of(app)
    assert set(numbers) >= {"Precision", "Recall", "Accuracy", "F1", "AUROC"}
    assert float(numbers["AUROC"]) > 0.8
    assert len(app.get("plotly_chart")) == 2
    assert app.main.markdown[-2].value.startswith("**Most anomalous") and app.main.markdown[-1].value.startswith("**Least")
    most, least = app.main.caption[-2].value, app.main.caption[-1].value
    assert least.count("3 ") >= 10  # the most normal images are almost all threes
    assert most.count("3 ") < 6


def test_the_most_anomalous_images_show_where_they_differ_from_their_reconstruction(trained_digits_app,
                                                                                     monkeypatch):
    shown = []
    montage = images.montage
    monkeypatch.setattr(images, "montage", lambda stack, **options: shown.append((np.asarray(stack), options))
                        or montage(stack, **options))
    app = trained_digits_app.run()
    assert not app.exception
    (most, most_options), (least, _) = shown[-2:]
    assert most_options["columns"] == 12 and most.shape == (36, 8, 8, 3)  # image, reconstruction, heatmap rows
    assert least.shape == (12, 8, 8, 1)  # the most normal ones are shown as they are
    (_, detector), = app.session_state["anomaly.detectors"].values()
    originals = most[:12, ..., :1]
    rebuilt = np.clip(detector.model.reconstruct(originals), 0.0, 1.0)
    np.testing.assert_allclose(most[12:24, ..., 0], rebuilt[..., 0], atol=1e-5)
    np.testing.assert_allclose(most[24:], images.error_heatmaps(originals, rebuilt), atol=1e-5)
    digits = data.load_dataset("digits")
    assert all((digits.x_test == image).all(axis=(1, 2, 3)).any() for image in originals)
    listed = next(c.value for c in app.main.caption if c.value.count(" · ") == 11)  # the most anomalous' scores
    errors = metrics.per_image_mse(originals, detector.model.reconstruct(originals))
    assert [float(part.rsplit(" ", 1)[1]) for part in listed.split(" · ")] == pytest.approx(errors, abs=1e-4)
    captions = [image.proto.imgs[0].caption for image in app.get("image")]
    assert any(caption.startswith("From the top: the image · the detector's reconstruction · where they differ")
               for caption in captions)


def flagged_caption(app) -> str:
    return next(c.value for c in app.main.caption if " images flagged; " in c.value)


def test_the_threshold_starts_at_the_95th_percentile_and_its_ends_flag_nothing_and_everything(trained_digits_app):
    app = trained_digits_app
    slider = app.select_slider[0]
    assert slider.label == "Threshold (reconstruction MSE)"
    caption = next(c.value for c in app.main.caption if "95th percentile" in c.value)
    assert f"({float(slider.options[slider.value]):.5f})" in caption
    found = re.search(r"errors of ([\d,]+) normal test images set aside for it.*only the other ([\d,]+) test images",
                      caption)
    set_aside, counted = (int(number.replace(",", "")) for number in found.groups())
    assert f" of {counted} images flagged" in flagged_caption(app) and set_aside > 0
    before = metrics_of(app)
    assert before["Recall"] not in ("0.0%", "100.0%")
    slider.set_value(len(slider.options) - 1).run()
    highest = metrics_of(app)
    assert not app.exception
    assert highest["Recall"] == "0.0%" and highest["Precision"] == "0.0%"
    assert flagged_caption(app).startswith("0 of ")
    assert highest["AUROC"] == before["AUROC"]  # threshold-free
    app.select_slider[0].set_value(0).run()
    assert metrics_of(app)["Recall"] == "100.0%"
    total = flagged_caption(app).split(" of ")[1].split(" ")[0]
    assert flagged_caption(app).startswith(f"{total} of {total} images flagged; ")


def test_the_roc_curve_is_computed_once_for_many_threshold_moves(trained_digits_app, monkeypatch):
    computed = []
    roc = metrics.roc
    monkeypatch.setattr(metrics, "roc", lambda scores, labels: computed.append(len(scores)) or roc(scores, labels))
    st.cache_data.clear()  # the curve of these scores may be cached already by an earlier test
    app = trained_digits_app.run()
    auroc = metrics_of(app)["AUROC"]
    slider = app.select_slider[0]
    recalls = []
    for position in (0, len(slider.options) // 3, len(slider.options) // 2, len(slider.options) - 1):
        app.select_slider[0].set_value(position).run()
        assert not app.exception and metrics_of(app)["AUROC"] == auroc
        recalls.append(metrics_of(app)["Recall"])
    assert len(computed) == 1
    assert recalls[0] == "100.0%" and recalls[-1] == "0.0%"  # each move still moved the threshold's point


def bright_and_striped_upload(bright: int, filename: str) -> data.Dataset:
    """An uploaded 8×8 dataset: ``bright`` noisy bright images of class 0 and 60 striped ones of class 1."""
    rng = np.random.default_rng(0)
    stripes = np.zeros((60, 8, 8))
    stripes[:, :, ::2] = 1.0
    payload = io.BytesIO()
    np.savez(payload, x=(np.concatenate([rng.uniform(0.6, 1.0, (bright, 8, 8)), stripes]) * 255).astype(np.uint8),
             y=np.repeat([0, 1], [bright, 60]))
    return user_data.load_user_dataset(payload.getvalue(), filename=filename, image_size=(8, 8))


def test_a_users_own_dataset_works(tmp_path):
    upload = bright_and_striped_upload(60, "mine.npz")
    app = open_page("anomaly.py", dataset="user:" + upload.name, user_datasets={upload.name: upload})
    assert not app.exception
    assert app.main.selectbox[0].options == ["0", "1"]
    finish_jobs(button(app, 'Train a detector on "0"').click().run())
    assert not app.exception and not app.error
    assert float(metrics_of(app)["AUROC"]) > 0.9


def first_pretrained_detector() -> tuple[str, int, str]:
    """The dataset, normal class and name of the library's first anomaly detector (the test is skipped without one)."""
    dataset = next((name for name in ("mnist", "fashion_mnist") if pretrained.anomaly_models(name)), None)
    if dataset is None:
        pytest.skip("no pretrained anomaly detectors in pretrained/ yet")
    normal_class = min(pretrained.anomaly_models(dataset))
    return dataset, normal_class, pretrained.anomaly_models(dataset)[normal_class].name


def test_pretrained_detectors_are_offered_and_measured_as_the_library_measures_them():
    dataset, normal_class, name = first_pretrained_detector()
    app = open_page("anomaly.py", dataset=dataset, **{"anomaly.normal_class": normal_class})
    assert not app.exception
    assert app.main.radio[0].value == "pretrained"
    assert any(c.value.startswith(f"Detector: {name} ") for c in app.main.caption)
    numbers = metrics_of(app)
    library = evaluation.anomaly_metrics(pretrained.load_pretrained(name).model, data.load_dataset(dataset),
                                         normal_class)
    assert numbers["AUROC"] == f"{library['auroc']:.3f}"
    assert numbers["Precision"] == f"{library['precision_at_p95']:.1%}"
    assert numbers["Recall"] == f"{library['recall_at_p95']:.1%}"
    assert float(numbers["AUROC"]) > 0.7


def test_the_score_with_the_code_distance_is_measured_as_the_library_measures_it_and_relabels_the_page():
    dataset, normal_class, name = first_pretrained_detector()
    app = open_page("anomaly.py", dataset=dataset, **{"anomaly.normal_class": normal_class})
    error_auroc = metrics_of(app)["AUROC"]
    app.radio(key="anomaly.score").set_value("combined").run()
    assert not app.exception
    library = evaluation.anomaly_metrics(pretrained.load_pretrained(name).model, data.load_dataset(dataset),
                                         normal_class)
    assert metrics_of(app)["AUROC"] == f"{library['auroc_combined']:.3f}" != error_auroc
    assert app.select_slider[0].label == "Threshold (error and code distance)"
    assert any("of the scores of" in c.value for c in app.main.caption)
    assert any(m.value == "**Most anomalous test images (highest score first)**" for m in app.main.markdown)
    assert app.get("plotly_chart")[0].proto.spec and "error and code distance" in app.get("plotly_chart")[0].proto.spec


def test_a_class_with_too_few_training_images_is_offered_only_the_error_and_told_why(tmp_path):
    upload = bright_and_striped_upload(12, "few.npz")  # 12 images: after the test split fewer than 10 train
    train_count = int(np.sum(upload.y_train == 0))
    assert train_count < 10
    app = open_page("anomaly.py", dataset="user:" + upload.name, user_datasets={upload.name: upload})
    finish_jobs(button(app, 'Train a detector on "0"').click().run())
    assert not app.exception
    assert app.radio(key="anomaly.score").options == ["Reconstruction error"]
    assert any(c.value.startswith("The score with the code's distance needs at least 10 training images of "
                                  f'"0" to learn where its codes lie; there are {train_count}')
               for c in app.main.caption)


def test_points_get_a_clear_message():
    app = open_page("anomaly.py", dataset="swiss_roll")
    assert not app.exception
    assert app.info[0].value.startswith("Anomaly detection needs images in at least two classes")


def test_in_korean():
    app = open_page("anomaly.py", lang="ko", dataset="digits")
    assert not app.exception
    assert app.header[0].value == "이상 탐지"
    assert app.button[0].label == '"0"로 탐지기 학습'


def test_a_detector_waits_in_the_queue_and_appears_when_done(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_JOBS_PER_USER", "1")
    with another_users_job_holds_the_queue(monkeypatch):
        app = open_page("anomaly.py", dataset="digits", **{"anomaly.normal_class": 5})
        button(app, 'Train a detector on "5"').click().run()
        assert app.progress[0].proto.text.startswith("Yours is next: it starts when one of the 1 running jobs ends")
        assert app.sidebar.caption[-1].value.startswith('Queued: the detector for "5". Yours is next')
        assert app.main.caption[-1].value.endswith("Each person may have 1 job(s) here at a time.")
        app.selectbox[0].set_value(2).run()  # another class chosen meanwhile: the job stays and is shown
        assert app.info[0].value == 'Training on "5" images only…' and app.progress
    finish_jobs(app)
    assert not app.exception and not app.error and "anomaly.job" not in app.session_state
    app.selectbox[0].set_value(5).run()
    assert any(c.value.startswith('Detector trained here on ') and '"5"' in c.value for c in app.main.caption)
    assert float(metrics_of(app)["AUROC"]) > 0.8


def test_a_second_job_of_the_same_user_is_refused_in_korean(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_TRAININGS", "1")
    monkeypatch.setenv("LATENT_EXPLORER_MAX_JOBS_PER_USER", "1")
    queue = hosting.shared_training_queue()
    running = queue.join(str(workspace_root), kind="train", label="내 AE")  # this user's training, from the Train page
    assert queue.try_start(running)
    try:
        app = open_page("anomaly.py", lang="ko", dataset="digits")
        app.button[0].click().run()
        assert app.warning[0].value.startswith('이 서버에서 이미 내 작업이 실행 중입니다: "내 AE" 학습.')
        assert "anomaly.job" not in app.session_state and queue.waiting == 0
    finally:
        queue.leave(running)
