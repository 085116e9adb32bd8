"""The layer builder: the course's presets build the layer stacks they are named after, new layer
options are saved and reload exactly (and bundles saved before them still load), and settings
beyond the builder's bounds or a server's limits are refused, saying which, before anything is built."""

from pathlib import Path

import numpy as np
import pytest

from latent_core import hosting, store
from latent_core.models import MODEL_KINDS, architectures, build_model
from latent_core.models import options as opt
from latent_core.models.architectures import PRESETS, plan, preset, presets_for
from latent_core.models.options import SettingsRefused
from ui.text import translate

ROOT = Path(__file__).resolve().parents[1]
MNIST = (28, 28, 1)


def layers(architecture, part, *types):
    """(type, output shape without the batch axis, activation) of ``part``'s layers of the given types."""
    return [(row["type"], row["output_shape"].removeprefix("(None, ").removesuffix(")"), row["activation"])
            for row in architecture.rows if row["part"] == part and (not types or row["type"] in types)]


def planned(key, input_shape=MNIST, latent_dim=None):
    chosen = preset(key)
    cls = MODEL_KINDS[chosen.kind]
    latent = cls.fixed_latent_dim(input_shape, dict(chosen.options)) or latent_dim or chosen.latent_dim
    return plan(chosen.kind, input_shape=input_shape, latent_dim=latent, options=dict(chosen.options))


# --------------------------------------------------------------------------- presets


def test_the_mlp_784_128_64_32_has_dense_layers_128_64_32_and_back():
    architecture = planned("mlp_784_128_64_32")
    assert layers(architecture, "encoder", "Dense") == [("Dense", "128", "relu"), ("Dense", "64", "relu"),
                                                        ("Dense", "32", "linear")]
    assert layers(architecture, "decoder", "Dense") == [("Dense", "64", "relu"), ("Dense", "128", "relu"),
                                                        ("Dense", "784", "sigmoid")]
    assert architecture.parameters == opt.dense_parameters((784, 128, 64, 32)) + opt.dense_parameters(
        (32, 64, 128, 784)) == 222_384


def test_the_swiss_roll_3_2_2_elu_has_one_hidden_elu_layer_of_2_each_side():
    architecture = planned("swiss_roll_elu", input_shape=(3,))
    assert layers(architecture, "encoder", "Dense") == [("Dense", "2", "elu"), ("Dense", "2", "linear")]
    assert layers(architecture, "decoder", "Dense") == [("Dense", "2", "elu"), ("Dense", "3", "linear")]
    assert architecture.parameters == (3 * 2 + 2) + (2 * 2 + 2) + (2 * 2 + 2) + (2 * 3 + 3) == 29


def test_the_mnist_pooling_ae_pools_down_up_samples_back_and_its_code_is_the_feature_map():
    architecture = planned("mnist_pooling")
    assert layers(architecture, "encoder")[1:] == [
        ("Conv2D", "28, 28, 16", "relu"), ("MaxPooling2D", "14, 14, 16", None),
        ("Conv2D", "14, 14, 8", "relu"), ("MaxPooling2D", "7, 7, 8", None), ("Flatten", "392", None)]
    assert layers(architecture, "decoder")[1:] == [
        ("Reshape", "7, 7, 8", None), ("UpSampling2D", "14, 14, 8", None), ("Conv2D", "14, 14, 8", "relu"),
        ("UpSampling2D", "28, 28, 8", None), ("Conv2D", "28, 28, 16", "relu"), ("Conv2D", "28, 28, 1", "sigmoid")]
    kernels = opt.conv_parameters(3, (1, 16, 8)) + opt.conv_parameters(3, (8, 8, 16, 1))
    assert architecture.parameters == kernels == 3_217  # no Dense layer at all
    assert not layers(architecture, "encoder", "Dense") and not layers(architecture, "decoder", "Dense")


def test_the_conv_ae_with_a_100_d_code_has_a_dense_code_of_100_between_pooling_and_up_sampling():
    architecture = planned("conv_code_100")
    assert layers(architecture, "encoder", "MaxPooling2D", "Dense") == [
        ("MaxPooling2D", "14, 14, 32", None), ("MaxPooling2D", "7, 7, 64", None), ("Dense", "100", "linear")]
    assert layers(architecture, "decoder", "Dense", "UpSampling2D")[:2] == [
        ("Dense", "3136", "relu"), ("UpSampling2D", "14, 14, 64", None)]
    assert architecture.parameters == 704_933


