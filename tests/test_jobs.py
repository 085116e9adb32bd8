"""Background training jobs: progress snapshots, stop, divergence, errors and their logs, checkpoints,
the queue, time estimates."""

import logging
import threading
import time

import numpy as np
import pytest

from latent_core.data import load_dataset
from latent_core.hosting import QueuePosition, TrainingQueue
from latent_core.jobs import (CANCELLED, COMPLETED, DIVERGED, FAILED, QUEUED, STOPPED, TrainingJob, active_job,
                              estimate_seconds)
from latent_core.models import build_model
from latent_core.models.architectures import multiply_adds, plan
from latent_core.models.dense_ae import DenseAutoencoder


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", max_train=256, max_test=32)


def test_job_reports_progress_and_saves_the_model(digits):
    saved = []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = TrainingJob(model, digits, on_model_ready=lambda result: saved.append(result) or "entry-1",
                      epochs=2, batch_size=64, seed=0).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == COMPLETED and snapshot.finished and snapshot.error is None
    assert snapshot.saved == "entry-1" and saved[0].epochs_completed == 2
    assert len(snapshot.history["loss"]) == 2 and "val_loss" in snapshot.history
    assert snapshot.progress.fraction == pytest.approx(1.0)
    assert snapshot.preview.shape == snapshot.preview_inputs.shape == (8, 8, 8, 1)
    assert snapshot.finished_at >= snapshot.started_at


def test_stop_ends_within_a_batch_and_keeps_the_model(digits):
    saved = []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = TrainingJob(model, digits, on_model_ready=saved.append, epochs=500, batch_size=8, seed=0)
    job.stop()  # requested before the first batch ends: training stops after it
    job.start().join(120)
    snapshot = job.snapshot()
    assert snapshot.state == STOPPED
    assert snapshot.progress.epoch == 1 and snapshot.progress.batch == 1
    assert len(saved) == 1 and np.isfinite(model.get_weights()[0]).all()


def test_divergence_is_reported_and_nothing_is_saved_without_a_good_epoch():
    saved = []
    points = (np.random.default_rng(0).standard_normal((300, 3)) * 100).astype("float32")
    model = build_model("linear_ae", input_shape=(3,), latent_dim=2)
    job = TrainingJob(model, points, on_model_ready=saved.append, epochs=3, batch_size=32, learning_rate=1e6).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == DIVERGED
    assert "smaller learning rate" in snapshot.error
    assert saved == []


def test_bad_data_fails_with_the_models_message_and_logs_it(digits, caplog):
    poisoned = np.array(digits.x_train, copy=True)
    poisoned[3] = np.nan
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4)
    job = TrainingJob(model, poisoned, epochs=1, name="poisoned").start()
    job.join(120)
    assert job.snapshot().state == FAILED
    assert "NaN or infinite" in job.snapshot().error
    logged = [record for record in caplog.records if record.name == "latent_core.jobs"]
    assert logged[0].getMessage() == "Training 'poisoned' failed before it started"
    assert "ModelInputError" in caplog.text  # with the traceback


class FitRaises(DenseAutoencoder):
    """A dense AE whose fit raises from deep inside, as a bug in a model kind would."""

    def fit(self, *args, **kwargs):
        return self._broken_step()

    def _broken_step(self):
        raise RuntimeError("simulated bug in a model kind")


def test_a_failed_trainings_traceback_lands_in_the_server_log(digits, caplog):
    model = FitRaises(input_shape=(8, 8, 1), latent_dim=4)
    job = TrainingJob(model, digits, epochs=1, batch_size=64, name="buggy").start()
    job.join(120)
    assert job.snapshot().state == FAILED
    assert "RuntimeError: simulated bug in a model kind" in job.snapshot().error
    record = next(record for record in caplog.records if record.name == "latent_core.jobs")
    assert record.levelno == logging.ERROR and record.getMessage() == "Training 'buggy' failed"
    assert "in _broken_step" in caplog.text  # the frame that raised, not just a one-line summary


def test_a_failed_save_is_reported_and_logged(digits, caplog):
    def refuse(result):
        raise OSError("read-only file system")

    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = TrainingJob(model, digits, on_model_ready=refuse, epochs=1, batch_size=64, name="unsaved").start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == FAILED and "could not be saved: read-only" in snapshot.error
    assert isinstance(snapshot.save_error, OSError)
    record = next(record for record in caplog.records if record.name == "latent_core.jobs")
    assert record.getMessage() == "Training 'unsaved' ended but its model could not be saved"
    assert record.exc_info[0] is OSError


