"""Model bundles: a ``.keras`` file plus a JSON manifest, saved and loaded safely.

A bundle is a folder holding ``model.keras`` (Keras 3 format, no optimizer state) and
``manifest.json`` (kind, options, dataset and its provenance, training settings and
history, metrics, library versions, creation time). ``load_bundle`` rebuilds a model
that gives identical outputs and checks the manifest against it; ``load_model`` loads a
bare ``.keras`` upload.

Loading never runs code from the file: the archive's config is read first and refused
when it names a ``Lambda`` layer or any class that is not a registered Latent Explorer
model kind, or asks for layers too big to build (or, when the caller says which data
the model is for, an input shape that does not fit it), and Keras then loads in safe
mode. Uploads are refused with an ``UploadRefused`` error whose ``code`` names the
problem (see ``latent_core.uploads``).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import platform
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np

from latent_core.models import MODEL_KINDS, LatentModel
from latent_core.models.base import SERIALIZATION_PACKAGE
from latent_core.uploads import MAX_MODEL_BYTES, UploadRefused, check_size, megabytes

MODEL_FILENAME = "model.keras"
MANIFEST_FILENAME = "manifest.json"
MANIFEST_FORMAT = 1
MAX_CONFIG_BYTES = 2**20
# Bounds on what a model file may ask Keras to build, checked before anything is built:
# far above every model this app trains, far below what would exhaust the server.
MAX_INPUT_VALUES = 256 * 256 * 3
MAX_LAYER_WIDTH = 4096
MAX_LAYERS = 8


class StoreError(Exception):
    """Base of the errors raised when saving or loading models."""


class InvalidModelFileError(StoreError, UploadRefused, ValueError):
    """The file is not a Keras archive, or not a Latent Explorer model."""


class UnsafeModelError(StoreError, UploadRefused):
    """The file carries code (a Lambda layer or an unknown custom class): refused."""


class ManifestMismatchError(StoreError):
    """A bundle's manifest disagrees with the model stored beside it, or is unreadable."""


class IncompatibleModelError(StoreError, UploadRefused, ValueError):
    """The model's input shape does not fit the data it is meant for."""


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: the model, its manifest and the folder it came from."""

    model: LatentModel
    manifest: dict
    path: Path


def library_versions() -> dict[str, str]:
    """Versions of the libraries that shape a saved model."""
    import sklearn
    import tensorflow as tf

    return {"python": platform.python_version(), "keras": keras.__version__,
            "tensorflow": tf.__version__, "numpy": np.__version__,
            "scikit-learn": sklearn.__version__}


def _dataset_entry(dataset) -> dict | None:
    if dataset is None:
        return None
    if isinstance(dataset, dict):
        return dict(dataset)
    return {"name": dataset.name, "source": dataset.source,
            "input_shape": list(dataset.x_train.shape[1:]),
            "train_size": int(len(dataset.x_train)), "test_size": int(len(dataset.x_test))}


def _training_entry(training) -> dict | None:
    if training is None:
        return None
    return {**asdict(training.config), "history": training.history,
            "epochs_completed": training.epochs_completed,
            "stop_reason": training.stop_reason, "seconds": round(training.seconds, 3)}


def without_training_state(model: LatentModel) -> LatentModel:
    """An uncompiled copy with the same weights, for saving: Keras 3 writes a compiled
    model's optimizer state into ``.keras`` files even with ``include_optimizer=False``,
    which triples them, and bundles are for inference."""
    if getattr(model, "optimizer", None) is None:
        return model
    copy = type(model).from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def save_bundle(model: LatentModel, directory, *, dataset=None, training=None,
                metrics: dict | None = None, overwrite: bool = False) -> Path:
    """Save ``model`` and its manifest into ``directory``; return the folder's path.

    ``dataset`` is a ``latent_core.data.Dataset`` (name, source and sizes are recorded)
    or a dict; ``training`` a ``TrainingResult``; ``metrics`` plain numbers such as
    ``{"test_mse": 0.008}``.
    """
    if not isinstance(model, LatentModel):
        raise TypeError(f"save_bundle needs a latent_core model; got {type(model).__name__}.")
    folder = Path(directory)
    if (folder / MANIFEST_FILENAME).exists() and not overwrite:
        raise FileExistsError(
            f"{folder} already holds a bundle; pass overwrite=True or choose another folder.")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": MANIFEST_FORMAT,
        "kind": model.kind,
        "options": model.options,
        "input_shape": list(model.input_shape),
        "latent_dim": model.latent_dim,
        "parameters": int(model.count_params()),
        "dataset": _dataset_entry(dataset),
        "training": _training_entry(training),
        "metrics": {name: float(value) for name, value in (metrics or {}).items()},
        "versions": library_versions(),
        "created_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds"),
        "model_file": MODEL_FILENAME,
    }
    keras.saving.save_model(without_training_state(model), folder / MODEL_FILENAME, include_optimizer=False)
    (folder / MANIFEST_FILENAME).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def read_manifest(directory) -> dict:
    """A bundle folder's manifest; ``FileNotFoundError`` when it has none, ``ManifestMismatchError``
    when it is not a JSON object."""
    manifest_path = Path(directory) / MANIFEST_FILENAME
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{directory} is not a model bundle: it has no {MANIFEST_FILENAME}.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ManifestMismatchError(f"{manifest_path} is not valid JSON: {error}.") from None
    if not isinstance(manifest, dict):
        raise ManifestMismatchError(f"{manifest_path} must hold a JSON object.")
    return manifest


def manifest_input_shape(directory) -> tuple[int, ...]:
    """The input shape a bundle's manifest declares, without loading its model."""
    shape = read_manifest(directory).get("input_shape")
    if not isinstance(shape, list) or not all(isinstance(size, int) for size in shape):
        raise ManifestMismatchError(f"{Path(directory) / MANIFEST_FILENAME} declares no input_shape list.")
    return tuple(shape)


