"""A model saved again under its ID (a training's checkpoint replaced by its final model) gets fresh
results on every page that caches them: codes, maps, errors and downloads are keyed by its version."""

import json

import pytest
from page_helpers import open_with_model, tiny_digits_model

from latent_core.data import load_dataset
from latent_core.models import build_model
from latent_core.workspace import Workspace


@pytest.fixture
def resave(workspace_root):
    """A tiny model in a fresh workspace, and a function that saves another one under its ID.

    The other model keeps the decoder and changes the encoder, so only codes computed
    again (not old codes through the new decoder) change what the pages show."""
    entry = tiny_digits_model(workspace_root)
    workspace = Workspace(workspace_root)

    def save_other_model():
        old = workspace.load(entry.id).model
        new = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
        new.decoder.set_weights(old.decoder.get_weights())
        new.encoder.set_weights([1.5 * weights + 0.1 for weights in old.encoder.get_weights()])
        saved = workspace.save(new, name=entry.name, dataset=load_dataset("digits", max_train=200, max_test=50),
                               entry_id=entry.id)
        assert saved.id == entry.id
        return saved

    return entry, save_other_model


def image_urls(app) -> list[str]:
    return [image.url for element in app.get("image") for image in element.proto.imgs]


def test_generate_encodes_the_sample_again_after_a_resave(resave):
    entry, save_other_model = resave
    app = open_with_model("generate.py", entry)
    before = image_urls(app)[:10]  # the ten class representatives
    save_other_model()
    app.run()
    assert not app.exception
    after = image_urls(app)[:10]
    assert len(after) == 10 and set(after).isdisjoint(before)


def test_the_latent_map_is_computed_again_after_a_resave(resave):
    entry, save_other_model = resave
    app = open_with_model("latent_map.py", entry)
    app.radio(key="latent_map.method").set_value("pca").run()
    before = json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["x"]
    save_other_model()
    app.run()
    assert not app.exception
    assert json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]["x"] != before


def test_reconstruct_scores_the_new_model_after_a_resave(resave):
    entry, save_other_model = resave
    app = open_with_model("reconstruct.py", entry)
    before = app.metric[1].value
    save_other_model()
    app.run()
    assert not app.exception
    assert app.metric[1].label == "Autoencoder MSE" and app.metric[1].value != before


def test_the_library_downloads_the_new_model_after_a_resave(resave, monkeypatch):
    from streamlit.runtime.media_file_manager import MediaFileManager

    downloads = []  # the .keras file each run of the page offers, built when clicked
    register = MediaFileManager.add_deferred
    monkeypatch.setattr(MediaFileManager, "add_deferred", lambda self, make, *args, **options: (
        options.get("file_name", "").endswith(".keras") and downloads.append(make)) or register(
        self, make, *args, **options))
    entry, save_other_model = resave
    app = open_with_model("library.py", entry)
    before = downloads[-1]()
    save_other_model()
    app.run()
    assert not app.exception
    assert downloads[-1]() != before
