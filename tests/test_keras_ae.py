"""Plain Keras autoencoders from a notebook, uploaded through ``store.load_model``: rebuilt
from their checked layer fields, split at the narrowest layer, and computing exactly what
the original computes; anything outside the allow-list refused naming the layer."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

import keras
import numpy as np
import pytest
from bad_inputs import keras_bytes, replace_members

from latent_core import store
from latent_core.models.keras_ae import KerasAutoencoder, checked_layer, narrowest_layer
from latent_core.uploads import UploadRefused
from latent_core.workspace import Workspace

layers = keras.layers
MNIST_SHAPE = (28, 28, 1)


def images(count: int = 6, shape=MNIST_SHAPE) -> np.ndarray:
    return np.random.default_rng(0).random((count, *shape), dtype=np.float32)


def tutorial_dense_ae() -> keras.Model:
    """The TensorFlow tutorial's first autoencoder (Flatten, Dense(64) relu, Dense(784)
    sigmoid, Reshape), written as one Sequential model."""
    return keras.Sequential([
        keras.Input(MNIST_SHAPE),
        layers.Flatten(),
        layers.Dense(64, activation="relu"),
        layers.Dense(784, activation="sigmoid"),
        layers.Reshape(MNIST_SHAPE),
    ])


def tutorial_denoising_ae() -> keras.Model:
    """The tutorial's convolutional denoiser, written with the functional API."""
    inputs = keras.Input(MNIST_SHAPE)
    x = layers.Conv2D(16, (3, 3), activation="relu", padding="same", strides=2)(inputs)
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same", strides=2)(x)
    x = layers.Conv2DTranspose(8, kernel_size=3, strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(16, kernel_size=3, strides=2, activation="relu", padding="same")(x)
    outputs = layers.Conv2D(1, kernel_size=(3, 3), activation="sigmoid", padding="same")(x)
    return keras.Model(inputs, outputs)


def pooling_ae() -> keras.Model:
    """A course-style conv AE: max-pooling down, up-sampling up, batch norm, LeakyReLU,
    dropout, a Dense code; its batch-norm statistics set away from their defaults."""
    model = keras.Sequential([
        keras.Input(MNIST_SHAPE),
        layers.Conv2D(8, 3, padding="same"),
        layers.BatchNormalization(),
        layers.LeakyReLU(negative_slope=0.2),
        layers.MaxPooling2D(2),
        layers.Conv2D(4, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(10),
        layers.ReLU(),
        layers.Dense(7 * 7 * 4, activation="relu"),
        layers.Reshape((7, 7, 4)),
        layers.UpSampling2D(2),
        layers.Conv2DTranspose(8, 3, padding="same"),
        layers.Activation("elu"),
        layers.UpSampling2D(2),
        layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
    ])
    rng = np.random.default_rng(1)
    model.set_weights([rng.uniform(0.2, 1.0, weights.shape).astype(np.float32) for weights in model.get_weights()])
    return model


def code_of(model: keras.Model, layer_index: int, x: np.ndarray) -> np.ndarray:
    """The original model's output at layer ``layer_index`` (after its input), flattened."""
    output = x
    stack = [layer for layer in model.layers if not isinstance(layer, layers.InputLayer)]
    for layer in stack[: layer_index + 1]:
        output = layer(output, training=False)
    return np.asarray(output).reshape(len(x), -1)


def assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("build, split, latent_dim", [
    (tutorial_dense_ae, 1, 64),
    (tutorial_denoising_ae, 1, 7 * 7 * 8),
    (pooling_ae, 8, 10),
], ids=["tutorial_dense", "tutorial_denoising_conv", "pooling_batchnorm_leaky"])
def test_a_plain_autoencoder_loads_split_at_its_narrowest_layer_and_computes_what_the_original_does(build, split,
                                                                                                     latent_dim):
    original, x = build(), images()
    model = store.load_model(keras_bytes(original), name="mine.keras", input_shape=MNIST_SHAPE)
    assert isinstance(model, KerasAutoencoder) and model.kind == "keras_ae"
    assert (model.split, model.latent_dim) == (split, latent_dim)
    expected = np.asarray(original(x, training=False))
    assert_close(model.reconstruct(x), expected)
    assert_close(model.decode(model.encode(x)), expected)
    assert_close(model.encode(x), code_of(original, split, x))
    assert model.count_params() == original.count_params()


def test_the_first_of_equally_narrow_layers_ends_the_encoder():
    specs = [checked_layer({"class_name": "Dense", "config": {"name": "code", "units": 4, "activation": "linear",
                                                              "use_bias": True}}),
             checked_layer({"class_name": "ReLU", "config": {"name": "after", "max_value": None,
                                                             "negative_slope": 0.0, "threshold": 0.0}}),
             checked_layer({"class_name": "Dense", "config": {"name": "wide", "units": 16, "activation": "linear",
                                                              "use_bias": True}}),
             checked_layer({"class_name": "Dense", "config": {"name": "small", "units": 4, "activation": "linear",
                                                              "use_bias": True}}),
             checked_layer({"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "linear",
                                                              "use_bias": True}})]
    assert narrowest_layer((8,), specs) == 0
    assert narrowest_layer((8,), [specs[2], *specs]) == 1


def test_a_loaded_plain_autoencoder_is_saved_into_the_workspace_and_reloads_the_same(tmp_path):
    original, x = tutorial_denoising_ae(), images()
    model = store.load_model(keras_bytes(original), name="denoiser.keras")
    workspace = Workspace(tmp_path)
    entry = workspace.save(model, name="denoiser", dataset={"name": "MNIST", "source": "uploaded denoiser.keras"})
    assert entry.kind == "keras_ae" and entry.latent_dim == 392
    reloaded = workspace.load(entry.id).model
    assert_close(reloaded.reconstruct(x), np.asarray(original(x, training=False)))
    assert_close(reloaded.encode(x), model.encode(x))


def with_config(payload: bytes, change) -> bytes:
    """The .keras ``payload`` with its config.json changed by ``change(config)``."""
    with zipfile.ZipFile(BytesIO(payload)) as archive:
        config = json.loads(archive.read("config.json"))
    change(config)
    return replace_members(payload, config_json=json.dumps(config).encode())


def refusal(payload: bytes, **kwargs) -> UploadRefused:
    with pytest.raises(UploadRefused) as refused:
        store.load_model(payload, name="mine.keras", **kwargs)
    return refused.value


def test_a_layer_outside_the_allow_list_is_refused_naming_it():
    model = keras.Sequential([keras.Input((8,)), layers.Dense(4), layers.GaussianNoise(0.1, name="noisy"),
                              layers.Dense(8)])
    error = refusal(keras_bytes(model))
    assert error.code == "plain_layer"
    assert "layer noisy" in str(error) and "GaussianNoise" in str(error)


def test_a_field_outside_its_range_or_unknown_is_refused_naming_the_layer():
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(2, 3, dilation_rate=2, name="dilated"),
                              layers.Flatten(), layers.Dense(64), layers.Reshape((8, 8, 1))])
    error = refusal(keras_bytes(model))
    assert error.code == "plain_layer" and "layer dilated" in str(error) and "dilation_rate" in str(error)

    def add_field(config):
        config["config"]["layers"][2]["config"]["call_me"] = "os.system"

    error = refusal(with_config(keras_bytes(tutorial_dense_ae()), add_field))
    assert error.code == "plain_layer" and "'call_me'" in str(error)

    def add_input_field(config):
        config["config"]["layers"][0]["config"]["call_me"] = "os.system"

    error = refusal(with_config(keras_bytes(tutorial_dense_ae()), add_input_field))
    assert error.code == "plain_layer" and "'call_me'" in str(error)


