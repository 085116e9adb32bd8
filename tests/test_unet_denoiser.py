"""The U-Net denoiser: a conv autoencoder whose skip connections bypass its bottleneck, so it
takes images in and gives images out but has no latent code; its options are checked, it
saves and loads through the bundle code, trains on noisy inputs and is measured as a denoiser."""

import json

import keras
import numpy as np
import pytest

from latent_core import evaluation, metrics, store
from latent_core.models import (
    MODEL_KINDS,
    NoEncoderError,
    NoLatentError,
    add_noise,
    build_model,
    kind_has_latent,
    model_class,
)
from latent_core.models.options import OptionRefused, SettingsRefused
from latent_core.training import train

KIND = "unet_denoiser"


def small(**options):
    return build_model(KIND, input_shape=(8, 8, 1), filters=(4, 8, 16), seed=3, **options)


def images(count=6, shape=(8, 8, 1), seed=0):
    return np.random.default_rng(seed).random((count, *shape), dtype=np.float32)


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("shape", [(8, 8, 1), (28, 28, 1)])
def test_it_maps_images_to_images_of_the_same_shape_in_0_to_1(shape, residual):
    model = build_model(KIND, input_shape=shape, filters=(4, 8, 16), residual=residual)
    out = model.reconstruct(images(shape=shape))
    assert out.shape == (6, *shape) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert sum(row["parameters"] for row in model.summary_rows()) == model.count_params()


def test_every_level_but_the_bottleneck_has_a_skip_connection_from_the_encoder():
    network = small().network
    for level in range(2):  # three levels of filters: two poolings, two skips
        skip = network.get_layer(f"skip_{level}")
        assert isinstance(skip, keras.layers.Concatenate)
        sources = {tensor._keras_history.operation.name for tensor in skip.input}
        assert sources == {f"down_{level}", f"upsample_{level}"}
        assert skip.output.shape[1:3] == network.get_layer(f"down_{level}").output.shape[1:3]
    with pytest.raises(ValueError):
        network.get_layer("skip_2")


def test_two_convolutions_per_level_stack_a_second_3x3_convolution_at_every_level():
    one, two = small(), small(convs_per_level=2)
    names = lambda model: [layer.name for layer in model.network.layers if isinstance(layer, keras.layers.Conv2D)]
    assert names(one) == ["down_0", "down_1", "bottleneck", "up_1", "up_0", "output"]
    assert names(two) == ["down_0", "down_0_2", "down_1", "down_1_2", "bottleneck", "bottleneck_2",
                          "up_1", "up_1_2", "up_0", "up_0_2", "output"]
    for level, n in enumerate((4, 8)):  # the skip carries the level's last convolution, n filters
        skip = two.network.get_layer(f"skip_{level}")
        assert {tensor._keras_history.operation.name for tensor in skip.input} == {f"down_{level}_2",
                                                                                   f"upsample_{level}"}
        assert two.network.get_layer(f"down_{level}_2").kernel.shape == (3, 3, n, n)
    # the extra 3x3 kernels and biases: 4·4, 8·8 and 16·16 down and in the bottleneck, 8·8 and 4·4 up
    assert two.count_params() - one.count_params() == sum(9 * n * n + n for n in (4, 8, 16, 8, 4))
    out = two.reconstruct(images())
    assert out.shape == (6, 8, 8, 1) and out.min() >= 0.0 and out.max() <= 1.0


def test_a_model_saved_before_convs_per_level_existed_loads_with_one_per_level():
    cls = model_class(KIND)
    config = small().get_config()
    assert "convs_per_level" not in config and "convs_per_level" not in small().options  # as such a model saved
    options = cls.checked_saved_options(config)
    assert cls.saved_value(options, "convs_per_level") == 1
    assert cls.weight_count(options) == small().count_params()
    assert model_class(KIND).from_config(config).count_params() == small().count_params()


def test_the_residual_output_is_the_input_plus_a_learned_correction_clipped():
    model = small(residual=True)
    correction = model.network.get_layer("correction")
    correction.set_weights([np.zeros_like(w) for w in correction.get_weights()])
    x = images()
    np.testing.assert_allclose(model.reconstruct(x), x, atol=1e-6)  # no correction: the input itself
    correction.set_weights([np.zeros_like(correction.get_weights()[0]), np.full((1,), 0.5, np.float32)])
    np.testing.assert_allclose(model.reconstruct(x), np.clip(x + 0.5, 0.0, 1.0), atol=1e-6)


def test_it_has_no_latent_code_to_encode_or_decode():
    model = small()
    assert not model.has_latent and model.has_encoder and not model.generative
    assert not kind_has_latent(KIND) and kind_has_latent("conv_ae") and kind_has_latent("a_notebook_kind")
    with pytest.raises(NoLatentError, match="skip connections"):
        model.encode(images())
    with pytest.raises(NoEncoderError):  # pages that catch a missing encoder catch this too
        model.decode(np.zeros((1, model.latent_dim), np.float32))


