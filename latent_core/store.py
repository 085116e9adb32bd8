"""Model bundles: a ``.keras`` file plus a JSON manifest, saved and loaded safely.

A bundle is a folder holding ``model.keras`` (Keras 3 format, no optimizer state) and
``manifest.json`` (kind, options, dataset and its provenance, training settings and
history, metrics, library versions, creation time), and for a model trained here with an
encoder ``history.npz``, its probe set's codes per epoch (``latent_core.history``; a bundle
without one loads all the same). ``load_bundle`` rebuilds a model
that gives identical outputs and checks the manifest against it; ``load_model`` loads a
bare ``.keras`` upload.

Loading never runs code from the file and never hands its config to Keras: the archive
is checked first without Keras (``latent_core.model_archive``: expected members only,
byte caps, a weights file of plain float32 datasets stored in full) and its weights are
unpacked into plain arrays. Uploaded bytes are read so in the sandbox
(``latent_core.sandbox``, task "model_archive"), which sends back only the checked config
and the arrays; a file on disk is one of the app's own (a shipped pretrained bundle or a
bundle the app saved in a workspace) and is read in this process. Then its config is
refused when it names a ``Lambda`` layer or any class that is not a registered Latent
Explorer model kind or a plain Keras model (``Sequential`` or functional, read by
``models/keras_ae.py``, also as an encoder and its decoder in two files, each read in the
sandbox); its options are checked against the kind's ``saved_options``
(types and ranges, no nested objects) and the kind's ``weight_count`` and
``activation_values`` are capped (and,
when the caller says which data the model is for, the input shape must fit it). Only
then is the model built through the kind's constructor from those checked options, the
weights file's datasets are matched by name and shape against what it built, and the
weights are read. Uploads are refused with an ``UploadRefused`` error whose ``code``
names the problem (see ``latent_core.uploads``).
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import logging
import platform
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import h5py
from latent_core.frameworks import keras
import numpy as np

from latent_core import sandbox
from latent_core.history import save_history
from latent_core.model_archive import (
    MAX_WEIGHT_VALUES,
    InvalidModelFileError,
    ModelArchive,
    StoreError,
    read_model_archive,
    weights_layout,
)
from latent_core.models import MODEL_KINDS, LatentModel
from latent_core.models.base import SERIALIZATION_PACKAGE
from latent_core.models.keras_ae import (
    LAYER_FIELDS,
    PLAIN_KINDS,
    NoCode,
    SAMPLING_NAMES,
    PlainNetwork,
    ShapesDoNotMeet,
    ShapeWithoutDataset,
    UnsupportedLayer,
    encoder_first,
    plain_kind_and_options,
    read_network,
)
from latent_core.models.options import OptionRefused
from latent_core.uploads import (
    MAX_MODEL_BYTES,
    ParseLimits,
    UploadRefused,
    check_size,
    parse_limits,
)

logger = logging.getLogger(__name__)

# Keras' own model classes whose saved configs ``keras_ae`` reads (a chain of built-in layers).
PLAIN_MODEL_CLASSES = ("Sequential", "Functional")

MODEL_FILENAME = "model.keras"
MANIFEST_FILENAME = "manifest.json"
MANIFEST_FORMAT = 1
# Most values one example's largest intermediate tensor may hold: what the app's own
# DCGAN needs at the largest input (256×256, 64 channels), 16 MB per example.
MAX_ACTIVATION_VALUES = 256 * 256 * 64


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
    from latent_core.frameworks import tf

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


@dataclass(frozen=True)
class WeightsSnapshot:
    """A model's class, configuration and weights at one moment. Taking one (``of``) copies the
    weights in milliseconds, so a training can checkpoint without waiting for the save; ``model()``
    builds an uncompiled copy from it later, in another thread, while training goes on."""

    model_class: type
    config: dict
    weights: tuple[np.ndarray, ...]

    @classmethod
    def of(cls, model: LatentModel) -> WeightsSnapshot:
        return cls(type(model), model.get_config(), tuple(model.get_weights()))

    def model(self) -> LatentModel:
        """An uncompiled model with the snapshot's weights (what a bundle saves)."""
        copy = self.model_class.from_config(self.config)
        copy.set_weights(list(self.weights))
        return copy


