"""Model files rebuilt from each kind's declared schema: every saved option has a type and
a range, the weight count is known from the options alone, the archive is checked without
Keras, and loading any file, hostile or not, leaves Keras' process-wide state as it was."""

from __future__ import annotations

import functools
import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
from bad_inputs import MODEL_CASES, ids

from latent_core import model_archive, pretrained, store
from latent_core.models import MODEL_KINDS, build_model, options
from latent_core.models.base import reconstruction_error
from latent_core.models.dense_ae import DenseAutoencoder

ROOT = Path(__file__).resolve().parents[1]
DIGITS_SHAPE = (8, 8, 1)

# Each kind with option sets that reach every branch of its weight formula.
BUILDS = [
    ("dense_ae", (8, 8, 1), {}),
    ("dense_ae", (3,), {"hidden_units": (), "latent_dim": 2}),
    ("dense_ae", (6, 4, 3), {"hidden_units": (16, 8), "activation": "tanh", "latent_activation": "relu"}),
    ("linear_ae", (5,), {}),
    ("sparse_ae", (8, 8, 1), {"hidden_units": (12,)}),
    ("conv_ae", (8, 8, 1), {"filters": (4, 8)}),
    ("conv_ae", (16, 8, 3), {"filters": (4, 6, 5), "kernel_size": 5, "downsample": "maxpool",
                              "upsample": "upsampling"}),
    ("conv_ae", (8, 8, 1), {"filters": (4, 3), "activation": "elu", "dense_code": False, "latent_dim": 12}),
    ("denoising_ae", (8, 8, 1), {"filters": (4,), "noise_kinds": ("gaussian", "strokes")}),
    ("vae", (8, 8, 1), {"hidden_units": (16,)}),
    ("vae", (8, 8, 1), {"architecture": "conv", "filters": (4, 8)}),
    ("vae", (7,), {"hidden_units": (5, 4), "loss": "mse"}),
    ("dcgan", (8, 12, 3), {"latent_dim": 5}),
]


def keras_global_state() -> dict:
    """Every piece of Keras' process-wide configuration a model file could reach."""
    config = keras.config
    getters = ["epsilon", "floatx", "image_data_format", "backend", "max_epochs", "max_steps_per_epoch",
               "is_interactive_logging_enabled", "is_traceback_filtering_enabled", "is_flash_attention_enabled",
               "is_nnx_enabled"]
    state = {name: getattr(config, name)() for name in getters if hasattr(config, name)}
    state["dtype_policy"] = config.dtype_policy().name
    state["custom_objects"] = sorted(keras.saving.get_custom_objects())
    return state


@functools.cache
def saved(kind: str, shape: tuple, extra: str) -> tuple[bytes, int]:
    """A freshly built model's .keras bytes and its parameter count (cached per process)."""
    model = build_model(kind, input_shape=shape, seed=0, **json.loads(extra))
    return store.model_archive_bytes(model), int(model.count_params())


def saved_build(kind, shape, extra):
    return saved(kind, shape, json.dumps(extra))


# --------------------------------------------------------------------------- the schema


@pytest.mark.parametrize("kind", sorted(MODEL_KINDS))
def test_every_field_a_kind_saves_is_declared_with_a_type(kind):
    cls = MODEL_KINDS[kind]
    model = build_model(kind, input_shape=DIGITS_SHAPE, seed=0)
    config = model.get_config()
    # options added later are saved only when set away from their default
    assert set(config) | set(cls.added_options) == {option.name for option in cls.saved_options}
    assert cls.checked_saved_options(config)["input_shape"] == DIGITS_SHAPE
    assert {option.name for option in cls.train_options} <= {option.name for option in cls.saved_options}


@pytest.mark.parametrize(("kind", "shape", "extra"), BUILDS, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BUILDS)])
def test_a_kinds_weight_count_is_what_keras_builds_and_saves_and_the_file_loads(kind, shape, extra):
    payload, parameters = saved_build(kind, shape, extra)
    loaded = store.load_model(payload, name=f"{kind}.keras")
    cls = MODEL_KINDS[kind]
    count = cls.weight_count(cls.checked_saved_options(loaded.get_config()))
    assert count == parameters == loaded.count_params()
    assert loaded.options == build_model(kind, input_shape=shape, seed=0, **extra).options