def test_estimates_grow_with_work_and_rank_the_kinds():
    one = estimate_seconds("conv_ae", (28, 28, 1), images=10_000, epochs=1)
    assert estimate_seconds("conv_ae", (28, 28, 1), images=10_000, epochs=2) > one
    assert estimate_seconds("conv_ae", (28, 28, 1), images=20_000, epochs=1) > one
    assert estimate_seconds("conv_ae", (8, 8, 1), images=10_000, epochs=1) < one
    assert estimate_seconds("dcgan", (28, 28, 1), images=10_000, epochs=1) > one > \
        estimate_seconds("dense_ae", (28, 28, 1), images=10_000, epochs=1)
    with pytest.raises(ValueError, match="unknown model kind 'transformer'"):
        estimate_seconds("transformer", (28, 28, 1), images=1, epochs=1)


def test_an_estimate_follows_the_work_the_layers_do():
    def planned(kind, **options):
        return plan(kind, input_shape=(28, 28, 1), latent_dim=32, options=options)

    def estimate(kind, architecture, images=10_000, epochs=2):
        return estimate_seconds(kind, (28, 28, 1), images=images, epochs=epochs,
                                multiply_adds=architecture.multiply_adds)

    dense, wide = planned("dense_ae"), planned("dense_ae", hidden_units=(512, 256))
    assert wide.parameters > dense.parameters and estimate("dense_ae", wide) > estimate("dense_ae", dense)
    conv, small_conv = planned("conv_ae"), planned("conv_ae", filters=(16, 32))
    assert estimate("conv_ae", small_conv) < estimate("conv_ae", conv)
    # the conv AE holds fewer parameters than the dense AE, but reuses them at every position of the image
    assert conv.parameters < dense.parameters and conv.multiply_adds > 10 * dense.multiply_adds
    assert estimate("conv_ae", conv) > 3 * estimate("dense_ae", dense)
    # its default layers' work is what an estimate without layers assumes
    assert estimate("conv_ae", conv) == pytest.approx(estimate_seconds("conv_ae", (28, 28, 1), images=10_000, epochs=2))
    assert estimate("dense_ae", dense, images=20_000) > estimate("dense_ae", dense)
    assert estimate("dense_ae", dense, epochs=4) > estimate("dense_ae", dense)


def test_multiply_adds_count_each_layer_by_what_it_computes():
    import keras
    from keras import layers

    class TwoParts:
        def __init__(self, *parts):
            self.parts = parts

        def submodels(self):
            return list(self.parts)

    encoder = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3, strides=2, padding="same"),
                                layers.BatchNormalization(), layers.Flatten(), layers.Dense(5)])
    decoder = keras.Sequential([keras.Input((5,)), layers.Dense(64), layers.Reshape((4, 4, 4)),
                                layers.Conv2DTranspose(1, 3, strides=2, padding="same")])
    # a 3×3×1×4 kernel at each of 4×4 outputs; 64×5 and 5×64 weights once; a 3×3×4×1 kernel at each of 4×4 inputs
    assert multiply_adds(TwoParts(encoder, decoder)) == 36 * 16 + 64 * 5 + 5 * 64 + 36 * 16


def test_a_registered_kind_is_estimated_from_its_own_time_per_image(throwaway_kind):
    def work(kind):  # the estimate without the fixed start-up time
        return estimate_seconds(kind, (28, 28, 1), images=10_000, epochs=2) - estimate_seconds(
            kind, (28, 28, 1), images=0, epochs=2)

    assert work("tiny_ae") == pytest.approx(0.5 / 1000 * 10_000 * 2)
    assert work("tiny_ae") == pytest.approx(0.5 / DenseAutoencoder.training_ms_per_image * work("dense_ae"))
    throwaway_kind.training_ms_per_image = None  # a kind that was never timed says so
    with pytest.raises(ValueError, match="'tiny_ae': its class declares no training_ms_per_image"):
        estimate_seconds("tiny_ae", (28, 28, 1), images=1, epochs=1)


class FailingJob(TrainingJob):
    """A job whose training raises a plain error in its third epoch (as out-of-memory would)."""

    def on_batch(self, progress):
        super().on_batch(progress)
        if progress.epoch == 3 and progress.batch == 2:
            raise MemoryError("simulated: out of memory")


def test_an_error_mid_run_keeps_and_saves_the_last_good_epoch(digits):
    saved = []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = FailingJob(model, digits, on_model_ready=saved.append, epochs=10, batch_size=64, seed=0).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == FAILED
    assert "MemoryError: simulated: out of memory" in snapshot.error
    assert "last finished epoch (2 of 10)" in snapshot.error
    assert len(saved) == 1 and saved[0].epochs_completed == 2 and saved[0].stop_reason == "failed"
    assert len(saved[0].history["loss"]) == 2


def test_checkpoints_come_after_finished_epochs_but_not_the_last(digits):
    checkpoints, finals = [], []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)

    def checkpoint(result):
        checkpoints.append((result.epochs_completed, result.stop_reason, len(result.history["loss"])))

    job = TrainingJob(model, digits, epochs=3, batch_size=64, on_checkpoint=checkpoint,
                      on_model_ready=finals.append, checkpoint_every_s=0).start()
    job.join(120)
    # The first finished epoch always checkpoints; epoch 2 too unless epoch 1's write was still going on.
    assert checkpoints in ([(1, "in progress", 1), (2, "in progress", 2)], [(1, "in progress", 1)])
    assert finals[0].stop_reason == "completed" and finals[0].epochs_completed == 3


