"""Model zoo: every kind builds, checks its inputs, round-trips its config and serves
NumPy through the fast path."""

import keras
import numpy as np
import pytest

from latent_core.models import (
    MODEL_KINDS,
    ModelInputError,
    NoEncoderError,
    NotGenerativeError,
    add_noise,
    build_model,
    kinds_for,
    model_class,
)
from latent_core.models.options import RECONSTRUCTION_LOSSES, TrainOption

ALL_KINDS = sorted(MODEL_KINDS)
# Kinds with a latent code of a free size; the U-Net denoiser has none (tests/test_unet_denoiser.py).
LATENT_KINDS = [kind for kind in ALL_KINDS if MODEL_KINDS[kind].has_latent]
IMAGE_SHAPES = [(28, 28, 1), (8, 8, 1)]


def test_registry_holds_the_eight_kinds():
    assert set(MODEL_KINDS) == {"dense_ae", "conv_ae", "denoising_ae", "unet_denoiser", "sparse_ae",
                                "linear_ae", "vae", "dcgan"}
    for kind, cls in MODEL_KINDS.items():
        assert cls.kind == kind


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_kind_describes_itself_for_the_train_page(kind):
    cls = MODEL_KINDS[kind]
    assert cls.title and cls.__doc__ and cls.training_ms_per_image > 0
    for option in cls.train_options:
        assert option.name in cls.option_names  # saved with the model, so it round-trips
        default = cls.option_default(option.name)
        if option.type == "number":
            assert option.minimum <= default <= option.maximum
        elif option.type == "range":
            assert option.minimum <= default[0] <= default[1] <= option.maximum
        elif option.type == "one_of":
            assert default in option.choices
        elif option.type == "int_list":
            assert option.parse_list(", ".join(map(str, default))) == tuple(default)  # within its bounds
        elif option.type == "flag":
            assert isinstance(default, bool)
        else:
            assert set(default) <= set(option.choices)


def test_image_only_kinds_are_offered_for_images_only_and_refuse_flat_inputs():
    assert kinds_for((8, 8, 1)) == list(MODEL_KINDS)
    assert kinds_for((3,)) == ["dense_ae", "sparse_ae", "linear_ae", "vae"]
    for kind, cls in MODEL_KINDS.items():
        if cls.image_only:
            with pytest.raises(ValueError, match="must be an image shape"):
                build_model(kind, input_shape=(3,), latent_dim=2)
        else:
            assert build_model(kind, input_shape=(3,), latent_dim=2).input_shape == (3,)


@pytest.mark.parametrize("shape", [(8, 8, 1), (3,)], ids=["images", "points"])
@pytest.mark.parametrize("kind", LATENT_KINDS)
def test_the_losses_a_kind_offers_are_exactly_those_it_builds_with(kind, shape):
    cls = MODEL_KINDS[kind]
    if cls.image_only and len(shape) != 3:
        pytest.skip("not offered for points")
    offered = cls.supported_losses(shape)
    for loss in RECONSTRUCTION_LOSSES:
        if loss in offered:
            assert build_model(kind, input_shape=shape, latent_dim=2, loss=loss).options["loss"] == loss
        else:
            with pytest.raises((ValueError, TypeError)):
                build_model(kind, input_shape=shape, latent_dim=2, loss=loss)


def test_option_defaults_come_from_the_most_derived_constructor():
    assert model_class("sparse_ae").option_default("latent_dim") == 64
    assert model_class("dense_ae").option_default("latent_dim") == 32
    assert model_class("denoising_ae").option_default("filters") == (32, 64)  # from the conv AE
    with pytest.raises(ValueError, match="no constructor of DenseAutoencoder has a default for 'beta'"):
        model_class("dense_ae").option_default("beta")


def test_a_train_option_needs_its_range_or_its_choices():
    with pytest.raises(ValueError, match="needs minimum, maximum and step"):
        TrainOption("beta", "number", minimum=0.0)
    with pytest.raises(ValueError, match="needs its choices"):
        TrainOption("architecture", "one_of")


