"""Training engine: every kind learns, with every loss it offers, events flow, stop and NaN are handled,
results are reproducible, and the linear AE finds PCA's subspace."""

import threading

import numpy as np
import pytest

from latent_core.metrics import pca_baseline, reconstruction_mse
from latent_core.models import MODEL_KINDS, ModelInputError, build_model
from latent_core.training import TrainingDivergedError, TrainingFailedError, TrainingObserver, train


class Recorder(TrainingObserver):
    """Keeps every event; optionally sets a stop flag after a given batch."""

    def __init__(self, stop_event=None, stop_after_batches=None):
        self.batches, self.epochs = [], []
        self.stop_event, self.stop_after_batches = stop_event, stop_after_batches

    def on_batch(self, progress):
        self.batches.append(progress)
        if self.stop_after_batches and len(self.batches) >= self.stop_after_batches:
            self.stop_event.set()

    def on_epoch(self, report):
        self.epochs.append(report)


@pytest.mark.parametrize("kind", sorted(kind for kind, cls in MODEL_KINDS.items() if cls.has_latent))
def test_every_kind_trains_reports_progress_and_learns(kind, digits):
    model = build_model(kind, input_shape=(8, 8, 1), latent_dim=8)
    before = model.decode(np.zeros((2, 8), np.float32))
    recorder = Recorder()
    result = train(model, digits, epochs=3, batch_size=32, learning_rate=3e-3, observer=recorder)

    assert result.stop_reason == "completed" and result.epochs_completed == 3
    assert len(recorder.batches) == 3 * 10  # 300 images in batches of 32
    fractions = [p.fraction for p in recorder.batches]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(p.eta_s >= 0 for p in recorder.batches) and recorder.batches[-1].eta_s == 0
    assert [r.epoch for r in recorder.epochs] == [1, 2, 3]
    last = recorder.epochs[-1]
    assert last.preview.shape == (8, 8, 8, 1) and 0 <= last.preview.min() <= last.preview.max() <= 1
    assert all(len(values) == 3 and np.all(np.isfinite(values)) for values in result.history.values())
    if kind == "dcgan":
        assert {"d_loss", "g_loss", "val_d_loss"} <= set(result.history)
        assert last.preview_inputs is None
        assert not np.allclose(model.decode(np.zeros((2, 8), np.float32)), before)
    else:
        assert {"loss", "reconstruction_loss", "val_loss"} <= set(result.history)
        # The preview shows the first probe images, reconstructed by the model of that epoch.
        np.testing.assert_array_equal(last.preview_inputs, digits.x_test[result.code_history.indices[:8]])
        np.testing.assert_allclose(last.preview, np.clip(model.reconstruct(last.preview_inputs), 0, 1), atol=1e-5)
        assert result.history["loss"][-1] < result.history["loss"][0]


OFFERED_LOSSES = [(kind, shape, loss) for kind, cls in sorted(MODEL_KINDS.items()) for shape in [(8, 8, 1), (3,)]
                  if cls.has_latent and (len(shape) == 3 or not cls.image_only) for loss in cls.supported_losses(shape)]


@pytest.mark.parametrize(("kind", "shape", "loss"), OFFERED_LOSSES)
def test_every_loss_a_kind_offers_trains_to_finite_losses(kind, shape, loss, digits):
    x = digits.x_train[:64] if len(shape) == 3 else np.random.default_rng(0).standard_normal((64, 3)).astype("float32")
    model = build_model(kind, input_shape=shape, latent_dim=2, loss=loss)
    result = train(model, x, epochs=1, batch_size=64)
    assert result.stop_reason == "completed" and model.options["loss"] == loss
    assert all(np.isfinite(values).all() for values in result.history.values())


def test_swiss_roll_points_train_a_3_to_2_autoencoder():
    rng = np.random.default_rng(0)
    t = rng.uniform(1.5 * np.pi, 4.5 * np.pi, 400)
    points = np.stack([t * np.cos(t), rng.uniform(0, 20, 400), t * np.sin(t)], 1).astype("float32")
    model = build_model("dense_ae", input_shape=(3,), latent_dim=2, hidden_units=[32])
    recorder = Recorder()
    result = train(model, points, epochs=3, batch_size=32, learning_rate=1e-2, observer=recorder)
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert recorder.epochs[-1].preview is None  # no images to show for points


def test_stop_request_is_honoured_within_one_batch_from_another_thread(digits):
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    initial = model.get_weights()
    stop = threading.Event()
    recorder = Recorder(stop, stop_after_batches=2)
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.update(
        result=train(model, digits, epochs=5, batch_size=32, observer=recorder, stop_event=stop)))
    worker.start()
    worker.join(timeout=120)

    result = outcome["result"]
    assert result.stopped_early and result.stop_reason == "stopped"
    assert len(recorder.batches) == 2 and recorder.epochs == []
    assert result.epochs_completed == 0 and result.history == {}
    weights = model.get_weights()
    assert all(np.all(np.isfinite(w)) for w in weights)
    assert any(not np.array_equal(a, b) for a, b in zip(initial, weights))  # kept, not reset


def test_nan_loss_stops_with_a_clear_error_and_restores_last_good_weights():
    points = (np.random.default_rng(0).standard_normal((300, 3)) * 100).astype("float32")
    model = build_model("linear_ae", input_shape=(3,), latent_dim=2)
    train(model, points, epochs=1, batch_size=32, learning_rate=1e-4)
    good = model.get_weights()
    with pytest.raises(TrainingDivergedError, match=r"became (nan|inf).*smaller learning rate") as info:
        train(model, points, epochs=3, batch_size=32, learning_rate=1e6)
    assert info.value.result.epochs_completed == 0
    for before, after in zip(good, model.get_weights()):
        np.testing.assert_array_equal(before, after)


