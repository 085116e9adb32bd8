"""One training entry point for every model kind, with progress events and a stop flag.

``train(model, data, epochs=..., ...)`` runs ``model.fit`` (so throughput is Keras'
own) with a Keras callback that turns the fit loop into a small event stream for a UI:

* ``observer.on_batch(BatchProgress)`` after every batch: epoch, batch, overall
  fraction, elapsed seconds, ETA and the running losses;
* ``observer.on_epoch(EpochReport)`` after every full epoch: the epoch's losses
  (``val_*`` too, when there is validation data) and a few preview images
  (reconstructions, or samples for a GAN).

The validation curve is measured on a fixed subsample of the validation images, at most
:data:`VALIDATION_SHARE` of the training images' number (at least :data:`MIN_VALIDATION`):
enough for a curve that shows over- or underfitting, at a small share of the run (the
model's final metrics are measured on every test image, by ``latent_core.evaluation``).

A UI runs ``train`` in a background thread and sets a ``threading.Event`` to stop: the
flag is read after every batch, so training ends within one batch and keeps its current
(good) weights. A NaN or infinite loss ends training with ``TrainingDivergedError``, any
other error with ``TrainingFailedError``, both after restoring the weights of the last
finished epoch. A model with an encoder also records the codes of a fixed probe set of test
images before training and after every finished epoch (``latent_core.history``), into the
result's ``code_history``. Nothing here is global: all state
lives in the callback of one call, except Keras' random seed, which ``train`` sets so
that the same seed, model options and data give the same weights.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from latent_core.frameworks import keras
import numpy as np

from latent_core.history import DEFAULT_PROBE_SIZE, CodeHistory, CodeRecorder, Probe, choose_probe
from latent_core.models.base import LatentModel

VALIDATION_SHARE = 0.05
MIN_VALIDATION = 256


@dataclass(frozen=True)
class TrainingConfig:
    """The settings of one training run (stored in bundle manifests)."""

    epochs: int
    batch_size: int
    learning_rate: float
    seed: int


@dataclass(frozen=True)
class BatchProgress:
    """Where training stands after one batch. ``epoch`` and ``batch`` count from 1."""

    epoch: int
    epochs: int
    batch: int
    batches_per_epoch: int
    fraction: float
    elapsed_s: float
    eta_s: float
    logs: dict[str, float]


@dataclass(frozen=True)
class EpochReport:
    """Losses of one finished epoch and images that show progress.

    ``preview`` holds reconstructions of ``preview_inputs`` (autoencoders, VAE) or
    samples from fixed noise (``preview_inputs`` is None: GAN); None for flat data.
    ``result`` is the run's result so far (live: copy what you keep), e.g. to checkpoint.
    """

    epoch: int
    epochs: int
    logs: dict[str, float]
    preview: np.ndarray | None
    preview_inputs: np.ndarray | None
    result: TrainingResult | None = None


class TrainingObserver:
    """Receives training events; subclass and override what you need (both no-ops)."""

    def on_batch(self, progress: BatchProgress) -> None:
        """Called after every batch, from the training thread."""

    def on_epoch(self, report: EpochReport) -> None:
        """Called after every finished epoch, from the training thread."""


@dataclass
class TrainingResult:
    """What a run produced. ``stop_reason`` is ``"completed"``, ``"stopped"``,
    ``"diverged"`` or ``"failed"`` (see the two errors below). ``code_history`` holds the
    probe's codes up to the last finished epoch (None for a model without an encoder)."""

    model: LatentModel
    config: TrainingConfig
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_completed: int = 0
    stop_reason: str = "completed"
    seconds: float = 0.0
    code_history: CodeHistory | None = None

    @property
    def stopped_early(self) -> bool:
        return self.stop_reason != "completed"


class TrainingDivergedError(RuntimeError):
    """A loss became NaN or infinite. The model holds the last good weights again and
    ``result`` has the history up to the last finished epoch."""

    def __init__(self, message: str, result: TrainingResult):
        super().__init__(message)
        self.result = result


class TrainingFailedError(RuntimeError):
    """Training raised an error (out of memory, a bug, a full disk...). The model holds
    the weights of the last finished epoch again, ``result`` their history, and
    ``__cause__`` the original error."""

    def __init__(self, message: str, result: TrainingResult):
        super().__init__(message)
        self.result = result


