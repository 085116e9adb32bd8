"""The page guard: a page that cannot run shows the one message that applies, then stops."""

import logging

import numpy as np
from page_helpers import open_page, open_with_model, tiny_digits_model

from latent_core import data
from ui.text import translate


def small_upload(name: str = "six") -> data.Dataset:
    """An uploaded dataset of 6×6 images: no pretrained model fits it."""
    rng = np.random.default_rng(0)
    return data.Dataset(name=name, x_train=rng.random((40, 6, 6, 1), dtype=np.float32),
                        y_train=np.arange(40) % 2, x_test=rng.random((10, 6, 6, 1), dtype=np.float32),
                        y_test=np.arange(10) % 2, source="an upload", class_names_en=("a", "b"),
                        class_names_ko=("a", "b"))


def test_an_unavailable_dataset_says_so_and_stops(monkeypatch, workspace_root):
    def unavailable(name):
        raise data.DatasetUnavailable(f"Could not load {name!r}.")

    monkeypatch.setattr("ui.shell.load_registered_dataset", unavailable)
    app = open_page("reconstruct.py", dataset="mnist")
    assert not app.exception
    assert [error.value for error in app.error] == [translate("common.dataset_unavailable", "en")]
    assert not app.metric  # stopped before the page body


def test_a_page_on_images_refuses_points_data(workspace_root):
    app = open_page("generate.py", dataset="swiss_roll")
    assert not app.exception
    assert [info.value for info in app.info] == [translate("guard.not_images", "en")]
    assert not app.tabs


def test_without_any_model_it_says_how_to_get_one(workspace_root):
    upload = small_upload()
    app = open_page("denoise.py", user_datasets={upload.name: upload}, dataset="user:" + upload.name)
    assert not app.exception
    assert [info.value for info in app.info] == [translate("guard.no_model", "en")]


def test_a_gan_has_no_encoder_to_compress_with(tiny):
    app = open_with_model("reconstruct.py", tiny.gan)
    assert not app.exception
    assert [warning.value for warning in app.warning] == [
        translate("guard.no_encoder", "en", kind=translate("kind.dcgan", "en"))]
    assert not app.metric


def test_a_model_that_does_not_load_is_reported_and_logged(workspace_root, caplog):
    entry = tiny_digits_model(workspace_root)
    (entry.path / "model.keras").write_bytes(b"not a keras file")
    with caplog.at_level(logging.WARNING, logger="ui.guard"):
        app = open_with_model("latent_map.py", entry)
    assert not app.exception
    assert len(app.error) == 1
    assert app.error[0].value.startswith(translate("guard.load_failed", "en", error="").rstrip())
    assert any(record.name == "ui.guard" and record.exc_info for record in caplog.records)
    assert not app.get("plotly_chart")


def test_the_library_reports_a_model_that_does_not_load_and_still_offers_uploads(workspace_root):
    entry = tiny_digits_model(workspace_root)
    (entry.path / "model.keras").write_bytes(b"not a keras file")
    app = open_with_model("library.py", entry)
    assert not app.exception
    assert app.error[0].value.startswith(translate("guard.load_failed", "en", error="").rstrip())
    assert app.get("file_uploader")
