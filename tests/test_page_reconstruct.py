"""The Reconstruct & compress page, driven through AppTest with a tiny trained model and a pretrained one."""

import numpy as np
import pytest
import streamlit as st
from page_helpers import open_page, open_with_model
from streamlit.testing.v1 import AppTest

from latent_core import data, images, metrics, pretrained
from latent_core.models import build_model
from latent_core.workspace import Workspace
from ui import models

PAGE = "reconstruct.py"


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


SCALE_CAPTION = "Error colours, the same fixed scale on every heatmap"


def captions(app: AppTest) -> list[str]:
    """The grid images' captions (the heatmaps' colour scale left out)."""
    return [image.proto.imgs[0].caption for image in app.get("image")
            if not image.proto.imgs[0].caption.startswith(SCALE_CAPTION)]


@pytest.fixture
def stacks(monkeypatch):
    """Every stack of images the page lays out with ``montage``, in order (one per grid column)."""
    shown = []
    montage = images.montage
    monkeypatch.setattr(images, "montage", lambda stack, **options: shown.append(np.asarray(stack))
                        or montage(stack, **options))
    return shown


def test_tiny_model_shows_compression_and_both_errors(tiny):
    entry, model = tiny.ae, tiny.ae_model
    app = open_with_model(PAGE, entry)
    assert not app.exception
    assert app.header[0].value == "Reconstruct & compress"
    digits = data.load_dataset("digits")
    dims = model.latent_dim
    expected_model = metrics.reconstruction_mse(digits.x_test, model.reconstruct(digits.x_test))
    expected_pca = metrics.pca_baseline(digits.x_train, digits.x_test, dims).mse
    values = metric_values(app)
    assert values["Compression"] == f"{64 / dims:.1f} : 1"
    assert values["Autoencoder MSE"] == f"{expected_model:.4f}"
    assert values[f"PCA MSE, {dims} dimensions"] == f"{expected_pca:.4f}"
    assert len(app.success) + len(app.warning) == 1
    assert "PCA with the same number of dimensions, fitted on up to 5,000 training images" in app.main.markdown[0].value
    if app.success:  # the verdict names the PCA it compares with: digits has fewer than 5,000 training images
        assert f"PCA fitted on {len(digits.x_train):,} training images" in app.success[0].value


def test_grid_shows_each_image_with_its_model_and_pca_error(tiny):
    entry = tiny.ae
    shown = captions(open_with_model(PAGE, entry))
    assert len(shown) == 8
    assert all(" · MSE 0." in caption and " · PCA 0." in caption for caption in shown)


def test_each_reconstruction_has_a_heatmap_of_where_it_differs_and_the_scale_is_shown(tiny, stacks):
    entry, model = tiny.ae, tiny.ae_model
    app = open_with_model(PAGE, entry)
    assert not app.exception
    assert any(caption.value.startswith("From the top: original · your model · where your model differs")
               for caption in app.caption)
    assert any(image.proto.imgs[0].caption.startswith(SCALE_CAPTION) for image in app.get("image"))
    grid = stacks[-8:]
    assert all(stack.shape == (5, 8, 8, 3) for stack in grid)  # original, model, its error, PCA, its error
    digits = data.load_dataset("digits")
    column = grid[0]
    original = column[0, ..., :1]
    index = next(i for i in range(len(digits.x_test)) if np.array_equal(digits.x_test[i], original))
    rebuilt = np.clip(model.reconstruct(digits.x_test[index:index + 1]), 0.0, 1.0)
    np.testing.assert_allclose(column[2], images.error_heatmaps(digits.x_test[index:index + 1], rebuilt)[0],
                               atol=1e-5)
    np.testing.assert_allclose(column[4], images.error_heatmaps(original[np.newaxis], column[np.newaxis, 3, ..., :1])[0],
                               atol=1e-5)


def test_the_heatmaps_can_be_hidden(tiny, stacks):
    app = open_with_model(PAGE, tiny.ae)
    app.toggle(key="reconstruct.show_errors").set_value(False).run()
    assert not app.exception
    assert all(stack.shape[0] == 3 for stack in stacks[-8:])
    assert any(caption.value.startswith("Top: original · middle: your model") for caption in app.caption)
    assert not any(image.proto.imgs[0].caption.startswith(SCALE_CAPTION) for image in app.get("image"))
    assert len(captions(app)) == 8