@pytest.mark.parametrize("key", ["default_conv", "default_dense"])
def test_the_default_presets_are_the_kinds_defaults(key):
    chosen = preset(key)
    assert chosen.options == {} and chosen.latent_dim is None
    built = build_model(chosen.kind, input_shape=MNIST, latent_dim=32)
    assert planned(key, latent_dim=32).parameters == built.count_params()


def test_each_dataset_is_offered_the_presets_made_for_it():
    assert [p.key for p in presets_for(MNIST)] == ["default_conv", "default_dense", "mnist_pooling",
                                                   "mlp_784_128_64_32", "conv_code_100"]
    assert [p.key for p in presets_for((8, 8, 1))] == ["default_conv", "default_dense", "conv_code_100"]
    assert [p.key for p in presets_for((3,))] == ["default_dense", "swiss_roll_elu"]
    assert [p.key for p in presets_for((30, 30, 1))] == ["default_dense"]  # 30 does not halve twice


@pytest.mark.parametrize("shape", [MNIST, (8, 8, 1), (3,)])
def test_every_preset_offered_builds_on_its_data(shape):
    for chosen in presets_for(shape):
        assert planned(chosen.key, input_shape=shape, latent_dim=chosen.latent_dim or 2).parameters > 0


def test_each_presets_english_name_is_its_title_and_it_has_a_korean_one():
    for chosen in PRESETS:
        assert translate(f"train.preset.{chosen.key}", "en") == chosen.title
        assert translate(f"train.preset.{chosen.key}", "ko")


def test_a_preset_matches_its_own_settings_only():
    chosen = preset("mlp_784_128_64_32")
    settings = {"hidden_units": (128, 64), "activation": "relu", "loss": "bce"}
    assert chosen.matches("dense_ae", 32, settings, input_shape=MNIST, suggested_latent_dim=8)
    assert not chosen.matches("dense_ae", 16, settings, input_shape=MNIST, suggested_latent_dim=8)
    assert not chosen.matches("dense_ae", 32, {**settings, "hidden_units": (256,)}, input_shape=MNIST,
                              suggested_latent_dim=8)
    pooling = preset("mnist_pooling")
    conv = {"filters": (16, 8), "activation": "relu", "downsample": "maxpool", "upsample": "upsampling",
            "dense_code": False}
    assert pooling.matches("conv_ae", 392, conv, input_shape=MNIST, suggested_latent_dim=32)


# --------------------------------------------------------------------------- saving


@pytest.mark.parametrize(("kind", "options"), [
    ("conv_ae", {"filters": (4, 6), "activation": "elu", "downsample": "maxpool", "upsample": "upsampling",
                 "dense_code": False, "latent_dim": 2 * 2 * 6}),
    ("conv_ae", {"filters": (4,), "activation": "leaky_relu", "latent_dim": 5}),
    ("denoising_ae", {"filters": (4, 2), "dense_code": False, "latent_dim": 8}),
    ("dense_ae", {"hidden_units": (16, 8, 4), "activation": "tanh", "latent_dim": 2}),
], ids=["pooling_feature_map_code", "leaky_relu", "denoising_feature_map_code", "dense_tanh"])
def test_builder_options_are_saved_and_reload_exactly(tmp_path, kind, options):
    model = build_model(kind, input_shape=(8, 8, 1), seed=3, **options)
    for name, value in options.items():
        assert model.options[name] == (list(value) if isinstance(value, tuple) else value)
    folder = store.save_bundle(model, tmp_path / "bundle")
    loaded = store.load_bundle(folder).model
    assert loaded.options == model.options and loaded.count_params() == model.count_params()
    x = np.random.default_rng(0).random((4, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(loaded.reconstruct(x), model.reconstruct(x), rtol=1e-6, atol=1e-6)
    assert [row["type"] for row in loaded.summary_rows()] == [row["type"] for row in model.summary_rows()]


def test_a_conv_ae_at_its_old_defaults_saves_no_new_option_so_bundles_from_before_them_load(tmp_path):
    model = build_model("conv_ae", input_shape=(8, 8, 1), latent_dim=4)
    assert "activation" not in model.get_config() and "dense_code" not in model.get_config()
    shipped = store.load_bundle(ROOT / "pretrained" / "models" / "mnist_conv_ae_32")  # saved before they existed
    assert (shipped.model.activation, shipped.model.dense_code) == ("relu", True)
    assert "dense_code" not in shipped.manifest["options"]


def test_a_saved_builder_option_out_of_its_schema_is_refused():
    config = build_model("conv_ae", input_shape=(8, 8, 1), latent_dim=4, dense_code=True).get_config()
    cls = MODEL_KINDS["conv_ae"]
    for name, value in (("dense_code", "no"), ("activation", "os.system"), ("filters", [4, 4, 4, 4, 4])):
        with pytest.raises(opt.OptionRefused, match=name):
            cls.checked_saved_options({**config, name: value})


# --------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(("text", "code"), [
    ("128, sixty-four", "list_not_numbers"), ("128, -64", "list_not_numbers"), ("1.5", "list_not_numbers"),
    ("8, 8, 8, 8, 8, 8, 8", "list_length"), ("2048", "list_range"), ("0, 4", "list_range"),
])
def test_a_width_list_beyond_the_builders_bounds_is_refused_saying_why(text, code):
    widths = MODEL_KINDS["dense_ae"].train_options[0]
    assert (widths.name, widths.maximum, widths.max_length) == ("hidden_units", 1024, 6)
    with pytest.raises(SettingsRefused) as refused:
        widths.parse_list(text)
    assert refused.value.code == code and refused.value.details["maximum"] == 1024


