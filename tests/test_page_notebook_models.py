"""Smoke tests: every explore page runs on Keras models from a notebook (an autoencoder with
28×28-style flat inputs on digits, a VAE pair, a generator) as on the app's own."""

import keras
import pytest
from bad_inputs import keras_bytes
from page_helpers import open_with_model

from latent_core import store
from latent_core.workspace import Workspace

layers = keras.layers
PAGES = ["reconstruct.py", "denoise.py", "latent_map.py", "generate.py", "anomaly.py", "library.py"]


@pytest.fixture
def notebook_entries(workspace_root):
    flat_ae = keras.Sequential([keras.Input((64,)), layers.Dense(8, activation="relu"), layers.Dense(3),
                                layers.Dense(64, activation="sigmoid")])
    inputs = keras.Input((8, 8, 1))
    hidden = layers.Dense(8, activation="relu")(layers.Flatten()(inputs))
    encoder = keras.Model(inputs, [layers.Dense(2, name="z_mean")(hidden), layers.Dense(2, name="z_log_var")(hidden)])
    decoder = keras.Sequential([keras.Input((2,)), layers.Dense(64, activation="sigmoid"), layers.Reshape((8, 8, 1))])
    generator = keras.Sequential([keras.Input((4,)), layers.Dense(64, activation="tanh"), layers.Reshape((8, 8))])
    workspace = Workspace(workspace_root)
    return {
        "flat_ae": workspace.save(store.load_model(keras_bytes(flat_ae), input_shape=(8, 8, 1)), name="flat ae"),
        "vae": workspace.save(store.load_model(keras_bytes(encoder), decoder=keras_bytes(decoder),
                                               input_shape=(8, 8, 1)), name="vae"),
        "generator": workspace.save(store.load_model(keras_bytes(generator), input_shape=(8, 8, 1)), name="gan"),
    }


@pytest.mark.parametrize("page", PAGES)
def test_smoke_every_page_runs_on_notebook_models(notebook_entries, page):
    for kind, entry in notebook_entries.items():
        app = open_with_model(page, entry)
        assert not app.exception, (kind, page, app.exception)
        assert not app.error, (kind, page, [error.value for error in app.error])