@pytest.mark.parametrize("shape", IMAGE_SHAPES)
@pytest.mark.parametrize("kind", LATENT_KINDS)
def test_every_kind_builds_and_maps_shapes(kind, shape):
    model = build_model(kind, input_shape=shape, latent_dim=6)
    assert model.kind == kind and model.latent_dim == 6 and model.input_shape == shape
    codes = np.random.default_rng(0).standard_normal((5, 6)).astype("float32")
    images = model.decode(codes)
    assert images.shape == (5, *shape) and images.dtype == np.float32
    if kind != "linear_ae":  # the linear AE's outputs are unbounded by design
        assert images.min() >= 0.0 and images.max() <= 1.0
    if model.has_encoder:
        x = np.random.default_rng(1).random((3, *shape), dtype=np.float32)
        assert model.encode(x).shape == (3, 6)
        assert model.reconstruct(x).shape == (3, *shape)
    if model.generative:
        assert model.sample(4, seed=3).shape == (4, *shape)
        np.testing.assert_array_equal(model.sample(2, seed=3), model.sample(2, seed=3))
    rows = model.summary_rows()
    assert sum(row["parameters"] for row in rows) == model.count_params()


@pytest.mark.parametrize("kind", ["dense_ae", "linear_ae"])
def test_flat_inputs_give_a_3_to_2_autoencoder(kind):
    model = build_model(kind, input_shape=(3,), latent_dim=2)
    points = np.array([[-9.0, 3.0, 12.5], [0.0, 20.0, -4.0]], dtype=np.float32)
    assert model.encode(points).shape == (2, 2)
    assert model.reconstruct(points).shape == (2, 3)


@pytest.mark.parametrize("kind", LATENT_KINDS)
def test_wrong_shape_says_what_was_expected(kind):
    model = build_model(kind, input_shape=(8, 8, 1), latent_dim=4)
    with pytest.raises(ModelInputError, match=r"latent codes of shape \(n, 4\).*got \(2, 5\)"):
        model.decode(np.zeros((2, 5)))
    if not model.has_encoder:
        return
    with pytest.raises(ModelInputError, match=r"shape \(n, 8, 8, 1\); got \(2, 28, 28, 1\)"):
        model.encode(np.zeros((2, 28, 28, 1)))
    with pytest.raises(ModelInputError, match="add a batch axis"):
        model.encode(np.zeros((8, 8, 1)))
    with pytest.raises(ModelInputError, match="Add the channel axis"):
        model.reconstruct(np.zeros((2, 8, 8)))


def test_wrong_range_and_non_finite_inputs_are_refused():
    model = build_model("conv_ae", input_shape=(8, 8, 1), latent_dim=4)
    with pytest.raises(ModelInputError, match=r"pixel values in \[0, 1\].*Divide 0-255"):
        model.encode(np.full((1, 8, 8, 1), 255.0))
    with pytest.raises(ModelInputError, match="NaN or infinite"):
        model.encode(np.full((1, 8, 8, 1), np.nan))


def test_gan_has_no_encoder_and_autoencoders_no_prior():
    gan = build_model("dcgan", input_shape=(8, 8, 1), latent_dim=4)
    with pytest.raises(NoEncoderError, match="no encoder"):
        gan.encode(np.zeros((1, 8, 8, 1)))
    with pytest.raises(NoEncoderError):
        gan.reconstruct(np.zeros((1, 8, 8, 1)))
    with pytest.raises(NotGenerativeError, match="not generative"):
        build_model("dense_ae", input_shape=(8, 8, 1)).sample(3)


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("nope", {}, "unknown model kind 'nope'; choose one of"),
        ("dense_ae", {"loss": "hinge"}, "loss must be one of 'mse', 'bce', 'l1'"),
        ("dense_ae", {"latent_dim": 0}, "latent_dim must be a positive integer"),
        ("dense_ae", {"hidden_units": 64}, r"hidden_units must be a list of positive ints"),
        ("dense_ae", {"activation": "wiggle"}, "activation must name one of the activations"),
        ("dense_ae", {"output_activation": "linear", "loss": "bce"}, "loss='bce' needs"),
        ("conv_ae", {"input_shape": (30, 30, 1)}, "multiples of 4"),
        ("conv_ae", {"input_shape": (3,)}, "must be an image shape"),
        ("conv_ae", {"downsample": "avgpool"}, "downsample must be one of 'strided', 'maxpool'"),
        ("denoising_ae", {"noise_strength": (0.5, 0.1)}, "0 <= low <= high <= 1"),
        ("denoising_ae", {"noise_kinds": ["blur"]}, "noise_kinds must be one of"),
        ("linear_ae", {"loss": "bce"}, "loss='bce' needs output_activation='sigmoid'"),
        ("sparse_ae", {"l1_penalty": -1}, "l1_penalty must be a finite number >= 0"),
        ("vae", {"architecture": "rnn"}, "architecture must be one of 'dense', 'conv'"),
        ("vae", {"beta": "big"}, "beta must be a number >= 0"),
        ("dcgan", {"input_shape": (10, 10, 1)}, "multiples of 4"),
        ("dcgan", {"seed": -1}, "seed must be an integer >= 0"),
    ],
)
def test_bad_options_fail_early_with_a_fix(kind, options, message):
    options = {"input_shape": (8, 8, 1), **options}
    with pytest.raises(ValueError, match=message):
        build_model(kind, **options)