class _EventCallback(keras.callbacks.Callback):
    """Bridges Keras' fit loop to a ``TrainingObserver``, a stop flag and NaN checks."""

    def __init__(self, *, result: TrainingResult, batches_per_epoch: int, observer,
                 stop_event: threading.Event | None, validation: np.ndarray | None,
                 preview_inputs: np.ndarray | None, preview_count: int, recorder: CodeRecorder | None = None):
        super().__init__()
        self.result = result
        self.batches_per_epoch = batches_per_epoch
        self.observer = observer
        self.stop_event = stop_event
        self.validation = validation
        self.preview_inputs = preview_inputs
        self.preview_count = preview_count
        # When the preview images lead the probe, their codes were just recorded: decode those.
        self.recorder = recorder
        self.epoch = 0
        self.batches_seen = 0
        self.started = 0.0
        self.good_weights: list[np.ndarray] = []
        self.divergence: str | None = None

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()
        self.good_weights = self.model.get_weights()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.batches_seen = 0

    def on_train_batch_end(self, batch, logs=None):
        values = _as_floats(logs)
        bad = _non_finite(values)
        if bad:
            self.divergence = (f"the {bad} became {values[bad]} in epoch {self.epoch + 1}, "
                               f"batch {batch + 1}")
            self.model.stop_training = True
            return
        self.batches_seen = batch + 1
        epochs = self.result.config.epochs
        done = self.epoch * self.batches_per_epoch + batch + 1
        total = epochs * self.batches_per_epoch
        elapsed = time.perf_counter() - self.started
        self.observer.on_batch(BatchProgress(
            epoch=self.epoch + 1, epochs=epochs, batch=batch + 1,
            batches_per_epoch=self.batches_per_epoch, fraction=done / total,
            elapsed_s=elapsed, eta_s=elapsed / done * (total - done), logs=values))
        if self.stop_event is not None and self.stop_event.is_set():
            self.result.stop_reason = "stopped"
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self.divergence or self.batches_seen < self.batches_per_epoch:
            return  # a partial epoch: no losses or previews to report
        values = _as_floats(logs)
        if self.validation is not None:
            values.update({f"val_{name}": value for name, value in
                           _validation_losses(self.model, self.validation, self.result.config.batch_size).items()})
        bad = _non_finite(values)
        if bad:
            self.divergence = f"the {bad} became {values[bad]} at the end of epoch {epoch + 1}"
            self.model.stop_training = True
            return
        weights = self.model.get_weights()
        if not all(np.all(np.isfinite(w)) for w in weights):
            self.divergence = f"the weights became NaN or infinite in epoch {epoch + 1}"
            self.model.stop_training = True
            return
        self.good_weights = weights
        for name, value in values.items():
            self.result.history.setdefault(name, []).append(value)
        self.result.epochs_completed = epoch + 1
        if self.recorder is not None:
            preview = self.model.preview_of_codes(self.recorder.latest_codes[: len(self.preview_inputs)])
        else:
            preview = self.model.preview(self.preview_inputs, count=self.preview_count)
        self.observer.on_epoch(EpochReport(
            epoch=epoch + 1, epochs=self.result.config.epochs, logs=values, preview=preview,
            preview_inputs=self.preview_inputs if self.model.has_encoder else None, result=self.result))


def _keep_finished_codes(result: TrainingResult) -> None:
    """Drop codes recorded after a partial or diverged epoch: the history ends at the last finished one."""
    if result.code_history is not None:
        result.code_history = result.code_history.up_to(result.epochs_completed)


def _validation_losses(model, validation: np.ndarray, batch_size: int) -> dict[str, float]:
    """The model's losses on ``validation``, batch by batch through Keras' compiled test step
    (``test_on_batch``, traced once per model), weighted by batch size: what ``evaluate`` returns,
    without the data pipeline ``evaluate`` builds on every call (a tenth of a second, each epoch)."""
    totals: dict[str, float] = {}
    for start in range(0, len(validation), batch_size):
        batch = validation[start : start + batch_size]
        for name, value in _as_floats(model.test_on_batch(batch, return_dict=True)).items():
            totals[name] = totals.get(name, 0.0) + value * len(batch)
    return {name: total / len(validation) for name, total in totals.items()}


def _as_floats(logs) -> dict[str, float]:
    return {name: float(value) for name, value in (logs or {}).items()}


def _non_finite(values: dict[str, float]) -> str | None:
    return next((name for name, value in values.items() if not math.isfinite(value)), None)


def _training_arrays(data, validation_data):
    """Split ``data`` (an array or a Dataset-like object) into train and validation."""
    if hasattr(data, "x_train"):
        x_train = data.x_train
        if validation_data is None and len(getattr(data, "x_test", ())):
            validation_data = data.x_test
    else:
        x_train = data
    return x_train, validation_data


def _probe(model: LatentModel, data, validation: np.ndarray | None, x_train: np.ndarray,
           size: int) -> Probe | None:
    """The examples whose codes are recorded: from a Dataset's test split (stratified by its labels),
    else from the validation or training inputs; None without an encoder or a latent code, or
    with ``size`` 0."""
    if not (model.has_encoder and model.has_latent) or size == 0:
        return None
    if len(getattr(data, "x_test", ())):
        return choose_probe(model.check_inputs(data.x_test), data.y_test, size)
    if validation is not None:
        return choose_probe(validation, None, size)
    return choose_probe(x_train, getattr(data, "y_train", None), size)