def without_training_state(model: LatentModel) -> LatentModel:
    """An uncompiled copy with the same weights, for saving: Keras 3 writes a compiled
    model's optimizer state into ``.keras`` files even with ``include_optimizer=False``,
    which triples them, and bundles are for inference."""
    if getattr(model, "optimizer", None) is None:
        return model
    return WeightsSnapshot.of(model).model()


def save_bundle(model: LatentModel, directory, *, dataset=None, training=None,
                metrics: dict | None = None, overwrite: bool = False, history_dtype=np.float32) -> Path:
    """Save ``model`` and its manifest into ``directory``; return the folder's path.

    ``dataset`` is a ``latent_core.data.Dataset`` (name, source and sizes are recorded)
    or a dict; ``training`` a ``TrainingResult`` (its ``code_history``, when it has one,
    goes into ``history.npz``, its codes as ``history_dtype``); ``metrics`` plain numbers such as
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
    if getattr(training, "code_history", None) is not None:
        save_history(folder, training.code_history, code_dtype=history_dtype)
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
    if manifest.get("model_file", MODEL_FILENAME) != MODEL_FILENAME:  # a bundle names no other file to read
        raise ManifestMismatchError(f"{folder / MANIFEST_FILENAME} names the model file "
                                    f"{manifest.get('model_file')!r}, not {MODEL_FILENAME!r}; the bundle was edited.")
    model = load_model(folder / MODEL_FILENAME)
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
               data_name: str = "the data", max_bytes: int = MAX_MODEL_BYTES,
               limits: ParseLimits | None = None, decoder: bytes | None = None,
               decoder_name: str = "the decoder file") -> LatentModel:
    """Load a Latent Explorer model from a ``.keras`` file path or its bytes, safely.

    Bytes are an upload: they may be at most ``max_bytes`` long, ``name`` names them in
    messages, and their archive is read in the sandbox under ``limits`` (default:
    ``uploads.parse_limits()``). A path is one of the app's own files and is read here.

    Raises ``InvalidModelFileError`` (empty, too big, not a Keras archive, not one of our
    model kinds, options out of their schema, too many weights, a weights file that is
    not stored plainly or does not match, damaged, or too costly to read:
    ``parse_too_big`` / ``parse_too_slow``), ``UnsafeModelError`` (Lambda layers or unknown custom code:
    never run) and, when ``input_shape`` is given, ``IncompatibleModelError`` for a model
    made for other data, judged from the file's config before anything is built.

    ``decoder`` (bytes, named ``decoder_name``) is the decoder of a plain Keras encoder
    given as ``source`` (or the other way round: the encoder is told by its shapes): both
    are read in the sandbox and loaded as one model.
    """
    if isinstance(source, (bytes, bytearray)):
        payload = bytes(source)
        check_size(payload, max_bytes, InvalidModelFileError, name)
        limits = parse_limits() if limits is None else limits
        archive = _archive_from_sandbox(payload, name, limits)
        if decoder is None:
            return _model_from_archive(archive, name, input_shape, data_name)
        check_size(bytes(decoder), max_bytes, InvalidModelFileError, decoder_name)
        second = _archive_from_sandbox(bytes(decoder), decoder_name, limits)
        for part, label in ((archive, name), (second, decoder_name)):
            _refuse_all_code(part.config, label)
            if part.config.get("class_name") not in PLAIN_MODEL_CLASSES:
                raise InvalidModelFileError(
                    f"{label} is not a plain Keras model; an encoder and its decoder are two Sequential or "
                    "functional Keras models.", "plain_pair_part", part=label)
        return _plain_model([archive, second], [name, decoder_name], input_shape, data_name)
    if decoder is not None:
        raise TypeError("a decoder file goes with an uploaded encoder's bytes.")
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}.")
    return _model_from_archive(read_model_archive(path, str(path)), str(path), input_shape, data_name)


def _archive_from_sandbox(payload: bytes, label: str, limits: ParseLimits) -> ModelArchive:
    """The upload's archive as the sandbox read and checked it, refused unless its answer is
    what ``read_model_archive`` produces (a config object and float32 arrays)."""
    metadata, arrays = sandbox.run("model_archive", payload, {"label": label}, name=label, limits=limits,
                                   error=InvalidModelFileError)
    config = metadata.get("config")
    if not isinstance(config, dict) or set(metadata) != {"config"} or \
            any(values.dtype != np.float32 for values in arrays.values()):
        logger.warning("The sandbox's reading of %s returned something no reading produces: %.200r", label, metadata)
        raise InvalidModelFileError(f"{label} could not be loaded: reading it gave an unexpected answer.", "damaged")
    return ModelArchive(config=config, weights=arrays)


def _refuse_all_code(config: dict, label: str) -> None:
    try:
        _refuse_code(config, label)
    except RecursionError:
        raise InvalidModelFileError(f"{label} has a config.json nested too deep.", "bad_config",
                                    error="nested too deep") from None


def _model_from_archive(archive: ModelArchive, label: str, input_shape, data_name: str) -> LatentModel:
    config = archive.config
    _refuse_all_code(config, label)
    if config.get("class_name") in PLAIN_MODEL_CLASSES:
        return _plain_model([archive], [label], input_shape, data_name)
    registered = config.get("registered_name") or ""
    kind_class = next((cls for cls in (*MODEL_KINDS.values(), *PLAIN_KINDS)
                       if registered == f"{SERIALIZATION_PACKAGE}>{cls.__name__}"), None)
    if kind_class is None:
        found = str(config.get("class_name", "unknown"))[:80]
        raise InvalidModelFileError(
            f"{label} holds a {found} model, not a Latent Explorer "
            f"model ({', '.join(MODEL_KINDS)}). Train one in the app or with "
            "`python -m latent_core.train` and upload its model.keras.",
            "not_ours", found=found, kinds=", ".join(MODEL_KINDS))
    options = _checked_options(kind_class, config.get("config"), label)
    _check_sizes(kind_class, options, archive.weight_values, label)
    if input_shape is not None:
        _check_shape(options["input_shape"], input_shape, kind_class.kind, data_name)
    _refuse_non_finite(archive, label)
    model = _built(kind_class, options, label)
    _set_weights(model, archive, label)
    return model


def _plain_model(archives: list[ModelArchive], labels: list[str], input_shape, data_name: str) -> LatentModel:
    """A plain Keras model (``Sequential`` or a functional chain of built-in layers) or an
    encoder and its decoder: an autoencoder split at its narrowest layer (or where the
    encoder ends), a VAE, or a generator alone, rebuilt from its checked layer fields."""
    networks = [_network(archive.config, part) for archive, part in zip(archives, labels)]
    order = encoder_first(networks)
    networks, archives, labels = ([items[index] for index in order] for items in (networks, archives, labels))
    label = " + ".join(labels)
    try:
        kind_class, options = plain_kind_and_options(networks, input_shape)
    except ShapeWithoutDataset as error:
        raise IncompatibleModelError(
            f"{label} works on values of shape {error.shape}, which no dataset here has (they have "
            f"{', '.join(map(str, error.known))}). Upload data of that shape on the Data page.", "plain_no_dataset",
            shape=str(error.shape), known=", ".join(map(str, error.known))) from None
    except NoCode as error:
        raise InvalidModelFileError(f"{label} is not a model this app can explore: {error}.", "plain_no_code",
                                    layer=error.layer, values=error.values, input_values=error.input_values) from None
    except ShapesDoNotMeet as error:
        raise InvalidModelFileError(f"{label} is not a model this app can explore: {error}.",
                                    f"plain_{error.what}_shape", gives=str(error.gives), takes=str(error.takes)) \
            from None
    except ValueError as error:
        raise InvalidModelFileError(f"{label} is not a model this app can explore: {error}.",
                                    "plain_not_autoencoder", error=str(error)[:300]) from None
    _check_sizes(kind_class, options, sum(archive.weight_values for archive in archives), label)
    for network, archive, part in zip(networks, archives, labels):
        if archive.weight_values != network.weight_count():
            raise InvalidModelFileError(
                f"{part}'s weights file holds {archive.weight_values:,} values where its layers need "
                f"{network.weight_count():,}.", "weights_mismatch",
                what=f"{archive.weight_values:,} ≠ {network.weight_count():,}")
    if input_shape is not None:
        _check_shape(options["input_shape"], input_shape, kind_class.kind, data_name)
    for archive, part in zip(archives, labels):
        _refuse_non_finite(archive, part)
    try:
        model = kind_class(**options)
    except ValueError as error:
        raise InvalidModelFileError(f"{label} is not a model this app can explore: {error}.",
                                    "plain_not_autoencoder", error=str(error)[:300]) from None
    rebuilt = [network.rebuilt() for network in networks]
    for part, archive, part_label in zip(rebuilt, archives, labels):
        _set_weights(part.model, archive, part_label)
    model.take_weights([layer for part in rebuilt for layer in part.chain]
                       + [part.head for part in rebuilt if part.head is not None])
    return model


def _network(config: dict, label: str) -> PlainNetwork:
    """A plain model's checked layers; its refusals said as an upload's."""
    try:
        return read_network(config)
    except UnsupportedLayer as refused:
        raise InvalidModelFileError(f"{label} is a Keras model this app cannot rebuild: {refused.name} "
                                    f"{refused.reason}.", "plain_unsupported_layer", layer=refused.layer,
                                    found=refused.found, supported=", ".join(LAYER_FIELDS)) from None
    except OptionRefused as refused:
        if refused.too_big:
            what = " ".join(filter(None, (refused.name, refused.field))) + f" = {refused.shown}"
            raise InvalidModelFileError(f"{label} asks for {what}, beyond what this app builds: {refused.reason}.",
                                        "too_big_model", what=what) from None
        raise InvalidModelFileError(f"{label} is a Keras model this app cannot rebuild: {refused.name} "
                                    f"{refused.reason}.", "plain_layer", layer=refused.name,
                                    **refusal_reason(refused)) from None
    except ValueError as error:
        raise InvalidModelFileError(f"{label} is not a model this app can explore: {error}.",
                                    "plain_not_autoencoder", error=str(error)[:300]) from None


def refusal_reason(refused: OptionRefused) -> dict:
    """An option's refusal as an upload refusal's details: ``reason`` in English, and its
    code, field and parameters (``reason_code``, ``reason_field``, ``reason_params``), from
    which the interface words it in the user's language."""
    return {"reason": refused.reason, "reason_code": refused.code, "reason_field": refused.field,
            "reason_params": refused.params}


