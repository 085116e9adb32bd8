"""Bundles: save -> load gives identical outputs, manifests are checked, and loading
refuses anything that carries code."""

import json
import zipfile

import keras
import numpy as np
import pytest

from latent_core import store
from latent_core.models import MODEL_KINDS, build_model
from latent_core.training import train


def _perturbed(kind, seed=0):
    """A model whose weights differ from any freshly built one, so a load that silently
    rebuilt from the config alone would be caught."""
    model = build_model(kind, input_shape=(8, 8, 1), latent_dim=3, seed=seed)
    rng = np.random.default_rng(42)
    model.set_weights([w + rng.normal(0, 0.05, w.shape).astype(w.dtype)
                       for w in model.get_weights()])
    return model


@pytest.mark.parametrize("kind", sorted(kind for kind, cls in MODEL_KINDS.items() if cls.has_latent))
def test_save_then_load_gives_identical_outputs(kind, tmp_path, digits):
    model = _perturbed(kind)
    folder = store.save_bundle(model, tmp_path / kind, dataset=digits)
    loaded = store.load_bundle(folder).model
    assert type(loaded) is type(model) and loaded.options == model.options
    codes = np.random.default_rng(0).standard_normal((4, 3)).astype("float32")
    np.testing.assert_array_equal(loaded.decode(codes), model.decode(codes))
    if model.has_encoder:
        np.testing.assert_array_equal(loaded.encode(digits.x_test[:5]), model.encode(digits.x_test[:5]))
    if model.generative:
        np.testing.assert_array_equal(loaded.sample(3, seed=1), model.sample(3, seed=1))


def test_manifest_records_model_data_training_and_versions(tmp_path, digits):
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    result = train(model, digits, epochs=1, batch_size=100, seed=3)
    folder = store.save_bundle(model, tmp_path / "b", dataset=digits, training=result,
                               metrics={"test_mse": np.float32(0.5)})
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["kind"] == "dense_ae" and manifest["latent_dim"] == 4
    assert manifest["options"] == model.options and manifest["input_shape"] == [8, 8, 1]
    assert manifest["dataset"]["name"] == "digits" and manifest["dataset"]["source"] == digits.source
    assert manifest["training"]["seed"] == 3 and manifest["training"]["epochs_completed"] == 1
    assert manifest["training"]["history"]["loss"] == result.history["loss"]
    assert manifest["metrics"] == {"test_mse": 0.5}
    assert manifest["versions"]["keras"] == keras.__version__ and manifest["created_at"]
    assert store.load_bundle(folder).manifest == manifest
    with pytest.raises(FileExistsError, match="overwrite=True"):
        store.save_bundle(model, folder)


@pytest.mark.parametrize(
    ("key", "lie"),
    [("kind", "vae"), ("input_shape", [28, 28, 1]), ("latent_dim", 99),
     ("options", {"latent_dim": 4})],
)
def test_a_manifest_that_lies_about_the_model_is_caught(key, lie, tmp_path):
    folder = store.save_bundle(build_model("conv_ae", input_shape=(8, 8, 1), latent_dim=4), tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest[key] = lie
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(store.ManifestMismatchError, match=f"says {key} is"):
        store.load_bundle(folder)


def test_a_manifest_cannot_point_the_loader_at_another_file(tmp_path):
    folder = store.save_bundle(build_model("conv_ae", input_shape=(8, 8, 1), latent_dim=4), tmp_path / "bundle")
    (tmp_path / "elsewhere.keras").write_bytes((folder / "model.keras").read_bytes())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["model_file"] = "../elsewhere.keras"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(store.ManifestMismatchError, match="names the model file '../elsewhere.keras'"):
        store.load_bundle(folder)


def test_unreadable_or_missing_manifest(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a model bundle"):
        store.load_bundle(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(store.ManifestMismatchError, match="not valid JSON"):
        store.load_bundle(tmp_path)


def test_a_lambda_model_is_refused_and_never_run(tmp_path):
    calls = []
    lambda_model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Lambda(lambda t: calls.append(1) or t * 2)])
    calls.clear()
    path = tmp_path / "lambda.keras"
    lambda_model.save(path)
    with pytest.raises(store.UnsafeModelError, match="Lambda layer.*never executed"):
        store.load_model(path)
    assert calls == []


def test_unknown_custom_code_is_refused(tmp_path):
    @keras.saving.register_keras_serializable(package="someone_elses")
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    path = tmp_path / "custom.keras"
    keras.Sequential([keras.Input((4,)), Doubler()]).save(path)
    with pytest.raises(store.UnsafeModelError, match=r"custom code \(someone_elses>Doubler"):
        store.load_model(path)


def test_files_that_are_not_our_models_get_clear_errors(tmp_path):
    with pytest.raises(store.InvalidModelFileError, match="not a Keras .keras file"):
        store.load_model(b"definitely not a zip archive")
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(store.InvalidModelFileError, match="no config.json"):
        store.load_model(archive)
    plain = tmp_path / "plain.keras"
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]).save(plain)
    with pytest.raises(store.InvalidModelFileError, match="it is not an autoencoder, nor a generator"):
        store.load_model(plain)
    with pytest.raises(FileNotFoundError, match="no model file"):
        store.load_model(tmp_path / "missing.keras")


