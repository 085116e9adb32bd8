"""Plain Keras autoencoders from a notebook, uploaded through ``store.load_model``: rebuilt
from their checked layer fields, split at the narrowest layer, and computing exactly what
the original computes; anything outside the allow-list refused naming the layer."""

from __future__ import annotations

import json
import math
import zipfile
from io import BytesIO

import keras
import numpy as np
import pytest
from bad_inputs import keras_bytes, lambda_model_bytes, replace_members

from latent_core import sandbox, store
from latent_core.models.keras_ae import (
    KerasAutoencoder,
    KerasGenerator,
    KerasVAE,
    checked_layer,
    narrowest_layer,
)
from latent_core.uploads import UploadRefused
from latent_core.workspace import Workspace
from ui.uploads import refusal_in

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
    assert error.code == "plain_unsupported_layer"
    assert (error.details["layer"], error.details["found"]) == ("noisy", "GaussianNoise")
    assert "layer noisy" in str(error) and "GaussianNoise" in str(error)


def test_a_field_outside_its_range_or_unknown_is_refused_naming_the_layer():
    model = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(2, 3, dilation_rate=2, name="dilated"),
                              layers.Flatten(), layers.Dense(64), layers.Reshape((8, 8, 1))])
    error = refusal(keras_bytes(model))
    assert error.code == "plain_layer" and "layer dilated" in str(error) and "dilation_rate" in str(error)
    assert refusal_in(error, "ko").endswith("layer dilated — dilation_rate: 여기서는 [1, 1]이어야 합니다.")  # in Korean too

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


@pytest.mark.parametrize("model, code, words", [
    (keras.Sequential([keras.Input((8,)), layers.Dense(4), layers.Dense(3)]), "plain_not_autoencoder",
     "not its input's"),
    (keras.Sequential([keras.Input((64,)), layers.Dense(128, name="wide"), layers.Dense(64)]), "plain_no_code",
     "narrowest layer (wide, 128 values)"),
], ids=["output_of_another_shape", "no_bottleneck"])
def test_a_model_that_is_not_an_autoencoder_is_told_why(model, code, words):
    error = refusal(keras_bytes(model))
    assert error.code == code and words in str(error)


def test_a_plain_autoencoder_for_other_data_is_refused_with_both_shapes():
    error = refusal(keras_bytes(tutorial_dense_ae()), input_shape=(8, 8, 1), data_name="Digits")
    assert error.code == "wrong_shape"
    assert error.details["model_shape"] == "(28, 28, 1)" and error.details["data_shape"] == "(8, 8, 1)"


def tutorial_encoder_decoder() -> tuple[keras.Model, keras.Model]:
    """An encoder and a decoder written as two models, as the TF tutorial's ``Autoencoder``
    class holds them."""
    encoder = keras.Sequential([keras.Input(MNIST_SHAPE), layers.Flatten(), layers.Dense(16, activation="relu")])
    decoder = keras.Sequential([keras.Input((16,)), layers.Dense(784, activation="sigmoid"),
                                layers.Reshape(MNIST_SHAPE)])
    return encoder, decoder


def vae_encoder_decoder() -> tuple[keras.Model, keras.Model]:
    """A VAE's encoder with two outputs (mean, log-variance) and its conv decoder, in the
    functional style of keras-io's VAE (without its custom sampling layer)."""
    inputs = keras.Input(MNIST_SHAPE)
    x = layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Flatten()(x)
    x = layers.Dense(8, activation="relu")(x)
    z_mean = layers.Dense(2, name="z_mean")(x)
    z_log_var = layers.Dense(2, name="z_log_var")(x)
    encoder = keras.Model(inputs, [z_mean, z_log_var], name="encoder")
    codes = keras.Input((2,))
    x = layers.Dense(7 * 7 * 4, activation="relu")(codes)
    x = layers.Reshape((7, 7, 4))(x)
    x = layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu")(x)
    outputs = layers.Conv2DTranspose(1, 3, padding="same", activation="sigmoid")(x)
    decoder = keras.Model(codes, outputs, name="decoder")
    rng = np.random.default_rng(2)
    for model in (encoder, decoder):
        model.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32) for w in model.get_weights()])
    return encoder, decoder


