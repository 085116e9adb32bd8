"""The U-Net denoiser through the pages: offered and explained on the Train page, trained there,
used on the Denoise page (the library's one offered, with the library's own figures), and every
page that needs a latent code says it has none instead of failing."""

import time

import numpy as np
import pytest
from page_helpers import open_page
from streamlit.testing.v1 import AppTest

from latent_core import data, metrics, pretrained
from latent_core.evaluation import denoising_sweep
from latent_core.models import add_noise
from latent_core.workspace import Workspace
from ui import denoise_views

KIND = "unet_denoiser"


def button(app, label):
    return next(b for b in app.button if b.label == label)


def trained_tiny_unet() -> AppTest:
    """The Train page after it trained a U-Net denoiser for one epoch on 300 digits."""
    app = open_page("train.py", dataset="digits")
    app.selectbox[0].set_value(KIND).run()
    app.slider[0].set_value(1)  # epochs
    app.slider[1].set_value(300)  # training images
    app.text_input[0].set_value("tiny U-Net")
    button(app, "Start training").click().run()
    deadline = time.monotonic() + 180
    while not (app.success or app.error) and time.monotonic() < deadline:
        time.sleep(0.5)
        app.run()
    assert app.success and app.success[0].value.startswith("Finished tiny U-Net in"), [e.value for e in app.error]
    return app


def test_the_train_page_offers_it_and_says_what_skip_connections_do(workspace_root):
    app = open_page("train.py", dataset="digits")
    assert "U-Net denoiser" in app.selectbox[0].options
    app.selectbox[0].set_value(KIND).run()
    assert not app.exception
    captions = [caption.value for caption in app.caption]
    assert any("skip connections" in text and "no latent code" in text for text in captions)
    assert any(text.startswith("No latent code: the bottleneck holds 1,024 values") for text in captions)  # 4×4×64
    assert not [field for field in app.number_input if field.label == "Latent size"]  # no code size to pick
    labels = [widget.label for widget in app.text_input]
    assert "Filters per level, top first (each level but the last, the bottleneck, is pooled to half its size)" in labels
    assert any(toggle.label.startswith("Residual output") for toggle in app.toggle)
    assert app.text_input[0].value == "U-Net denoiser digits"  # no "-D": it has no code size
    convs = next(s for s in app.select_slider if s.label.startswith("3×3 convolutions per level"))
    assert convs.value == 1 and list(convs.options) == ["1", "2"]
    layers_with_one = len(app.dataframe[0].value)
    convs.set_value(2).run()
    assert not app.exception and len(app.dataframe[0].value) > layers_with_one  # a second convolution per level
    app.session_state["lang"] = "ko"
    app.run()
    assert any("스킵 연결" in caption.value for caption in app.caption)


def test_a_tiny_one_trained_on_the_train_page_denoises_on_the_denoise_page(workspace_root):
    app = trained_tiny_unet()
    entry = Workspace(workspace_root).entries()[0]
    assert entry.kind == KIND and "mean_psnr_denoised_0.2" in entry.metrics and "pca_test_mse" not in entry.metrics
    assert "★ tiny U-Net · U-Net denoiser, no latent code" in app.sidebar.selectbox[1].options
    model = app.session_state["training_job"].model
    app.switch_page("pages/denoise.py").run()
    assert not app.exception
    assert not any(info.value.startswith("Any autoencoder") for info in app.info)  # it is the better denoiser
    app.radio(key="denoise.source").set_value("test").run()
    app.number_input(key="denoise.image_index").set_value(3).run()
    clean = data.load_dataset("digits").x_test[3]
    noisy = add_noise(clean[np.newaxis], kind="gaussian", strength=0.2, seed=0)
    denoised = np.clip(model.reconstruct(noisy), 0.0, 1.0)
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Output PSNR"] == f"{metrics.psnr(clean[np.newaxis], denoised):.1f} dB"


@pytest.mark.parametrize(("page", "says"), [
    ("latent_map.py", "has no latent code"), ("generate.py", "has no latent code"),
    ("reconstruct.py", "does not compress"),
])
def test_pages_that_need_a_latent_code_say_it_has_none(workspace_root, page, says):
    from latent_core.models import build_model

    digits = data.load_dataset("digits", max_train=50, max_test=10)
    model = build_model(KIND, input_shape=(8, 8, 1), filters=(4, 8))
    entry = Workspace(workspace_root).save(model, name="untrained U-Net", dataset=digits)
    app = open_page(page, dataset="digits", model="workspace:" + entry.id)
    assert not app.exception
    assert says in app.warning[0].value and "Denoise page" in app.warning[0].value
    app.session_state["lang"] = "ko"
    app.run()
    assert "잡음 제거 페이지" in app.warning[0].value


