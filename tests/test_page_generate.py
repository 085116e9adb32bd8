"""The Generate page through AppTest: representatives and sliders, perturbations, interpolation, VAE and GAN."""

import numpy as np
import pytest
from page_helpers import open_link, open_page, open_with_model
from streamlit.testing.v1 import AppTest

from latent_core import evaluation, latent, maps, pretrained
from ui import models

PAGE = "generate.py"


def image_by_caption(app: AppTest, start: str):
    return next(image.proto.imgs[0] for image in app.get("image") if image.proto.imgs[0].caption.startswith(start))


def test_an_autoencoder_gets_representatives_sliders_perturbations_and_interpolation(tiny):
    app = open_with_model(PAGE, tiny.ae)
    assert not app.exception
    assert app.header[0].value == "Generate"
    assert [tab.label for tab in app.tabs] == ["Class representative", "Perturbations", "Interpolation",
                                            "Interpolation meter"]
    representatives = app.get("image")[0].proto.imgs
    assert [image.caption for image in representatives] == [str(digit) for digit in range(10)]
    direction_sliders = [s for s in app.slider if s.key.startswith("generate.direction.")]
    assert len(direction_sliders) == 4  # a 4-D latent has 4 directions
    assert direction_sliders[0].label.startswith("Direction 1 (")
    assert len([s for s in app.slider if s.key.startswith("generate.dim.")]) == 4
    assert "no classifier" in " ".join(caption.value for caption in app.caption)
    assert {button.label for button in app.get("download_button")} >= {"PNG", "CSV", "NPZ"}


def test_moving_a_slider_changes_the_image_and_reset_brings_it_back(tiny):
    app = open_with_model(PAGE, tiny.ae)
    first = image_by_caption(app, "0, moved by the sliders").url
    app.slider(key="generate.direction.0").set_value(2.5).run()
    assert not app.exception
    moved = image_by_caption(app, "0, moved by the sliders").url
    assert moved != first
    app.slider(key="generate.dim.1").set_value(-2.0).run()
    assert image_by_caption(app, "0, moved by the sliders").url not in (first, moved)
    app.button(key="generate.reset").click().run()
    assert app.slider(key="generate.direction.0").value == 0.0
    assert app.slider(key="generate.dim.1").value == 0.0
    assert image_by_caption(app, "0, moved by the sliders").url == first


def test_sliders_never_re_encode_or_refit(tiny, monkeypatch):
    import streamlit as st

    st.cache_resource.clear()
    encoded, fitted = [], []
    encode, directions = maps.encode_sample, latent.class_directions
    monkeypatch.setattr(maps, "encode_sample", lambda *a, **k: encoded.append(1) or encode(*a, **k))
    monkeypatch.setattr(latent, "class_directions", lambda *a, **k: fitted.append(1) or directions(*a, **k))
    app = open_with_model(PAGE, tiny.ae)
    for value in (1.0, -1.0, 0.5):
        app.slider(key="generate.direction.1").set_value(value).run()
    app.slider(key="generate.spread").set_value(2.0).run()
    assert not app.exception
    assert encoded == [1] and fitted == [1]
    app.selectbox(key="generate.class").set_value(7).run()
    assert fitted == [1, 1]
    assert image_by_caption(app, "7, moved by the sliders")


def test_the_average_at_the_class_typical_distance_redraws_every_representative_and_the_address_keeps_it(tiny):
    app = open_with_model(PAGE, tiny.ae)
    plain_gallery = [image.url for image in app.get("image")[0].proto.imgs]
    plain_image = image_by_caption(app, "0, moved by the sliders").url
    plain_grid = image_by_caption(app, "16 perturbations of 0").url
    shrink = next(c.value for c in app.caption if c.value.startswith("0's plain average lies at "))
    assert 0 < int(shrink.split("lies at ")[1].split("%")[0]) < 100  # a class's average lies inside its codes
    assert app.query_params["average"] == "plain"

    app.radio(key="generate.average").set_value("typical").run()
    assert not app.exception
    typical_gallery = [image.url for image in app.get("image")[0].proto.imgs]
    assert all(moved != plain for moved, plain in zip(typical_gallery, plain_gallery, strict=True))
    assert image_by_caption(app, "0, moved by the sliders").url != plain_image
    assert image_by_caption(app, "16 perturbations of 0").url != plain_grid
    assert "the first tab's average: At the class's typical distance" in " ".join(m.value for m in app.markdown)
    assert image_by_caption(app, "From the mean of 0 to the mean of 1")  # interpolation keeps the plain means
    assert app.query_params["average"] == "typical"

    app.radio(key="generate.average").set_value("plain").run()
    assert [image.url for image in app.get("image")[0].proto.imgs] == plain_gallery