def validation_subsample(validation: np.ndarray, train_count: int, *, seed: int) -> np.ndarray:
    """The validation images each epoch is measured on: all of them, or a fixed subsample (drawn
    with ``seed``, in their order) of ``max(MIN_VALIDATION, VALIDATION_SHARE * train_count)``."""
    keep = max(MIN_VALIDATION, round(VALIDATION_SHARE * train_count))
    if len(validation) <= keep:
        return validation
    rows = np.sort(np.random.default_rng(seed).choice(len(validation), size=keep, replace=False))
    return validation[rows]


def check_training_options(*, epochs, batch_size, learning_rate, seed, preview_count,
                           probe_size=DEFAULT_PROBE_SIZE) -> None:
    """Refuse bad training settings before any work, saying what is expected."""
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}.")
    for name, value in (("preview_count", preview_count), ("probe_size", probe_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0; got {value!r}.")
    try:
        rate = float(learning_rate)
    except (TypeError, ValueError):
        rate = float("nan")
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(
            f"learning_rate must be a positive number such as 1e-3; got {learning_rate!r}.")


def train(model: LatentModel, data, *, epochs: int = 10, batch_size: int = 128,
          learning_rate: float = 1e-3, seed: int = 0, validation_data=None,
          observer: TrainingObserver | None = None, stop_event: threading.Event | None = None,
          preview_count: int = 8, probe_size: int = DEFAULT_PROBE_SIZE) -> TrainingResult:
    """Train ``model`` in place on ``data`` and return a ``TrainingResult``.

    ``data`` is an array of inputs (n, *model.input_shape) or a ``Dataset`` (its
    ``x_train``; its ``x_test`` validates unless ``validation_data`` is given). Raises
    ``ModelInputError`` when the data does not fit the model, ``TrainingDivergedError``
    when a loss becomes NaN or infinite, ``TrainingFailedError`` when anything else goes
    wrong during fit (either way the last good epoch's weights are restored first).
    ``probe_size`` examples (0: none) have their codes recorded per epoch into
    ``result.code_history``.
    """
    if not isinstance(model, LatentModel):
        raise TypeError(
            f"model must be a latent_core model (see latent_core.models.build_model); "
            f"got {type(model).__name__}.")
    check_training_options(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                           seed=seed, preview_count=preview_count, probe_size=probe_size)
    x_train, validation_data = _training_arrays(data, validation_data)
    x_train = model.check_inputs(x_train)
    if len(x_train) == 0:
        raise ValueError("the training data is empty; give at least one example.")
    validation = model.check_inputs(validation_data) if validation_data is not None else None
    if validation is not None and len(validation) == 0:
        validation = None
    config = TrainingConfig(epochs=epochs, batch_size=batch_size,
                            learning_rate=float(learning_rate), seed=seed)
    result = TrainingResult(model=model, config=config)
    probe = _probe(model, data, validation, x_train, probe_size)
    recorder = None if probe is None else CodeRecorder(
        probe, on_record=lambda recorded: setattr(result, "code_history", recorded))
    # The preview shows the probe's first images when it has enough: their codes are recorded anyway,
    # so the preview only decodes them (one compiled function less to trace, no second encoding).
    previews_probe = model.is_image_model and probe is not None and 0 < preview_count <= len(probe.inputs)
    preview_source = probe.inputs if previews_probe else validation if validation is not None else x_train
    callback = _EventCallback(
        result=result, batches_per_epoch=math.ceil(len(x_train) / batch_size),
        observer=observer or TrainingObserver(), stop_event=stop_event,
        validation=None if validation is None else validation_subsample(validation, len(x_train), seed=seed),
        preview_inputs=preview_source[:preview_count] if model.is_image_model else None,
        preview_count=preview_count, recorder=recorder if previews_probe else None)
    # The recorder comes first: an epoch's checkpoint (in ``callback``) carries that epoch's codes.
    callbacks = [callback] if recorder is None else [recorder, callback]

    keras.utils.set_random_seed(seed)
    model.configure_training(float(learning_rate))
    started = time.perf_counter()
    try:
        model.fit(x_train, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0,
                  callbacks=callbacks)
    except Exception as error:
        result.seconds = time.perf_counter() - started
        _keep_finished_codes(result)
        result.stop_reason = "failed"
        if callback.good_weights:  # empty when fit failed before its first batch
            model.set_weights(callback.good_weights)
        raise TrainingFailedError(
            f"{type(error).__name__}: {error}. The model keeps the weights of the last finished "
            f"epoch ({result.epochs_completed} of {epochs}).", result) from error
    result.seconds = time.perf_counter() - started
    _keep_finished_codes(result)
    if callback.divergence:
        result.stop_reason = "diverged"
        model.set_weights(callback.good_weights)
        raise TrainingDivergedError(
            f"Training stopped: {callback.divergence}. The model keeps the weights of the last "
            f"good epoch ({result.epochs_completed} finished). Try a smaller learning rate "
            f"than {learning_rate:g}.", result)
    return result