@pytest.mark.parametrize("page", ["latent_map.py", "generate.py", "reconstruct.py"])
def test_pages_that_need_a_latent_code_offer_the_datasets_first_model_with_one(workspace_root, page):
    from latent_core.models import build_model

    digits = data.load_dataset("digits", max_train=50, max_test=10)
    model = build_model(KIND, input_shape=(8, 8, 1), filters=(4, 8))
    entry = Workspace(workspace_root).save(model, name="untrained U-Net", dataset=digits)
    with_code = next(e for e in pretrained.list_pretrained("digits") if e.kind != KIND)
    app = open_page(page, dataset="digits", model="workspace:" + entry.id)
    button(app, f"Use {with_code.name}").click().run()
    assert not app.exception and not app.warning
    assert app.session_state["model"] == "pretrained:" + with_code.name


def test_the_library_page_shows_it_has_no_code_and_no_compression(workspace_root):
    from latent_core.models import build_model

    digits = data.load_dataset("digits", max_train=50, max_test=10)
    entry = Workspace(workspace_root).save(build_model(KIND, input_shape=(8, 8, 1), filters=(4, 8)),
                                           name="untrained U-Net", dataset=digits)
    app = open_page("library.py", dataset="digits", model="workspace:" + entry.id)
    assert not app.exception
    shown = {metric.label: metric.value for metric in app.metric}
    assert shown["Latent size"] == "no code" and shown["Compression"] == "none"


def library_unet(dataset):
    found = [e for e in pretrained.list_pretrained(dataset) if e.kind == KIND]
    if not found:
        pytest.skip(f"no pretrained U-Net denoiser for {dataset} in pretrained/")
    return found[0]


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_the_denoise_page_offers_the_librarys_unet_and_shows_its_figures(workspace_root, dataset):
    unet = library_unet(dataset)
    bottleneck = next(e for e in pretrained.list_pretrained(dataset) if e.kind == "denoising_ae")
    app = open_page("denoise.py", dataset=dataset)
    assert not app.exception
    first = next(iter(denoise_views.models.choices_for(dataset, (28, 28, 1))))
    assert app.session_state["model"] == first.key  # the sidebar's model is the user's: offered, never switched
    assert app.info[0].value.startswith(f"Any autoencoder removes some noise, but {unet.name}, a U-Net denoiser")
    table = app.dataframe[0].value
    for strength, value in denoising_sweep(unet.metrics).items():
        assert table.loc[f"{strength:.1f}", unet.name] == pytest.approx(round(value, 1))
        assert table.loc[f"{strength:.1f}", bottleneck.name] == pytest.approx(
            round(bottleneck.metrics[f"psnr_denoised_{strength:.1f}"], 1))
    captions = [caption.value for caption in app.caption]
    per_image = unet.metrics["mean_psnr_denoised_0.2"]
    assert any(f"reaches {per_image:.1f} dB at σ = 0.2" in text for text in captions)
    assert any(f"back at {bottleneck.metrics['test_psnr']:.1f} dB" in text for text in captions)


def test_visiting_the_denoise_page_leaves_the_other_pages_their_model(workspace_root):
    library_unet("fashion_mnist")
    app = open_page("denoise.py", dataset="fashion_mnist")
    app.switch_page("pages/generate.py").run()
    assert not app.exception
    assert not any("has no latent code" in warning.value for warning in app.warning)
    assert app.session_state["model"] != "pretrained:" + library_unet("fashion_mnist").name
    assert app.image, "Generate draws its images with the sidebar's model"


def test_a_model_the_user_chose_is_kept_and_the_unet_offered(workspace_root):
    unet = library_unet("fashion_mnist")
    other = next(e for e in pretrained.list_pretrained("fashion_mnist") if e.kind == "vae")
    app = open_page("denoise.py", dataset="fashion_mnist", model="pretrained:" + other.name)
    assert app.session_state["model"] == "pretrained:" + other.name
    assert app.info[0].value.startswith(f"Any autoencoder removes some noise, but {unet.name}, a U-Net denoiser")
    button(app, "Use it").click().run()
    assert not app.exception and app.session_state["model"] == "pretrained:" + unet.name