def test_a_generate_link_opens_at_its_average_and_ignores_one_it_does_not_take(tiny):
    linked = open_link(PAGE, dataset="digits", model="workspace:" + tiny.ae.id, average="typical")
    assert not linked.exception and linked.radio(key="generate.average").value == "typical"
    bad = open_link(PAGE, dataset="digits", model="workspace:" + tiny.ae.id, average="median")
    assert not bad.exception and bad.radio(key="generate.average").value == "plain"


def test_perturbation_grid_follows_its_controls(tiny):
    app = open_with_model(PAGE, tiny.ae)
    assert image_by_caption(app, "16 perturbations of 0")
    app.slider(key="generate.count").set_value(24).run()
    before = image_by_caption(app, "24 perturbations of 0").url
    app.number_input(key="generate.seed").set_value(3).run()
    assert not app.exception
    assert image_by_caption(app, "24 perturbations of 0").url != before


def test_interpolation_between_classes_and_between_images(tiny):
    app = open_with_model(PAGE, tiny.ae)
    assert image_by_caption(app, "From the mean of 0 to the mean of 1")
    app.selectbox(key="generate.to_class").set_value(8).run()
    app.radio(key="generate.method").set_value("slerp").run()
    assert image_by_caption(app, "From the mean of 0 to the mean of 8")
    app.radio(key="generate.between").set_value("images").run()
    app.number_input(key="generate.to_image").set_value(5).run()
    assert not app.exception
    assert image_by_caption(app, "The two original images")
    assert image_by_caption(app, "From a ")


def test_a_vae_adds_samples_from_its_prior(tiny):
    app = open_with_model(PAGE, tiny.vae)
    assert not app.exception
    assert [tab.label for tab in app.tabs][-1] == "Samples from the prior"
    assert image_by_caption(app, "16 samples from the prior")
    app.slider(key="generate.prior_count").set_value(8).run()
    assert image_by_caption(app, "8 samples from the prior")


def test_a_gan_gets_samples_and_sliders_over_its_noise(tiny):
    app = open_with_model(PAGE, tiny.gan)
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["GAN samples"]
    assert image_by_caption(app, "16 GAN samples")
    noise = latent.prior_samples(16, 8, 0)
    sliders = [s for s in app.slider if s.key.startswith("generate.noise.")]
    assert [s.value for s in sliders] == pytest.approx(np.round(np.clip(noise[0, :6], -3, 3), 1).tolist())
    before = image_by_caption(app, "The sample, moved by the sliders").url
    app.slider(key="generate.noise.0").set_value(2.9).run()
    assert image_by_caption(app, "The sample, moved by the sliders").url != before
    app.number_input(key="generate.gan_pick").set_value(4).run()
    assert app.slider(key="generate.noise.0").value == pytest.approx(round(float(np.clip(noise[3, 0], -3, 3)), 1))


def test_a_classifier_names_the_generated_image_live():
    if not any(e.name == "mnist_conv_ae_32" for e in pretrained.list_pretrained("mnist")):
        pytest.skip("no pretrained mnist_conv_ae_32 in pretrained/")
    app = open_page(PAGE, dataset="mnist", model="pretrained:mnist_conv_ae_32")
    assert not app.exception
    app.selectbox(key="generate.class").set_value(3).run()
    verdict = app.metric[0]
    assert verdict.label == "The classifier sees" and verdict.value == "3"
    assert "% sure" in str(verdict.proto.delta)
    assert "the classifier sees" in image_by_caption(app, "16 perturbations of 3").caption


def test_gan_samples_name_mode_collapse_by_the_classifiers_histogram():
    if not any(e.name == "mnist_dcgan" for e in pretrained.list_pretrained("mnist")):
        pytest.skip("no pretrained mnist_dcgan in pretrained/")
    app = open_page(PAGE, dataset="mnist", model="pretrained:mnist_dcgan")
    assert not app.exception
    classes = evaluation.sample_classes(pretrained.load_pretrained("mnist_dcgan").model, models.load_classifier("mnist"))
    coverage = evaluation.class_coverage(classes, 10)
    assert app.main.markdown[-1].value == "**Classes of 1,000 samples**"
    bars = app.get("plotly_chart")[-1].proto.spec
    assert '"type":"bar"' in bars.replace(" ", "")
    warned = [w.value for w in app.warning if w.value.startswith("Mode collapse")]
    assert len(warned) == int(coverage.collapsed)
    if coverage.collapsed:
        assert f"Class entropy {coverage.entropy:.2f} nats (all classes equally often: 2.30;" in warned[0]
        for c in coverage.rare:
            assert f"{c} ({coverage.shares[c]:.1%})" in warned[0]
    else:
        assert app.success[0].value.startswith("No mode collapse seen")
    assert any("this app's own classifier" in c.value for c in app.main.caption)