def dcgan_generator(noise: int = 8) -> keras.Model:
    """The TF DCGAN tutorial's generator, small: Dense, BatchNormalization, LeakyReLU,
    Reshape, Conv2DTranspose up to a tanh image; its batch-norm statistics moved."""
    model = keras.Sequential([
        keras.Input((noise,)),
        layers.Dense(7 * 7 * 8, use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Reshape((7, 7, 8)),
        layers.Conv2DTranspose(4, (5, 5), strides=(1, 1), padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(4, (5, 5), strides=(2, 2), padding="same", use_bias=False),
        layers.BatchNormalization(),
        layers.LeakyReLU(),
        layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"),
    ])
    rng = np.random.default_rng(3)
    model.set_weights([rng.uniform(0.2, 1.0, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def test_an_encoder_and_a_decoder_load_as_one_autoencoder_computing_what_they_compute():
    encoder, decoder = tutorial_encoder_decoder()
    x = images()
    model = store.load_model(keras_bytes(encoder), name="encoder.keras", decoder=keras_bytes(decoder),
                             decoder_name="decoder.keras", input_shape=MNIST_SHAPE)
    assert isinstance(model, KerasAutoencoder) and (model.split, model.latent_dim) == (1, 16)
    assert_close(model.encode(x), np.asarray(encoder(x)))
    assert_close(model.reconstruct(x), np.asarray(decoder(encoder(x))))


def test_a_vae_encoder_with_two_outputs_and_its_decoder_load_as_a_vae():
    encoder, decoder = vae_encoder_decoder()
    x = images()
    model = store.load_model(keras_bytes(encoder), name="encoder.keras", decoder=keras_bytes(decoder))
    assert isinstance(model, KerasVAE) and model.generative and model.latent_dim == 2
    mean, log_var = (np.asarray(part) for part in encoder(x))
    assert_close(model.encode(x), mean)
    assert_close(model.encode_distribution(x)[1], log_var)
    assert_close(model.reconstruct(x), np.asarray(decoder(mean)))
    codes = np.random.default_rng(0).standard_normal((3, 2)).astype(np.float32)
    assert_close(model.sample(3, seed=0), np.asarray(decoder(codes)))


class Sampling(layers.Layer):
    """keras.io's VAE tutorial's layer, as the tutorial writes it (not registered): z drawn
    from (z_mean, z_log_var)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = keras.ops.shape(z_mean)[0], keras.ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon


def keras_io_vae(latent_dim: int = 2) -> tuple[keras.Model, keras.Model]:
    """The encoder (outputs [z_mean, z_log_var, z], z from a ``Sampling`` layer) and the decoder
    exactly as keras.io's "Variational AutoEncoder" example builds them for MNIST."""
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
    return encoder, decoder


def test_the_keras_io_tutorial_vae_with_its_sampling_layer_loads_as_a_vae_without_its_code():
    encoder, decoder = keras_io_vae()
    x = images()
    model = store.load_model(keras_bytes(encoder), name="encoder.keras", decoder=keras_bytes(decoder),
                             decoder_name="decoder.keras", input_shape=MNIST_SHAPE)
    assert isinstance(model, KerasVAE) and model.latent_dim == 2
    assert not any(type(layer).__name__ == "Sampling" for layer in model.encoder.layers)  # its own code never runs
    mean, log_var, _ = (np.asarray(part) for part in encoder(x))
    assert_close(model.encode(x), mean)
    assert_close(model.encode_distribution(x)[1], log_var)
    assert_close(model.reconstruct(x), np.asarray(decoder(mean)))


@pytest.mark.parametrize("change, code", [
    (lambda sampling: sampling["config"].update(call="os.system"), "plain_layer"),  # a field it does not have
    (lambda sampling: sampling.update(class_name="Lambda"), "lambda"),
    (lambda sampling: sampling.update(registered_name="mine>Sampler"), "custom_code"),
    (lambda sampling: sampling["inbound_nodes"][0]["args"][0].reverse(), "plain_layer"),  # fed [z_log_var, z_mean]
], ids=["extra_field", "other_class", "other_registered_name", "other_inputs"])
def test_a_sampling_layer_unlike_the_tutorials_is_refused(change, code):
    encoder, decoder = keras_io_vae()

    def changed(config):
        change(next(layer for layer in config["config"]["layers"] if layer["class_name"] == "Sampling"))

    assert refusal(with_config(keras_bytes(encoder), changed), decoder=keras_bytes(decoder)).code == code


def test_an_encoder_and_decoder_whose_shapes_do_not_meet_are_refused_with_both_shapes():
    encoder, _ = tutorial_encoder_decoder()
    decoder = keras.Sequential([keras.Input((8,)), layers.Dense(784), layers.Reshape(MNIST_SHAPE)])
    error = refusal(keras_bytes(encoder), decoder=keras_bytes(decoder))
    assert (error.code, error.details["gives"], error.details["takes"]) == ("plain_encoder_shape", "(16,)", "(8,)")
    assert "codes of shape (16,)" in str(error) and "takes (8,)" in str(error)


def test_a_vae_encoder_alone_is_told_to_come_with_its_decoder():
    encoder, _ = vae_encoder_decoder()
    error = refusal(keras_bytes(encoder))
    assert error.code == "plain_not_autoencoder" and "with its decoder" in str(error)


def test_a_dcgan_generator_alone_samples_its_tanh_images_mapped_to_unit_range():
    generator = dcgan_generator()
    model = store.load_model(keras_bytes(generator), name="generator.keras", input_shape=MNIST_SHAPE)
    assert isinstance(model, KerasGenerator) and not model.has_encoder and model.generative
    assert (model.latent_dim, model.output_range) == (8, "tanh")
    noise = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
    expected = np.asarray(generator(noise, training=False))
    assert_close(model.decode(noise), (expected + 1) / 2)
    assert_close(model.sample(4, seed=0), (expected + 1) / 2)
    assert_close(model.with_options(output_range="unit").decode(noise), expected)


def test_a_generator_whose_last_activation_is_not_tanh_keeps_its_outputs():
    generator = keras.Sequential([keras.Input((4,)), layers.Dense(64, activation="sigmoid"), layers.Reshape((8, 8))])
    model = store.load_model(keras_bytes(generator), name="digits generator.keras")
    noise = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    assert (model.output_range, model.input_shape) == ("unit", (8, 8, 1))
    assert_close(model.decode(noise), np.asarray(generator(noise)).reshape(3, 8, 8, 1))


@pytest.mark.parametrize("shape, data_shape", [
    ((28, 28), (28, 28, 1)), ((28, 28, 1), (28, 28, 1)), ((784,), (28, 28, 1)), ((8, 8), (8, 8, 1)), ((64,), (8, 8, 1)),
], ids=["28x28", "28x28x1", "784", "8x8", "64"])
def test_inputs_of_every_course_shape_work_on_their_dataset(shape, data_shape):
    size = math.prod(shape)
    original = keras.Sequential([keras.Input(shape), layers.Reshape((size,)), layers.Dense(5, activation="relu"),
                                 layers.Dense(size, activation="sigmoid"), layers.Reshape(shape)])
    model = store.load_model(keras_bytes(original), name="mine.keras")
    assert model.input_shape == data_shape and model.latent_dim == 5
    x = images(shape=data_shape)
    assert_close(model.reconstruct(x), np.asarray(original(x.reshape(len(x), *shape))).reshape(x.shape))


def test_a_flat_autoencoder_with_an_image_output_works_on_its_dataset():
    original = keras.Sequential([keras.Input((784,)), layers.Dense(6), layers.Dense(784), layers.Reshape((28, 28))])
    model = store.load_model(keras_bytes(original), name="mine.keras")
    x = images()
    assert model.input_shape == MNIST_SHAPE
    assert_close(model.reconstruct(x), np.asarray(original(x.reshape(len(x), 784))).reshape(x.shape))


def test_a_shape_no_dataset_has_is_named_with_the_shapes_there_are():
    original = keras.Sequential([keras.Input((30, 30, 1)), layers.Flatten(), layers.Dense(4), layers.Dense(900),
                                 layers.Reshape((30, 30, 1))])
    error = refusal(keras_bytes(original), input_shape=MNIST_SHAPE)
    assert error.code == "plain_no_dataset" and error.details["shape"] == "(30, 30, 1)"
    assert "(28, 28, 1)" in error.details["known"] and "(8, 8, 1)" in error.details["known"]


def test_every_split_reproduces_the_original_and_a_moved_split_persists_in_the_saved_bundle(tmp_path):
    original, x = pooling_ae(), images()
    model = store.load_model(keras_bytes(original), name="mine.keras")
    expected = np.asarray(original(x, training=False))
    choices = model.split_choices()
    assert model.split in choices and 0 not in choices  # 28×28×8 values are more than a code may hold
    for split in choices:
        moved = model.with_options(split=split)
        assert moved.latent_dim == code_of(original, split, x).shape[1]
        assert_close(moved.encode(x), code_of(original, split, x))
        assert_close(moved.decode(moved.encode(x)), expected)
    workspace = Workspace(tmp_path)
    entry = workspace.save(model.with_options(split=choices[-1]), name="moved")
    reloaded = workspace.load(entry.id).model
    assert reloaded.split == choices[-1]
    assert_close(reloaded.reconstruct(x), expected)


def test_a_vae_and_a_generator_reload_from_the_workspace_the_same(tmp_path):
    encoder, decoder = vae_encoder_decoder()
    x = images()
    vae = store.load_model(keras_bytes(encoder), decoder=keras_bytes(decoder))
    generator = store.load_model(keras_bytes(dcgan_generator()))
    workspace = Workspace(tmp_path)
    for model, check in ((vae, lambda m: m.reconstruct(x)), (generator, lambda m: m.sample(3, seed=1))):
        reloaded = workspace.load(workspace.save(model, name=model.kind).id).model
        assert reloaded.kind == model.kind
        assert_close(check(reloaded), check(model))


def test_both_files_of_a_pair_are_read_in_the_sandbox_and_a_decoder_with_code_is_refused_unrun(tmp_path,
                                                                                                  monkeypatch):
    tasks = []
    real_run = sandbox.run

    def counting_run(task, payload, *args, **kwargs):
        tasks.append(task)
        return real_run(task, payload, *args, **kwargs)

    monkeypatch.setattr(sandbox, "run", counting_run)
    encoder, decoder = tutorial_encoder_decoder()
    store.load_model(keras_bytes(encoder), decoder=keras_bytes(decoder))
    assert tasks == ["model_archive", "model_archive"]
    marker = tmp_path / "ran"
    with pytest.raises(store.UnsafeModelError):
        store.load_model(keras_bytes(encoder), decoder=lambda_model_bytes(marker), decoder_name="decoder.keras")
    assert not marker.exists()


def test_a_model_saved_after_compile_and_fit_loads_without_its_optimizer_state():
    original = keras.Sequential([keras.Input((8, 8)), layers.Flatten(), layers.Dense(4, activation="relu"),
                                 layers.Dense(64, activation="sigmoid"), layers.Reshape((8, 8))])
    original.compile(optimizer="adam", loss="binary_crossentropy", metrics=["mae"])
    x = np.random.default_rng(0).random((64, 8, 8), dtype=np.float32)
    original.fit(x, x, epochs=1, batch_size=32, verbose=0)
    model = store.load_model(keras_bytes(original), name="trained.keras")
    assert_close(model.reconstruct(x[:5, ..., None]), np.asarray(original(x[:5]))[..., None])