def test_a_slow_checkpoint_is_not_repeated_until_training_has_run_long_enough(digits):
    checkpoints = []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)

    def slow_checkpoint(result):
        checkpoints.append(result.epochs_completed)
        time.sleep(0.5)  # the next one waits 0.5 s / CHECKPOINT_MAX_SHARE = 25 s of training

    job = TrainingJob(model, digits, epochs=4, batch_size=64, on_checkpoint=slow_checkpoint,
                      checkpoint_every_s=0).start()
    job.join(120)
    assert job.snapshot().state == COMPLETED
    assert checkpoints == [1]


def test_a_failing_checkpoint_is_reported_logged_and_training_goes_on(digits, caplog):
    def full_disk(result):
        raise OSError("No space left on device")

    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = TrainingJob(model, digits, epochs=2, batch_size=64, on_checkpoint=full_disk, checkpoint_every_s=0,
                      name="full disk").start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == COMPLETED and isinstance(snapshot.checkpoint_error, OSError)
    record = next(record for record in caplog.records if record.name == "latent_core.jobs")
    assert record.getMessage() == "Checkpoint of 'full disk' after epoch 1 failed; training goes on"
    assert record.exc_info[0] is OSError


def test_the_training_thread_does_not_wait_for_a_slow_checkpoint_writer(digits):
    release, order = threading.Event(), []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)

    def slow_checkpoint(result):
        release.wait(120)  # a slow disk: the write takes as long as the test wants
        order.append(("checkpoint", result.epochs_completed, result.model is model,
                      [weights.copy() for weights in result.model.get_weights()]))

    job = TrainingJob(model, digits, epochs=4, batch_size=64, on_checkpoint=slow_checkpoint, checkpoint_every_s=0,
                      on_model_ready=lambda result: order.append(("final", result.epochs_completed))).start()
    try:
        deadline = time.monotonic() + 60
        while len(job.snapshot().history.get("loss", [])) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(job.snapshot().history["loss"]) == 4  # every epoch trained while the first checkpoint was written
        time.sleep(0.3)
        assert not job.snapshot().finished and order == []  # the job waits for that write before its final save
    finally:
        release.set()
    job.join(60)
    assert job.snapshot().state == COMPLETED
    assert [entry[:3] for entry in order] == [("checkpoint", 1, False), ("final", 4)]  # one at a time, in order
    checkpointed = order[0][3]
    assert not all(np.allclose(then, now) for then, now in zip(checkpointed, model.get_weights()))  # epoch 1's weights


def test_a_stopped_job_saves_its_model_after_the_checkpoint_being_written(digits):
    release, order = threading.Event(), []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = TrainingJob(model, digits, epochs=50, batch_size=64, checkpoint_every_s=0,
                      on_checkpoint=lambda result: (release.wait(120), order.append("checkpoint")),
                      on_model_ready=lambda result: order.append(result.stop_reason)).start()
    deadline = time.monotonic() + 120
    while len(job.snapshot().history.get("loss", [])) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop()
    time.sleep(0.3)
    assert not job.snapshot().finished
    release.set()
    job.join(60)
    assert order == ["checkpoint", "stopped"] and job.snapshot().state == STOPPED


def test_a_queued_job_waits_its_turn_shows_its_place_and_can_leave(digits):
    queue = TrainingQueue(slots=1)
    blocker = queue.join()
    assert queue.wait_for_slot(blocker, timeout=0)  # another session's training holds the slot
    saved = []
    first = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1,
                        batch_size=64, queue=queue, owner="student-a", on_model_ready=saved.append).start()
    second = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1,
                         batch_size=64, queue=queue, owner="student-b", on_model_ready=saved.append).start()
    assert first.snapshot().state == QUEUED and not first.snapshot().finished
    assert first.snapshot().queue == QueuePosition(ahead=0, running=1, slots=1)
    assert second.snapshot().queue.ahead == 1
    assert active_job("student-b") is second and active_job("student-c") is None

    second.stop()  # Stop while queued: leaves the queue, nothing trained or saved
    second.join(10)
    assert second.snapshot().state == CANCELLED and second.snapshot().progress is None
    assert queue.waiting == 1 and active_job("student-b") is None

    time.sleep(0.5)
    assert first.snapshot().state == QUEUED  # still waiting for the held slot
    queue.leave(blocker)
    first.join(120)
    assert first.snapshot().state == COMPLETED and len(saved) == 1
    assert queue.running == queue.waiting == 0


def test_a_job_that_fails_gives_its_slot_back(digits):
    queue = TrainingQueue(slots=1)
    poisoned = np.full_like(digits.x_train, np.nan)
    job = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), poisoned, epochs=1,
                      queue=queue).start()
    job.join(60)
    assert job.snapshot().state == FAILED and queue.running == queue.waiting == 0