def _refuse_non_finite(archive: ModelArchive, label: str) -> None:
    if not all(np.isfinite(values).all() for values in archive.weights.values()):
        raise InvalidModelFileError(f"{label} holds weights that are NaN or infinite; it cannot compute anything.",
                                    "weights_not_finite")


def _checked_options(kind_class: type[LatentModel], config, label: str) -> dict:
    """The constructor options of the file's config, each checked against the kind's schema."""
    try:
        return kind_class.checked_saved_options(config)
    except OptionRefused as refused:
        if refused.too_big:
            what = f"{refused.name} = {refused.shown}"
            raise InvalidModelFileError(f"{label} asks for {what}, beyond what this app builds.",
                                        "too_big_model", what=what) from None
        raise InvalidModelFileError(f"{label} has an option the app does not accept: {refused}.", "bad_option",
                                    option=refused.name, value=refused.shown, **refusal_reason(refused)) from None


def _check_sizes(kind_class: type[LatentModel], options: dict, weight_values: int, label: str) -> None:
    """Cap the weights and the per-example activations the options ask for, and refuse a
    weights file of another size, all before building."""
    try:
        count, activations = kind_class.weight_count(options), kind_class.activation_values(options)
    except (ValueError, TypeError, KeyError, ZeroDivisionError) as error:
        raise InvalidModelFileError(f"{label} has options that do not fit together: {error}.", "bad_config",
                                    error=str(error)[:200]) from None
    for amount, limit, unit in ((count, MAX_WEIGHT_VALUES, "weights"),
                                (activations, MAX_ACTIVATION_VALUES, "values in one example's feature maps")):
        if amount > limit:
            what = f"{amount:,} {unit}"
            raise InvalidModelFileError(f"{label} asks for {what}, beyond what this app builds.",
                                        "too_big_model", what=what)
    if weight_values != count:
        raise InvalidModelFileError(
            f"{label}'s weights file holds {weight_values:,} values where its {kind_class.kind} "
            f"options need {count:,}.", "weights_mismatch", what=f"{weight_values:,} ≠ {count:,}")


