"""The app shell and the Data page, driven through Streamlit's AppTest."""

import io
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from latent_core import data
from ui.text import translate

TIMEOUT = 60
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def start_app(**query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def choose(app: AppTest, **choices) -> AppTest:
    """Pick values in the sidebar's widgets (``lang``, ``dataset``) and rerun."""
    for name, value in choices.items():
        widget = next(w for w in app.sidebar if getattr(w, "key", None) == f"{name}_widget")
        widget.set_value(value)
    return app.run()


def images(app: AppTest) -> list:
    return app.get("image")


@pytest.mark.parametrize("name", ["digits", "swiss_roll", "fashion_mnist"])
def test_data_page_renders_each_dataset(name):
    app = choose(start_app(), dataset=name)
    assert not app.exception
    assert app.header[0].value.startswith("Data: ")
    metrics = {metric.label: metric.value for metric in app.metric}
    dataset = data.load_dataset(name)
    assert metrics["Training examples"] == f"{len(dataset.x_train):,}"
    assert any(caption.value.startswith("Source: ") for caption in app.caption)


def test_image_dataset_shows_one_strip_per_class():
    app = choose(start_app(), dataset="digits")
    strips = images(app)
    assert len(strips) == 10
    captions = [image.proto.imgs[0].caption for image in strips]
    assert captions[0] == "0: 0" and captions[9] == "9: 9"


def test_language_switch_changes_the_text():
    app = start_app()
    assert app.header[0].value == "Data: Fashion-MNIST"
    assert app.sidebar.selectbox(key="dataset_widget").label == "Dataset"
    choose(app, lang="ko")
    assert app.header[0].value == "데이터: 패션 MNIST"
    assert "학습 데이터 수" in [metric.label for metric in app.metric]
    assert any("티셔츠/탑" in image.proto.imgs[0].caption for image in images(app))
    choose(app, lang="en")
    assert app.header[0].value == "Data: Fashion-MNIST"


def test_language_can_be_chosen_by_link():
    app = start_app(lang="ko")
    assert app.header[0].value == "데이터: 패션 MNIST"
    assert app.sidebar.selectbox(key="dataset_widget").label == "데이터셋"
    assert app.sidebar.radio(key="lang_widget").value == "ko"


def test_unknown_language_in_link_falls_back_to_english():
    assert start_app(lang="fr").header[0].value == "Data: Fashion-MNIST"


def test_reshuffle_shows_other_examples():
    app = choose(start_app(), dataset="digits")
    before = [image.proto.imgs[0].url for image in images(app)]
    next(button for button in app.button if button.label == translate("data.reshuffle", "en")).click().run()
    after = [image.proto.imgs[0].url for image in images(app)]
    assert not app.exception
    assert len(after) == len(before) == 10
    assert all(new != old for new, old in zip(after, before))  # every class strip shows other images


def test_unavailable_dataset_shows_what_was_tried_and_keeps_running(monkeypatch, tmp_path):
    def unavailable(name):
        raise data.DatasetUnavailable("Could not load the 'mnist' dataset. Tried, in order: …")
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    app.run()
    monkeypatch.setattr("ui.shell.load_registered_dataset", unavailable)
    choose(app, dataset="mnist")
    assert not app.exception
    assert app.error[0].value == translate("common.dataset_unavailable", "en")
    assert "Tried, in order" in app.code[0].value


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_uploaded_npz_becomes_the_selected_dataset():
    pixels = np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8)
    app = start_app()
    app.file_uploader[0].set_value(("pairs.npz", npz_bytes(x=pixels, y=np.arange(20) % 2), "application/octet-stream")).run()
    assert not app.exception
    assert app.header[0].value == "Data: pairs (uploaded)"
    assert app.success[0].value.startswith("Loaded pairs: 20 images in 2 classes")
    assert len(images(app)) == 2
    choose(app, dataset="digits")
    assert app.header[0].value == "Data: Digits (8×8)"
    choose(app, dataset="user:pairs")
    assert app.header[0].value == "Data: pairs (uploaded)"


def test_bad_upload_gets_a_message_and_the_app_keeps_its_dataset():
    app = choose(start_app(), dataset="digits")
    app.file_uploader[0].set_value(("evil.npz", npz_bytes(x=np.array([None], dtype=object)), "application/octet-stream")).run()
    assert not app.exception
    assert "refused for safety" in app.error[0].value
    assert app.header[0].value == "Data: Digits (8×8)"
    assert len(images(app)) == 10