def test_same_seed_same_result_other_seed_other_result(digits):
    def run(seed):
        model = build_model("denoising_ae", input_shape=(8, 8, 1), latent_dim=4)
        history = train(model, digits, epochs=2, batch_size=64, seed=seed).history
        return model.get_weights(), history

    (first, history_a), (second, history_b), (other, _) = run(1), run(1), run(2)
    assert history_a == history_b
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(first, other))


def test_linear_autoencoder_reconstructs_as_well_as_pca_of_the_same_size():
    from latent_core.data import load_dataset

    x = load_dataset("digits").x_train
    model = build_model("linear_ae", input_shape=x.shape[1:], latent_dim=5)
    train(model, x, epochs=40, batch_size=64, learning_rate=1e-2, preview_count=0)
    ae_mse = reconstruction_mse(x, model.reconstruct(x))
    pca_mse = pca_baseline(x, x, 5).mse
    assert pca_mse * 0.999 <= ae_mse <= pca_mse * 1.05  # PCA is optimal; the AE gets close


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"batch_size": 2.5}, "batch_size must be a positive integer"),
        ({"learning_rate": -1}, "learning_rate must be a positive number"),
        ({"seed": -3}, "seed must be an integer >= 0"),
    ],
)
def test_bad_training_options_fail_before_training(options, message, digits):
    model = build_model("dense_ae", input_shape=(8, 8, 1))
    with pytest.raises(ValueError, match=message):
        train(model, digits, **options)


def test_data_that_does_not_fit_the_model_is_refused(digits):
    model = build_model("dense_ae", input_shape=(28, 28, 1))
    with pytest.raises(ModelInputError, match=r"\(n, 28, 28, 1\); got \(300, 8, 8, 1\)"):
        train(model, digits, epochs=1)
    with pytest.raises(TypeError, match="build_model"):
        train(object(), digits)


def test_an_error_mid_run_restores_the_last_finished_epoch(digits):
    class Crash(TrainingObserver):
        def __init__(self):
            self.weights = []

        def on_epoch(self, report):
            self.weights.append(model.get_weights())

        def on_batch(self, progress):
            if progress.epoch == 3 and progress.batch == 4:
                raise RuntimeError("disk vanished")

    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    crash = Crash()
    with pytest.raises(TrainingFailedError, match=r"RuntimeError: disk vanished.*last finished epoch \(2 of 5\)") as info:
        train(model, digits, epochs=5, batch_size=32, observer=crash)
    result = info.value.result
    assert result.epochs_completed == 2 and result.stop_reason == "failed" and len(result.history["loss"]) == 2
    assert isinstance(info.value.__cause__, RuntimeError)
    for restored, kept in zip(model.get_weights(), crash.weights[-1]):
        np.testing.assert_array_equal(restored, kept)


def test_epoch_reports_carry_the_result_so_far(digits):
    seen = []

    class Watch(TrainingObserver):
        def on_epoch(self, report):
            seen.append((report.result.epochs_completed, len(report.result.history["loss"])))

    train(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=2, batch_size=64,
          observer=Watch())
    assert seen == [(1, 1), (2, 2)]


def test_each_epoch_is_validated_on_a_fixed_subsample():
    from latent_core.training import MIN_VALIDATION, VALIDATION_SHARE, validation_subsample

    validation = np.arange(10_000, dtype=np.float32)[:, None]
    kept = validation_subsample(validation, 20_000, seed=0)
    assert len(kept) == round(VALIDATION_SHARE * 20_000)
    np.testing.assert_array_equal(kept, validation_subsample(validation, 20_000, seed=0))  # the same every epoch
    assert np.all(np.diff(kept[:, 0]) > 0) and len(np.unique(kept)) == len(kept)
    assert len(validation_subsample(validation, 1000, seed=0)) == MIN_VALIDATION
    assert len(validation_subsample(validation[:100], 20_000, seed=0)) == 100  # fewer than that: all of them


def test_the_validation_loss_is_measured_on_the_subsample(digits, monkeypatch):
    from latent_core import training as training_module

    monkeypatch.setattr(training_module, "MIN_VALIDATION", 30)
    model = build_model("dense_ae", input_shape=digits.input_shape, latent_dim=4, seed=0)
    seen = []
    test_on_batch = model.test_on_batch
    monkeypatch.setattr(model, "test_on_batch", lambda x, **kw: seen.append(len(x)) or test_on_batch(x, **kw))
    train(model, digits, epochs=2, batch_size=20)
    assert seen == [20, 10, 20, 10]  # 100 test images, 300 training ones: 30 of them, in batches of 20


def test_the_validation_losses_are_what_evaluate_says(digits):
    from latent_core.training import _validation_losses

    model = build_model("dense_ae", input_shape=digits.input_shape, latent_dim=4, seed=0)  # no sampling noise
    train(model, digits, epochs=1, batch_size=50)
    validation = digits.x_test[:90].astype(np.float32)
    ours = _validation_losses(model, validation, 30)  # three batches (of equal size: the kinds' own loss
    theirs = model.evaluate(validation, batch_size=30, verbose=0, return_dict=True)  # trackers weigh batches alike)
    assert set(ours) == set(theirs)
    for name in ours:
        assert ours[name] == pytest.approx(float(theirs[name]), rel=1e-4), name