@pytest.mark.parametrize(("kind", "shape", "extra"), BUILDS, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BUILDS)])
def test_a_kinds_activation_bound_covers_every_layer_it_builds(kind, shape, extra):
    model = build_model(kind, input_shape=shape, seed=0, **extra)
    largest = max(math.prod(layer.output.shape[1:]) for part in model.submodels() for layer in part.layers)
    cls = MODEL_KINDS[kind]
    assert cls.activation_values(cls.checked_saved_options(model.get_config())) >= largest


def test_every_allowed_activation_is_a_plain_keras_function():
    for name in options.ACTIVATIONS:
        function = keras.activations.get(name)
        assert callable(function) and function.__module__.startswith("keras.src.activations"), name


@pytest.mark.parametrize(("option", "value", "too_big"), [
    (options.activation_option("activation"), {"module": "keras.config", "class_name": "function"}, False),
    (options.activation_option("activation"), "set_epsilon", False),
    (options.int_option("latent_dim", 1024), 1025, True),
    (options.int_option("latent_dim", 1024), 0, False),
    (options.int_option("latent_dim", 1024), True, False),
    (options.int_option("latent_dim", 1024), 3.0, False),
    (options.SavedOption("beta", "float", minimum=0.0, maximum=10.0), float("nan"), False),
    (options.SavedOption("units", "int_list", minimum=1, maximum=8, max_length=2), [1, 2, 3], True),
    (options.SavedOption("units", "int_list", minimum=1, maximum=8, max_length=2), [[1]], False),
    (options.SavedOption("kinds", "some_of", choices=("a", "b"), min_length=1, max_length=2), ["a", "a"], False),
    (options.SavedOption("shape", "shape", minimum=1, maximum=1024), [1024, 1024, 3], True),
    (options.SavedOption("shape", "shape", minimum=1, maximum=1024), [8, 8], False),
    (options.SavedOption("name", "name"), "a/b", False),
])
def test_a_saved_option_refuses_objects_wrong_types_and_values_out_of_range(option, value, too_big):
    with pytest.raises(options.OptionRefused) as refused:
        option.check(value)
    assert refused.value.too_big is too_big
    assert "{" not in refused.value.shown


def test_an_unknown_or_missing_option_is_refused():
    config = build_model("dense_ae", input_shape=DIGITS_SHAPE).get_config()
    with pytest.raises(options.OptionRefused, match="not an option of dense_ae"):
        DenseAutoencoder.checked_saved_options({**config, "dtype": "float64"})
    with pytest.raises(options.OptionRefused, match="input_shape"):
        DenseAutoencoder.checked_saved_options({k: v for k, v in config.items() if k != "input_shape"})


# --------------------------------------------------------------------------- the archive, without Keras