def test_a_width_list_reads_commas_or_spaces_and_may_be_empty_for_dense_but_not_for_filters():
    widths, filters = MODEL_KINDS["dense_ae"].train_options[0], MODEL_KINDS["conv_ae"].train_options[0]
    assert widths.parse_list(" 128,64  32 ") == (128, 64, 32) and widths.parse_list("") == ()
    with pytest.raises(SettingsRefused, match="needs 1 to 4 numbers"):
        filters.parse_list("")


def test_too_many_parameters_are_refused_before_anything_is_built(monkeypatch):
    def no_build(*args, **kwargs):
        raise AssertionError("built a model that was over the limit")

    monkeypatch.setattr(architectures, "build_model", no_build)
    wide = {"hidden_units": (1024,) * 6}
    with pytest.raises(SettingsRefused) as refused:
        plan("dense_ae", input_shape=MNIST, latent_dim=32, options=wide,
             max_parameters=hosting.CLASSROOM_LIMITS.max_model_parameters)
    count = opt.dense_parameters((784, *wide["hidden_units"], 32)) + opt.dense_parameters(
        (32, *wide["hidden_units"], 784))
    assert refused.value.code == "too_many_parameters"
    assert refused.value.details == {"count": count, "limit": 2_000_000}


def test_locally_the_limit_is_what_a_saved_model_may_hold():
    with pytest.raises(SettingsRefused) as refused:
        plan("conv_ae", input_shape=(64, 64, 1), latent_dim=1024, options={"filters": (256, 256)})
    assert refused.value.code == "too_many_parameters" and refused.value.details["limit"] == 10_000_000


def test_the_hosted_parameter_limit_is_set_by_its_own_variable():
    limits = hosting.limits_from_env({"LATENT_EXPLORER_HOSTED": "1", "LATENT_EXPLORER_MAX_MODEL_PARAMETERS": "5000"})
    assert limits.max_model_parameters == 5000
    assert hosting.limits_from_env({}).max_model_parameters is None


@pytest.mark.parametrize(("shape", "options", "code"), [
    ((28, 28, 1), {"filters": (8, 8, 8)}, "not_divisible"),
    ((28, 28, 1), {"filters": (64,), "dense_code": False}, "code_too_big"),
])
def test_conv_stages_that_do_not_fit_the_image_are_refused_saying_why(shape, options, code):
    with pytest.raises(SettingsRefused) as refused:
        build_model("conv_ae", input_shape=shape, latent_dim=14 * 14 * 64, **options)
    assert refused.value.code == code


def test_a_feature_map_code_must_have_the_feature_maps_size():
    with pytest.raises(SettingsRefused, match="latent_dim must be 392; got 32") as refused:
        build_model("conv_ae", input_shape=MNIST, latent_dim=32, filters=(16, 8), dense_code=False)
    assert refused.value.details["shape"] == "7×7×8"
    assert MODEL_KINDS["conv_ae"].fixed_latent_dim(MNIST, {"filters": (16, 8), "dense_code": False}) == 392
    assert MODEL_KINDS["conv_ae"].fixed_latent_dim(MNIST, {"filters": (16, 8)}) is None