def load_bundle(directory) -> Bundle:
    """Load a bundle folder, checking the manifest against the model it describes."""
    folder = Path(directory)
    manifest = read_manifest(folder)
    model = load_model(folder / manifest.get("model_file", MODEL_FILENAME))
    _check_manifest(manifest, model, folder / MANIFEST_FILENAME)
    return Bundle(model=model, manifest=manifest, path=folder)


def _check_manifest(manifest: dict, model: LatentModel, manifest_path: Path) -> None:
    claims = {"kind": model.kind, "input_shape": list(model.input_shape),
              "latent_dim": model.latent_dim, "options": model.options}
    for key, actual in claims.items():
        if manifest.get(key) != actual:
            raise ManifestMismatchError(
                f"{manifest_path} says {key} is {manifest.get(key)!r} but the stored model has "
                f"{actual!r}; the bundle was edited or mixed up. Re-save it with save_bundle.")


def load_model(source, *, name: str = "the uploaded file", input_shape=None,
               data_name: str = "the data", max_bytes: int = MAX_MODEL_BYTES) -> LatentModel:
    """Load a Latent Explorer model from a ``.keras`` file path or its bytes, safely.

    Raises ``InvalidModelFileError`` (empty, too big, not a Keras archive, not one of our
    model kinds, damaged), ``UnsafeModelError`` (Lambda layers or unknown custom code:
    never run) and, when ``input_shape`` is given, ``IncompatibleModelError`` for a model
    made for other data, judged from the file's config before anything is built.
    ``name`` names uploaded bytes in messages; they may be at most ``max_bytes`` long.
    """
    if isinstance(source, (bytes, bytearray)):
        check_size(bytes(source), max_bytes, InvalidModelFileError, name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.keras"
            path.write_bytes(source)
            return _load_model_file(path, name, input_shape, data_name)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}.")
    return _load_model_file(path, str(path), input_shape, data_name)


def _load_model_file(path: Path, label: str, input_shape, data_name: str) -> LatentModel:
    config = _read_archive_config(path, label)
    _refuse_code(config, label)
    registered = config.get("registered_name") or ""
    kind_class = next((cls for cls in MODEL_KINDS.values()
                       if registered == f"{SERIALIZATION_PACKAGE}>{cls.__name__}"), None)
    if kind_class is None:
        found = str(config.get("class_name", "unknown"))
        raise InvalidModelFileError(
            f"{label} holds a {found} model, not a Latent Explorer "
            f"model ({', '.join(MODEL_KINDS)}). Train one in the app or with "
            "`python -m latent_core.train` and upload its model.keras.",
            "not_ours", found=found, kinds=", ".join(MODEL_KINDS))
    options = config.get("config") if isinstance(config.get("config"), dict) else {}
    _check_buildable(options, label)
    if input_shape is not None:
        _check_shape(options.get("input_shape"), input_shape, kind_class.kind, data_name)
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except ValueError as error:
        if "safe_mode" in str(error):
            raise UnsafeModelError(f"{label} was refused: {error}", "unsafe") from None
        raise _damaged(label, error) from None
    except (TypeError, KeyError, OSError, AttributeError, IndexError) as error:
        raise _damaged(label, error) from None
    if not all(np.isfinite(weights).all() for weights in model.get_weights()):
        raise InvalidModelFileError(f"{label} holds weights that are NaN or infinite; it cannot compute anything.",
                                    "weights_not_finite")
    return model


def _damaged(label: str, error: Exception) -> InvalidModelFileError:
    return InvalidModelFileError(f"{label} could not be loaded: {error}", "damaged")