@pytest.mark.parametrize("kind", LATENT_KINDS)
def test_config_round_trip_rebuilds_the_same_model(kind):
    model = build_model(kind, input_shape=(8, 8, 1), latent_dim=3, seed=5)
    clone = type(model).from_config(model.get_config())
    assert clone.options == model.options
    for a, b in zip(model.get_weights(), clone.get_weights()):
        np.testing.assert_array_equal(a, b)  # same seed, same initial weights


def test_same_seed_same_weights_other_seed_other_weights():
    first, second, other = (build_model("conv_ae", input_shape=(8, 8, 1), seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(first.get_weights()[0], second.get_weights()[0])
    assert not np.array_equal(first.get_weights()[0], other.get_weights()[0])


def test_fast_path_matches_a_plain_keras_call_and_batches_large_inputs():
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    x = np.random.default_rng(0).random((600, 8, 8, 1), dtype=np.float32)
    expected = keras.ops.convert_to_numpy(model(x, training=False))
    np.testing.assert_allclose(model.reconstruct(x), expected, rtol=1e-5, atol=1e-6)
    assert model.reconstruct(x[:0]).shape == (0, 8, 8, 1)


def test_vae_encode_returns_the_mean():
    model = build_model("vae", input_shape=(8, 8, 1), latent_dim=2, architecture="conv")
    x = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    mean, log_var = model.encode_distribution(x)
    np.testing.assert_allclose(model.encode(x), mean, rtol=1e-5, atol=1e-6)
    assert log_var.shape == (4, 2)


class TestNoise:
    images = np.full((20, 8, 8, 1), 0.5, dtype=np.float32)

    def test_gaussian_strength_sets_the_spread_and_zero_changes_nothing(self):
        np.testing.assert_array_equal(add_noise(self.images, strength=0.0), self.images)
        noisy = add_noise(self.images, kind="gaussian", strength=0.1, seed=0)
        assert 0.08 < float(np.std(noisy - self.images)) < 0.12

    def test_salt_and_pepper_flips_about_the_given_fraction_to_0_or_1(self):
        noisy = add_noise(self.images, kind="salt_pepper", strength=0.3, seed=0)
        changed = noisy != self.images
        assert 0.25 < changed.mean() < 0.35
        assert set(np.unique(noisy[changed])) <= {0.0, 1.0}

    def test_strokes_only_draw_white_lines(self):
        noisy = add_noise(self.images, kind="strokes", strength=1.0, seed=0)
        changed = noisy != self.images
        assert changed.any() and np.all(noisy[changed] == 1.0)
        np.testing.assert_array_equal(add_noise(self.images, kind="strokes", strength=0.0), self.images)

    def test_same_seed_same_noise_and_bad_arguments_explain(self):
        np.testing.assert_array_equal(add_noise(self.images, seed=4), add_noise(self.images, seed=4))
        assert not np.array_equal(add_noise(self.images, seed=4), add_noise(self.images, seed=5))
        with pytest.raises(ValueError, match="noise kind must be one of"):
            add_noise(self.images, kind="blur")
        with pytest.raises(ValueError, match=r"strength must be in \[0, 1\]"):
            add_noise(self.images, strength=2)


def test_fast_path_is_traced_once_for_any_batch_size():
    model = build_model("conv_ae", input_shape=(8, 8, 1), latent_dim=4)
    for n in (1, 3, 1, 7):
        model.reconstruct(np.zeros((n, 8, 8, 1), np.float32))
        model.decode(np.zeros((n, 4), np.float32))
    functions = model._fast_path._functions
    assert functions["reconstruct"].experimental_get_tracing_count() == 1
    assert functions["decode"].experimental_get_tracing_count() == 1