def _built(kind_class: type[LatentModel], options: dict, label: str) -> LatentModel:
    """The model built through its kind's constructor from checked options only."""
    try:
        return kind_class(**options)
    except ValueError as error:
        raise InvalidModelFileError(f"{label} has options that do not fit together: {error}", "bad_config",
                                    error=str(error)[:200]) from None


def _set_weights(model: LatentModel, archive: ModelArchive, label: str) -> None:
    """Set the archive's arrays as ``model``'s weights, once their layout is exactly the one
    Keras writes for ``model``: its own weights file, refilled with the arrays, is read back."""
    with tempfile.TemporaryDirectory() as folder:
        written, refilled = Path(folder) / "model.weights.h5", Path(folder) / "refilled.weights.h5"
        model.save_weights(written)
        weights = io.BytesIO(written.read_bytes())
        _check_layout(weights_layout(weights.getvalue(), "the rebuilt model"), archive.layout, label)
        with h5py.File(weights, "r+") as file:
            for name, values in archive.weights.items():
                file[name][...] = values
        # Refilled in memory and written to a file HDF5 never locked: a process forked meanwhile (the
        # sandbox's child, a test's server) can hold an inherited descriptor of a file HDF5 has locked,
        # and Keras could then not open it ("unable to lock file", errno 11).
        refilled.write_bytes(weights.getvalue())
        try:
            model.load_weights(refilled)
        except (ValueError, TypeError, KeyError, OSError) as error:
            raise InvalidModelFileError(f"{label} could not be loaded: {error}", "damaged") from None