def test_the_archive_reader_runs_without_tensorflow_and_returns_plain_data(tmp_path):
    payload, parameters = saved_build("dense_ae", DIGITS_SHAPE, {})
    (tmp_path / "model.keras").write_bytes(payload)
    script = textwrap.dedent(f"""
        import sys
        from latent_core.model_archive import read_model_archive
        archive = read_model_archive({str(tmp_path / "model.keras")!r}, "model.keras")
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules, "imported TensorFlow"
        print(archive.weight_values, archive.config["class_name"], len(archive.layout))
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(parameters), "DenseAutoencoder", "8"]


def test_a_dataset_declared_but_not_stored_is_refused_without_allocating_it():
    """Loading a file under 100 KB that declares a 512 MB dataset, in a fresh process, raises its
    peak memory by far less than the dataset (Keras alone would allocate it, twice)."""
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, "tests")
        from bad_inputs import BY_ID
        from latent_core import store
        from latent_core.uploads import UploadRefused

        payload = BY_ID["model_weights_declared_512mb"].payload
        assert len(payload) < 100 * 1024, len(payload)

        def status(field):
            with open("/proc/self/status") as handle:
                return next(int(line.split()[1]) for line in handle if line.startswith(field + ":"))

        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # reset the peak (VmHWM) to the current size
        before = status("VmRSS")
        try:
            store.load_model(payload, name="declared.keras")
        except UploadRefused as error:
            print(error.code, (status("VmHWM") - before) // 1024)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stderr
    code, growth_mb = result.stdout.split()
    assert code == "too_big_model"
    assert int(growth_mb) < 200


# --------------------------------------------------------------------------- loading leaves Keras alone


def run_a_model_after_it():
    """Use Keras the way every other student's page does: a BCE loss and a model's encode."""
    x = keras.ops.convert_to_tensor(np.full((2, 4), 0.5, np.float32))
    loss = reconstruction_error(x, x, "bce")
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(loss)))
    model = build_model("dense_ae", input_shape=DIGITS_SHAPE, latent_dim=2, hidden_units=(4,))
    assert model.encode(np.zeros((1, *DIGITS_SHAPE), np.float32)).shape == (1, 2)


def run_loaded(model) -> None:
    """Run a loaded model once; a hostile one may fail doing so, what counts is what it leaves behind."""
    try:
        if model.has_encoder:
            model.reconstruct(np.zeros((2, *model.input_shape), np.float32))
        else:
            model.sample(2)
    except (ValueError, TypeError) as error:
        print(f"running the loaded model failed: {error}")


@pytest.mark.parametrize("case", MODEL_CASES, ids=ids(MODEL_CASES))
def test_loading_a_hostile_file_leaves_keras_global_configuration_as_it_was(case):
    payload = case.payload  # made first: making some of them registers a class of their own
    before = keras_global_state()
    try:
        model = store.load_model(payload, name=case.filename)
    except store.StoreError:
        pass
    else:  # files refused only for the digits' shape load for other data: run them too
        run_loaded(model)
    assert keras_global_state() == before
    run_a_model_after_it()


def test_a_model_is_rebuilt_through_its_kinds_constructor_never_deserialised(monkeypatch):
    payload, _ = saved_build("dense_ae", DIGITS_SHAPE, {})

    def never(*args, **kwargs):
        raise AssertionError("a model file was handed to Keras' deserialiser")

    for target in (keras.saving, keras.models):
        monkeypatch.setattr(target, "load_model", never)
    monkeypatch.setattr(keras.saving, "deserialize_keras_object", never)
    monkeypatch.setattr(keras.models, "model_from_json", never)
    monkeypatch.setattr(DenseAutoencoder, "from_config", classmethod(lambda cls, config: never()))
    received = []
    constructor = DenseAutoencoder.__init__

    @functools.wraps(constructor)
    def recording(self, **kwargs):
        received.append(kwargs)
        constructor(self, **kwargs)

    monkeypatch.setattr(DenseAutoencoder, "__init__", recording)
    model = store.load_model(payload, name="good.keras")
    assert isinstance(model, DenseAutoencoder)
    [kwargs] = received
    plain = (str, int, float, bool, type(None))
    assert all(isinstance(value, plain) or (isinstance(value, tuple) and all(isinstance(v, plain) for v in value))
               for value in kwargs.values()), kwargs
    assert kwargs["latent_activation"] == "linear" and kwargs["input_shape"] == DIGITS_SHAPE


# --------------------------------------------------------------------------- what must still load


BUNDLES = sorted(path.parent for path in (pretrained.PRETRAINED_DIR / "models").glob("*/manifest.json"))


@pytest.mark.parametrize("folder", BUNDLES, ids=[folder.name for folder in BUNDLES])
def test_every_pretrained_bundle_still_loads(folder):
    bundle = store.load_bundle(folder)
    assert bundle.model.kind == bundle.manifest["kind"]
    assert bundle.model.count_params() == bundle.manifest["parameters"]
    layout = model_archive.read_model_archive(folder / store.MODEL_FILENAME).layout
    assert sum(math.prod(shape) for shape in layout.values()) == bundle.manifest["parameters"]


def test_a_member_whose_compressed_data_is_corrupt_is_refused_as_damaged():
    import io
    import zipfile

    payload, _ = saved_build("dense_ae", DIGITS_SHAPE, {})
    members = {}
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        for name in archive.namelist():
            members[name] = archive.read(name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    corrupt = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(corrupt))) as archive:
        info = archive.getinfo(model_archive.CONFIG_MEMBER)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    corrupt[start] = 0xFF  # a deflate block of the reserved type: zlib refuses the stream
    with pytest.raises(model_archive.InvalidModelFileError) as refused:
        model_archive.read_model_archive(bytes(corrupt), "corrupt.keras")
    assert refused.value.code == "damaged"