def _check_buildable(options: dict, label: str) -> None:
    """Refuse a config that would make Keras allocate huge layers before any weight is read."""
    def refuse(what: str) -> InvalidModelFileError:
        return InvalidModelFileError(f"{label} asks for {what}, beyond what this app builds.", "too_big_model",
                                     what=what)

    shape = options.get("input_shape")
    if not (isinstance(shape, list) and 1 <= len(shape) <= 3
            and all(isinstance(d, int) and d >= 1 for d in shape)):
        raise InvalidModelFileError(f"{label} has no valid input shape in its config ({shape!r}).", "bad_config",
                                    error=f"input_shape {shape!r}")
    if math.prod(shape) > MAX_INPUT_VALUES:
        raise refuse(f"inputs of shape {tuple(shape)}")
    for key in ("latent_dim", "hidden_units", "filters", "kernel_size"):
        value = options.get(key)
        values = value if isinstance(value, list) else [value] if value is not None else []
        if len(values) > MAX_LAYERS or any(not isinstance(v, int) or not 1 <= v <= MAX_LAYER_WIDTH for v in values):
            raise refuse(f"{key} = {value!r}")


def _check_shape(declared, expected, kind: str, data_name: str) -> None:
    expected = tuple(int(d) for d in expected)
    if tuple(declared) != expected:
        raise IncompatibleModelError(
            f"this {kind} takes inputs of shape {tuple(declared)}, but {data_name} has shape {expected}. "
            f"Pick a dataset of that shape or train a model on {data_name}.",
            "wrong_shape", model_shape=str(tuple(declared)), data_shape=str(expected), data_name=data_name)


def _read_archive_config(path: Path, label: str) -> dict:
    if not zipfile.is_zipfile(path):
        raise InvalidModelFileError(
            f"{label} is not a Keras .keras file (those are zip archives). Save a model with "
            "keras.saving.save_model(model, 'name.keras').", "not_keras")
    try:
        with zipfile.ZipFile(path) as archive, archive.open("config.json") as handle:
            text = handle.read(MAX_CONFIG_BYTES + 1)
            if len(text) > MAX_CONFIG_BYTES:
                raise InvalidModelFileError(f"{label} has a config.json over {megabytes(MAX_CONFIG_BYTES)}.",
                                            "bad_config", error=f"config.json > {megabytes(MAX_CONFIG_BYTES)}")
            config = json.loads(text)
    except KeyError:
        raise InvalidModelFileError(
            f"{label} is a zip archive but not a Keras model: it has no config.json.", "no_config") from None
    except (json.JSONDecodeError, UnicodeDecodeError, zipfile.BadZipFile, RecursionError, OSError) as error:
        raise InvalidModelFileError(f"{label} has a damaged config.json: {error}.", "bad_config",
                                    error=type(error).__name__) from None
    if not isinstance(config, dict):
        raise InvalidModelFileError(f"{label} has a config.json that is not a JSON object.", "bad_config",
                                    error="not a JSON object")
    return config


def _refuse_code(node, label: str) -> None:
    """Walk the archive's config; refuse Lambda layers and classes from unknown code."""
    if isinstance(node, list):
        for item in node:
            _refuse_code(item, label)
        return
    if not isinstance(node, dict):
        return
    class_name = node.get("class_name")
    if class_name == "Lambda":
        raise UnsafeModelError(
            f"{label} contains a Lambda layer, which stores Python code. It is refused and "
            "never executed; rebuild the model without Lambda layers.", "lambda")
    registered = node.get("registered_name")
    module = node.get("module")
    ours = isinstance(registered, str) and registered.startswith(f"{SERIALIZATION_PACKAGE}>")
    builtin = registered in (None, class_name) and isinstance(module, str) and (
        module == "keras" or module.startswith("keras."))
    if class_name is not None and not (ours or builtin):
        name = str(registered or class_name)
        raise UnsafeModelError(
            f"{label} needs custom code ({name} from module {module}) that "
            "this app does not have. It is refused and never executed.", "custom_code", what=name)
    for value in node.values():
        _refuse_code(value, label)


def check_model_fits(model: LatentModel, input_shape, *, data_name: str = "the data") -> None:
    """Raise ``IncompatibleModelError`` unless ``model`` takes inputs of ``input_shape``."""
    _check_shape(model.input_shape, input_shape, model.kind, data_name)


def model_archive_bytes(model: LatentModel) -> bytes:
    """The model as ``.keras`` bytes (for a download button)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / MODEL_FILENAME
        keras.saving.save_model(without_training_state(model), path, include_optimizer=False)
        return path.read_bytes()


__all__ = [
    "Bundle",
    "IncompatibleModelError",
    "InvalidModelFileError",
    "ManifestMismatchError",
    "StoreError",
    "UnsafeModelError",
    "check_model_fits",
    "library_versions",
    "load_bundle",
    "load_model",
    "model_archive_bytes",
    "save_bundle",
]