def test_its_latent_size_is_the_bottlenecks_and_no_other_is_taken():
    model = small()
    assert model.latent_dim == 2 * 2 * 16  # 8×8 pooled twice, 16 filters
    assert model_class(KIND).fixed_latent_dim((28, 28, 1), {"filters": (16, 32, 64)}) == 7 * 7 * 64
    assert model_class(KIND).fixed_latent_dim((28, 28, 1), {"filters": (8, 16, 32, 64)}) is None  # 28 / 8
    assert small(latent_dim=64).latent_dim == 64
    with pytest.raises(SettingsRefused, match="bottleneck's size, 64 values"):
        small(latent_dim=8)


@pytest.mark.parametrize(("options", "message"), [
    ({"filters": (8,)}, "at least two levels"),
    ({"filters": (4, 4, 4, 4, 4)}, "at most 4 levels"),
    ({"filters": (4, 0)}, "filters"),
    ({"residual": "yes"}, "residual must be True or False"),
    ({"convs_per_level": 0}, "convs_per_level must be 1 or 2"),
    ({"convs_per_level": 3}, "convs_per_level must be 1 or 2"),
    ({"convs_per_level": 1.0}, "convs_per_level must be 1 or 2"),
    ({"convs_per_level": True}, "convs_per_level must be 1 or 2"),
    ({"noise_kinds": ()}, "noise_kinds needs at least one"),
    ({"noise_kinds": ("blur",)}, "noise_kinds"),
    ({"noise_strength": (0.5, 0.1)}, "0 <= low <= high <= 1"),
    ({"loss": "hinge"}, "loss"),
])
def test_bad_options_are_refused_before_any_layer_is_built(options, message):
    with pytest.raises(ValueError, match=message):
        build_model(KIND, input_shape=(8, 8, 1), **{"filters": (4, 8), **options})


def test_images_that_the_poolings_cannot_halve_are_refused():
    with pytest.raises(SettingsRefused, match="multiples of 4"):
        build_model(KIND, input_shape=(6, 6, 1), filters=(4, 8, 16))
    with pytest.raises(ValueError, match="must be an image shape"):
        build_model(KIND, input_shape=(3,))


def test_it_is_offered_for_images_only_with_its_own_options():
    cls = MODEL_KINDS[KIND]
    assert cls.image_only and KIND in cls.__module__
    assert [option.name for option in cls.train_options] == ["filters", "convs_per_level", "residual", "noise_kinds", "noise_strength"]


@pytest.mark.parametrize("convs_per_level", [1, 2])
def test_a_saved_model_loads_back_with_the_same_weights_and_outputs(tmp_path, digits, convs_per_level):
    model = small(residual=True, convs_per_level=convs_per_level)
    rng = np.random.default_rng(1)
    model.set_weights([w + rng.normal(0, 0.05, w.shape).astype(w.dtype) for w in model.get_weights()])
    folder = store.save_bundle(model, tmp_path / "unet", dataset=digits, metrics={"test_mse": 0.01})
    loaded = store.load_bundle(folder).model
    assert type(loaded) is type(model) and loaded.options == model.options
    np.testing.assert_array_equal(loaded.reconstruct(digits.x_test[:5]), model.reconstruct(digits.x_test[:5]))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == KIND and manifest["options"]["filters"] == [4, 8, 16]
    assert manifest["options"]["residual"] is True
    assert manifest["options"].get("convs_per_level", 1) == convs_per_level == loaded.convs_per_level


def test_the_loader_checks_its_saved_options():
    cls = model_class(KIND)
    good = small().get_config()
    assert tuple(cls.checked_saved_options(good)["filters"]) == (4, 8, 16)
    for name, value in (("residual", "yes"), ("filters", [4]), ("filters", [4, 8, 16, 32, 64]),
                        ("noise_kinds", ["blur"]), ("convs_per_level", 3), ("convs_per_level", 0)):
        with pytest.raises(OptionRefused):
            cls.checked_saved_options({**good, name: value})
    assert cls.weight_count(cls.checked_saved_options(good)) == small().count_params()
    two = small(convs_per_level=2)
    assert cls.weight_count(cls.checked_saved_options(two.get_config())) == two.count_params()


def test_a_tiny_training_on_noisy_digits_runs_an_epoch_without_recording_codes(digits):
    model = small(residual=True)
    before = [w.copy() for w in model.get_weights()]
    result = train(model, digits, epochs=1, batch_size=50, learning_rate=3e-3)
    assert result.stop_reason == "completed" and result.epochs_completed == 1
    assert np.isfinite(result.history["loss"]).all() and "val_loss" in result.history
    assert result.code_history is None  # no latent code to follow over training
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_it_is_measured_as_a_denoiser_without_code_metrics(digits):
    model = small(residual=True)
    measured = evaluation.measure(model, digits)
    assert "pca_test_mse" not in measured and not any(name.startswith("class_mean") for name in measured)
    noisy = add_noise(digits.x_test, kind="gaussian", strength=0.2, seed=0)
    per_image = metrics.per_image_psnr(digits.x_test, model.reconstruct(noisy))
    assert measured["mean_psnr_denoised_0.2"] == pytest.approx(float(np.mean(per_image)), rel=1e-6)
    assert measured["psnr_denoised_0.2"] == pytest.approx(metrics.psnr(digits.x_test, model.reconstruct(noisy)),
                                                          rel=1e-6)