def test_sizes_are_bounded_from_the_config_before_anything_is_built(monkeypatch):
    built = []
    monkeypatch.setattr(KerasAutoencoder, "__init__", lambda self, **options: built.append(options))

    def widen(config):
        stack = config["config"]["layers"]  # input, flatten, dense 64, dense 784, reshape
        for name in ("wide_1", "wide_2"):
            wide = json.loads(json.dumps(stack[2]))
            wide["config"].update(name=name, units=4096)
            stack.insert(2, wide)

    error = refusal(with_config(keras_bytes(tutorial_dense_ae()), widen))
    assert error.code == "too_big_model" and "weights" in error.details["what"]

    def too_wide(config):
        config["config"]["layers"][2]["config"]["units"] = 100_000

    error = refusal(with_config(keras_bytes(tutorial_dense_ae()), too_wide))
    assert error.code == "too_big_model" and "units" in error.details["what"]
    assert built == []


def test_a_functional_model_whose_layers_do_not_form_a_chain_is_refused():
    inputs = keras.Input((8,))
    first = layers.Dense(4)(inputs)
    skipped = layers.Dense(4, name="skips")(inputs)
    outputs = layers.Dense(8)(layers.Add()([first, skipped]))
    error = refusal(keras_bytes(keras.Model(inputs, outputs)))
    assert error.code == "plain_layer" and "one chain" in str(error)


@pytest.mark.parametrize("model, words", [
    (keras.Sequential([keras.Input((8,)), layers.Dense(4), layers.Dense(3)]), "not its input's"),
    (keras.Sequential([keras.Input((8,)), layers.Dense(16), layers.Dense(8)]), "no code to explore"),
], ids=["output_of_another_shape", "no_bottleneck"])
def test_a_model_that_is_not_an_autoencoder_is_told_why(model, words):
    error = refusal(keras_bytes(model))
    assert error.code == "plain_not_autoencoder" and words in str(error)


def test_a_plain_autoencoder_for_other_data_is_refused_with_both_shapes():
    error = refusal(keras_bytes(tutorial_dense_ae()), input_shape=(8, 8, 1), data_name="Digits")
    assert error.code == "wrong_shape"
    assert error.details["model_shape"] == "(28, 28, 1)" and error.details["data_shape"] == "(8, 8, 1)"