def test_vae_prior_samples_get_the_class_histogram_too():
    if not any(e.name == "mnist_vae_16" for e in pretrained.list_pretrained("mnist")):
        pytest.skip("no pretrained mnist_vae_16 in pretrained/")
    app = open_page(PAGE, dataset="mnist", model="pretrained:mnist_vae_16")
    assert not app.exception
    assert "β = 1" in next(m.value for m in app.main.markdown if "standard normal" in m.value)
    classes = evaluation.sample_classes(pretrained.load_pretrained("mnist_vae_16").model, models.load_classifier("mnist"))
    coverage = evaluation.class_coverage(classes, 10)
    named = [m.value for m in (*app.warning, *app.success)]
    assert len(named) == 1 and named[0].startswith("Mode collapse" if coverage.collapsed else "No mode collapse")
    assert f"{coverage.entropy:.2f} nats" in named[0]


def test_without_a_classifier_there_is_no_histogram(tiny):
    app = open_with_model(PAGE, tiny.gan)
    assert not app.exception
    assert not app.warning and not app.success
    assert any(c.value == "There is no classifier for this dataset, so no verdict." for c in app.main.caption)


def test_point_datasets_and_missing_models_get_a_message(tiny, monkeypatch):
    app = open_page(PAGE, dataset="swiss_roll")
    assert not app.exception and "image dataset" in app.info[0].value
    monkeypatch.setattr(models, "choices_for", lambda *args, **kwargs: [])
    app = open_page(PAGE, dataset="digits")
    assert not app.exception and "Train page" in app.info[0].value


def test_page_speaks_korean(tiny):
    app = open_with_model(PAGE, tiny.ae, lang="ko")
    assert not app.exception
    assert app.header[0].value == "생성"
    assert [tab.label for tab in app.tabs] == ["클래스 대표", "무작위 변형", "보간", "보간 측정기"]


def test_a_class_with_one_image_says_it_has_too_few_for_directions(tiny):
    from latent_core.data import Dataset

    rng = np.random.default_rng(0)
    labels = np.zeros(30, np.int64)
    labels[0] = 1  # one image of class 1
    upload = Dataset(name="lonely", x_train=rng.random((30, 8, 8, 1), dtype=np.float32), y_train=labels,
                     x_test=rng.random((5, 8, 8, 1), dtype=np.float32), y_test=np.zeros(5, np.int64),
                     source="an upload", class_names_en=("many", "one"), class_names_ko=("many", "one"))
    app = open_page(PAGE, user_datasets={"lonely": upload}, dataset="user:lonely", model="workspace:" + tiny.ae.id)
    assert not app.exception and not app.error
    app.selectbox(key="generate.class").set_value(1).run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        "one has too few images for its directions of variation: 1 in this sample, at least 2 needed."]


def notebook_models(workspace_root):
    """A generator and a VAE as a notebook writes them, uploaded through the strict path and saved."""
    import keras
    from bad_inputs import keras_bytes

    from latent_core import store
    from latent_core.workspace import Workspace

    layers = keras.layers
    generator = keras.Sequential([keras.Input((4,)), layers.Dense(32), layers.BatchNormalization(), layers.LeakyReLU(),
                                  layers.Dense(64, activation="tanh"), layers.Reshape((8, 8, 1))])
    inputs = keras.Input((64,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    encoder = keras.Model(inputs, [layers.Dense(2, name="z_mean")(hidden), layers.Dense(2, name="z_log_var")(hidden)])
    decoder = keras.Sequential([keras.Input((2,)), layers.Dense(64, activation="sigmoid")])
    workspace = Workspace(workspace_root)
    return (workspace.save(store.load_model(keras_bytes(generator), input_shape=(8, 8, 1)), name="notebook gan"),
            workspace.save(store.load_model(keras_bytes(encoder), decoder=keras_bytes(decoder),
                                            input_shape=(8, 8, 1)), name="notebook vae"))


def test_a_keras_generator_gets_gan_samples_and_a_keras_vae_its_prior(workspace_root):
    generator, vae = notebook_models(workspace_root)
    app = open_with_model(PAGE, generator)
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["GAN samples"]
    assert image_by_caption(app, "16 GAN samples")
    app = open_with_model(PAGE, vae)
    assert not app.exception
    assert [tab.label for tab in app.tabs][-1] == "Samples from the prior"
    assert image_by_caption(app, "16 samples from the prior")
    assert "β" not in " ".join(markdown.value for markdown in app.markdown)


def test_a_keras_generator_on_an_encoder_page_is_told_it_has_no_encoder(workspace_root):
    from ui.text import translate

    generator, _ = notebook_models(workspace_root)
    app = open_with_model("latent_map.py", generator)
    assert not app.exception
    assert [warning.value for warning in app.warning] == [
        translate("latent_map.no_encoder", "en", kind=translate("kind.keras_generator", "en"))]
    app = open_with_model("reconstruct.py", generator)
    assert [warning.value for warning in app.warning] == [
        translate("guard.no_encoder", "en", kind=translate("kind.keras_generator", "en"))]