def test_upload_bytes_round_trip_and_shape_check(digits):
    model = _perturbed("vae")
    loaded = store.load_model(store.model_archive_bytes(model))
    np.testing.assert_array_equal(loaded.encode(digits.x_test[:3]), model.encode(digits.x_test[:3]))
    store.check_model_fits(loaded, digits.input_shape, data_name="digits")
    with pytest.raises(store.IncompatibleModelError, match=r"\(8, 8, 1\), but fashion_mnist has shape \(28, 28, 1\)"):
        store.check_model_fits(loaded, (28, 28, 1), data_name="fashion_mnist")


def test_saved_files_leave_out_the_optimizer_state(tmp_path):
    from latent_core.data import load_dataset
    from latent_core.store import load_bundle, model_archive_bytes, save_bundle
    from latent_core.training import train

    digits = load_dataset("digits", max_train=128, max_test=16)
    untrained = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    trained = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    train(trained, digits, epochs=1, batch_size=64)
    assert len(model_archive_bytes(trained)) < 1.1 * len(model_archive_bytes(untrained))
    folder = save_bundle(trained, tmp_path / "bundle")
    assert (folder / "model.keras").stat().st_size < 1.1 * len(model_archive_bytes(untrained))
    x = digits.x_test[:4]
    np.testing.assert_allclose(load_bundle(folder).model.reconstruct(x), trained.reconstruct(x), atol=1e-6)


def test_a_weights_snapshot_keeps_the_weights_of_its_moment_in_an_uncompiled_copy():
    from latent_core.store import WeightsSnapshot

    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=3, seed=0)
    model.configure_training(1e-3)
    before = [weights.copy() for weights in model.get_weights()]
    snapshot = WeightsSnapshot.of(model)
    model.set_weights([weights + 1.0 for weights in before])  # training goes on after the snapshot
    copy = snapshot.model()
    assert type(copy) is type(model) and copy is not model and getattr(copy, "optimizer", None) is None
    assert all(np.array_equal(kept, then) for kept, then in zip(copy.get_weights(), before))


HOLD_HDF5_LOCK = """
import sys, time
import h5py
held = h5py.File(sys.argv[1], "r+")  # HDF5's exclusive lock on the file, as a process forked mid-write keeps it
print("held", flush=True)
time.sleep(120)
"""


def test_a_model_loads_while_another_process_holds_hdf5_s_lock_on_the_weights_file_keras_wrote(tmp_path,
                                                                                                 monkeypatch):
    import subprocess
    import sys

    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=2, seed=0)
    path = tmp_path / "model.keras"
    model.save(path)
    holders = []
    original = type(model).save_weights

    def save_weights_and_lock(self, filepath, *args, **kwargs):
        original(self, filepath, *args, **kwargs)
        holder = subprocess.Popen([sys.executable, "-c", HOLD_HDF5_LOCK, str(filepath)], stdout=subprocess.PIPE,
                                  text=True)
        holders.append(holder)
        assert holder.stdout.readline().strip() == "held"

    monkeypatch.setattr(type(model), "save_weights", save_weights_and_lock)
    try:
        loaded = store.load_model(path)
    finally:
        for holder in holders:
            holder.kill()
            holder.wait(30)
    assert holders  # the lock was held while the model loaded
    for mine, theirs in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