def _check_layout(expected: dict[str, tuple[int, ...]], found: dict[str, tuple[int, ...]], label: str) -> None:
    if found == expected:
        return
    differing = sorted(set(expected) ^ set(found)) or sorted(
        name for name in expected if expected[name] != found[name])
    name = differing[0]
    what = f"{name[:80]}: {found.get(name, 'missing')} (needs {expected.get(name, 'none')})"
    raise InvalidModelFileError(f"{label}'s weights do not match its options: {what}.", "weights_mismatch",
                                what=what)


def _check_shape(declared, expected, kind: str, data_name: str) -> None:
    expected = tuple(int(d) for d in expected)
    if tuple(declared) != expected:
        raise IncompatibleModelError(
            f"this {kind} takes inputs of shape {tuple(declared)}, but {data_name} has shape {expected}. "
            f"Pick a dataset of that shape or train a model on {data_name}.",
            "wrong_shape", model_shape=str(tuple(declared)), data_shape=str(expected), data_name=data_name)


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
    if class_name == "__keras_tensor__" and set(node) == {"class_name", "config"}:
        _refuse_code(node["config"], label)  # a functional model's wiring: data, not a class
        return
    registered = node.get("registered_name")
    module = node.get("module")
    ours = isinstance(registered, str) and registered.startswith(f"{SERIALIZATION_PACKAGE}>")
    builtin = registered in (None, class_name) and isinstance(module, str) and (
        module == "keras" or module.startswith("keras."))
    # keras.io's VAE tutorial's Sampling layer is never imported: read_network drops it where it
    # is exactly the tutorial's (a third output taking the mean and log-variance) and refuses it otherwise.
    tutorial_sampling = class_name == "Sampling" and registered in SAMPLING_NAMES
    if class_name is not None and not (ours or builtin or tutorial_sampling):
        name = str(registered or class_name)[:80]
        raise UnsafeModelError(
            f"{label} needs custom code ({name} from module {str(module)[:80]}) that "
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