def test_controls_change_how_many_and_which_images(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    first = captions(app)
    app.slider(key="reconstruct.count").set_value(16).run()
    assert len(captions(app)) == 16
    app.slider(key="reconstruct.count").set_value(8).run()
    assert captions(app) == first
    app.radio(key="reconstruct.pick").set_value("class").run()
    app.selectbox(key="reconstruct.class").set_value(3).run()
    assert len(captions(app)) == 8 and all(caption.startswith("3 · ") for caption in captions(app))
    before = captions(app)
    app.button[0].click().run()
    assert not app.exception
    assert captions(app) != before and all(caption.startswith("3 · ") for caption in captions(app))


def test_pca_is_fitted_once_not_on_every_control_change(tiny, monkeypatch):
    entry, model = tiny.ae, tiny.ae_model
    st.cache_resource.clear()
    fits = []
    fit = metrics.pca_baseline
    monkeypatch.setattr(metrics, "pca_baseline", lambda *args, **kwargs: fits.append(args[2]) or fit(*args, **kwargs))
    app = open_with_model(PAGE, entry)
    app.slider(key="reconstruct.count").set_value(12).run()
    app.button[0].click().run()
    assert not app.exception
    assert fits == [model.latent_dim]


def test_a_code_wider_than_the_image_has_no_pca_comparison(tmp_path, monkeypatch):
    wide = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=72, seed=0)
    entry = Workspace(tmp_path).save(wide, name="wider than the image")
    monkeypatch.setenv(models.WORKSPACE_ENV, str(tmp_path))
    app = open_with_model(PAGE, entry)
    assert not app.exception
    assert app.info[0].value.startswith("PCA cannot keep 72 dimensions of images with 64 pixels")
    assert len(captions(app)) == 8 and not any("PCA" in caption for caption in captions(app))


def test_page_speaks_korean(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    app.session_state["lang"] = "ko"
    app.run()
    assert app.header[0].value == "복원과 압축"
    assert "압축률" in metric_values(app)
    assert any(image.proto.imgs[0].caption.startswith("오차 색은 모든 히트맵에서 같은 고정 척도입니다")
               for image in app.get("image"))


def test_without_a_model_the_page_says_where_to_get_one(tiny, monkeypatch):
    monkeypatch.setattr(models, "choices_for", lambda *args, **kwargs: [])
    app = open_page(PAGE, dataset="digits")
    assert not app.exception
    assert "Train page" in app.info[0].value
    assert not app.get("image")


def test_point_datasets_get_a_message_instead_of_images(tiny):
    app = open_page(PAGE, dataset="swiss_roll")
    assert not app.exception
    assert "image dataset" in app.info[0].value


@pytest.mark.parametrize("dataset", ["digits", "mnist", "fashion_mnist"])
def test_renders_with_a_pretrained_model(dataset):
    if not pretrained.list_pretrained(dataset):
        pytest.skip(f"no pretrained model for {dataset} in pretrained/")
    app = open_page(PAGE, dataset=dataset)
    assert not app.exception
    assert app.session_state["model"].startswith("pretrained:")
    assert len(captions(app)) == 8
    assert {"Compression", "Autoencoder MSE"} <= set(metric_values(app))


def test_an_upload_with_the_same_name_and_shape_but_other_pictures_gets_its_own_pca_fit(tiny):
    import numpy as np

    rng = np.random.default_rng(0)
    bright = data.Dataset(name="same", x_train=rng.random((200, 8, 8, 1), dtype=np.float32),
                          y_train=np.arange(200) % 2, x_test=rng.random((50, 8, 8, 1), dtype=np.float32),
                          y_test=np.arange(50) % 2, source="an upload", class_names_en=("a", "b"),
                          class_names_ko=("a", "b"))
    dark = data.Dataset(**{**bright.__dict__, "x_train": bright.x_train * 0.5, "x_test": bright.x_test * 0.5})
    app = open_page(PAGE, user_datasets={"same": bright}, dataset="user:same", model="workspace:" + tiny.ae.id)
    pca_label = "PCA MSE, 4 dimensions"
    before = float(metric_values(app)[pca_label])
    app.session_state["user_datasets"] = {"same": dark}  # uploaded again: same name and shape, other pictures
    app.run()
    assert not app.exception
    assert float(metric_values(app)[pca_label]) == pytest.approx(before / 4, rel=0.05)
