"""The latent space over training: the probe set, codes recorded per epoch into bundles and checkpoints,
and per-epoch layouts aligned to the epoch before."""

import threading

import numpy as np
import pytest

from latent_core import history, jobs, keys, store
from latent_core.data import load_dataset
from latent_core.history import CodeHistory, align_to_previous, mean_displacement, probe_indices
from latent_core.models import build_model
from latent_core.training import TrainingObserver, train
from latent_core.workspace import Workspace


@pytest.fixture(scope="module")
def small_digits():
    return load_dataset("digits", max_train=300, max_test=200)


def test_probe_is_stratified_by_class_and_the_same_every_time():
    labels = np.repeat(np.arange(10), [100, 100, 100, 100, 100, 100, 100, 100, 100, 5])
    rows = probe_indices(len(labels), labels, 95)
    counts = np.bincount(labels[rows], minlength=10)
    assert counts[9] == 5  # a small class gives all it has
    assert set(counts[:9]) == {10}  # the others share the rest evenly
    assert np.array_equal(rows, probe_indices(len(labels), labels, 95))
    assert len(np.unique(rows)) == 95


def test_probe_spans_continuous_labels_and_unlabelled_data():
    position = np.linspace(0.0, 1.0, 1000)[::-1].copy()
    rows = probe_indices(1000, position, 11)
    assert np.allclose(np.sort(position[rows]), np.linspace(0, 1, 11), atol=1e-3)
    assert np.array_equal(probe_indices(1000, None, 5), [0, 250, 500, 749, 999])
    assert np.array_equal(probe_indices(7, None, 300), np.arange(7))  # fewer than asked: all of them


def test_training_records_the_probe_codes_before_and_after_every_epoch(small_digits):
    model = build_model("dense_ae", input_shape=small_digits.input_shape, latent_dim=3, seed=0)
    result = train(model, small_digits, epochs=3, batch_size=100, probe_size=120)
    recorded = result.code_history
    assert list(recorded.epochs) == [0, 1, 2, 3]
    assert recorded.codes.shape == (4, 120, 3)
    assert np.bincount(recorded.labels).min() >= 11  # from the stratified test split
    assert np.array_equal(recorded.labels, small_digits.y_test[recorded.indices])
    assert np.allclose(recorded.codes[-1], model.encode(small_digits.x_test[recorded.indices]), atol=1e-5)
    assert not np.allclose(recorded.codes[0], recorded.codes[-1])  # training moved the codes


def test_a_model_without_an_encoder_records_nothing(small_digits):
    gan = build_model("dcgan", input_shape=small_digits.input_shape, latent_dim=4, seed=0)
    assert train(gan, small_digits, epochs=1, batch_size=100).code_history is None


def test_a_stopped_run_keeps_codes_of_its_finished_epochs_only(small_digits):
    stop = threading.Event()

    class StopInSecondEpoch(TrainingObserver):
        def on_batch(self, progress):
            if progress.epoch == 2:
                stop.set()

    model = build_model("dense_ae", input_shape=small_digits.input_shape, latent_dim=3, seed=0)
    result = train(model, small_digits, epochs=5, batch_size=100, observer=StopInSecondEpoch(), stop_event=stop)
    assert result.epochs_completed == 1
    assert list(result.code_history.epochs) == [0, 1]


def test_bundles_and_checkpoints_carry_the_history_and_bundles_without_it_still_load(small_digits, tmp_path):
    model = build_model("dense_ae", input_shape=small_digits.input_shape, latent_dim=3, seed=0)
    workspace = Workspace(tmp_path / "ws")
    checkpoints = []

    def checkpoint_then_save(result):
        saved = workspace.save(result.model, name="m", training=result, entry_id="m", in_progress=True)
        checkpoints.append((saved.epochs_completed, list(history.load_history(saved.path).epochs)))

    job = jobs.TrainingJob(model, small_digits, on_checkpoint=checkpoint_then_save, checkpoint_every_s=0.0,
                           on_model_ready=lambda result: workspace.save(model, name="m", training=result,
                                                                        entry_id="m"),
                           epochs=3, batch_size=100, probe_size=50).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == jobs.COMPLETED
    assert checkpoints and checkpoints[0] == (1, [0, 1])  # the first finished epoch always checkpoints
    assert all(epochs == list(range(finished + 1)) for finished, epochs in checkpoints)
    final = history.load_history(snapshot.saved.path)
    assert list(final.epochs) == [0, 1, 2, 3]
    assert np.array_equal(final.codes, snapshot.code_history.codes)

    bare = store.save_bundle(model, tmp_path / "bare")
    assert history.load_history(bare) is None
    assert store.load_bundle(bare).model.latent_dim == 3
    version = keys.bundle_version(bare)
    history.save_history(bare, final)
    assert keys.bundle_version(bare) != version  # a cache of the history sees the new file


def test_a_history_saved_at_half_precision_reads_back_as_float32_within_float16_rounding(tmp_path):
    codes = np.random.default_rng(0).normal(scale=5.0, size=(3, 40, 4)).astype(np.float32)
    recorded = CodeHistory(epochs=[0, 1, 2], codes=codes, indices=np.arange(40), labels=np.arange(40) % 4)
    path = history.save_history(tmp_path, recorded, code_dtype=np.float16)
    with np.load(path) as arrays:
        assert arrays["codes"].dtype == np.float16
    loaded = history.load_history(tmp_path)
    assert loaded.codes.dtype == np.float32
    np.testing.assert_allclose(loaded.codes, codes, rtol=2 ** -11, atol=0)  # float16 rounds to half an ulp
    assert not np.array_equal(loaded.codes, codes)  # it really was stored at half precision
    np.testing.assert_array_equal(loaded.labels, recorded.labels)


def test_a_damaged_history_file_is_logged_and_ignored(tmp_path, caplog):
    (tmp_path / history.HISTORY_FILENAME).write_bytes(b"not a zip")
    assert history.load_history(tmp_path) is None
    assert "cannot be read" in caplog.text


def drifting_history(epochs=6, points=200, dim=6, seed=0) -> CodeHistory:
    """Codes that change a little each epoch, plus a random rotation per epoch (which PCA's axes
    pick up as arbitrary turns and flips)."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(points, dim)) * np.linspace(3, 0.5, dim)
    codes = []
    for _ in range(epochs):
        base = base + 0.05 * rng.normal(size=base.shape)
        rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
        codes.append(base @ rotation)
    return CodeHistory(epochs=np.arange(epochs), codes=np.stack(codes), indices=np.arange(points),
                       labels=rng.integers(0, 10, points))


def test_procrustes_alignment_moves_points_less_than_unaligned_layouts():
    rng = np.random.default_rng(1)
    layout = rng.normal(size=(100, 2))
    turns = []
    for angle in (0.0, 2.0, -1.0, 3.0):
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        turns.append(layout @ rotation * (1 + angle ** 2) + rng.normal(size=layout.shape) * 0.01)
    turns = np.stack(turns)
    unaligned = np.stack([history.normalised(one) for one in turns])
    aligned = align_to_previous(turns)
    assert mean_displacement(aligned).max() < 0.05  # only the small noise is left
    assert mean_displacement(unaligned).min() > 0.5


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_layouts_have_one_normalised_map_per_epoch_and_move_less_than_unaligned_ones(method):
    recorded = drifting_history()
    laid_out = history.layouts(recorded, method)
    assert laid_out.shape == (6, 200, 2)
    radii = np.sqrt((laid_out ** 2).sum(axis=2).mean(axis=1))
    assert np.allclose(radii, 1.0, atol=1e-6) and np.allclose(laid_out.mean(axis=1), 0.0, atol=1e-6)
    raw = np.stack([history.normalised(history._pca_layout(codes)) for codes in recorded.codes])
    if method == "pca":
        assert mean_displacement(laid_out).mean() < 0.5 * mean_displacement(raw).mean()
    else:
        assert mean_displacement(laid_out).max() < 0.5  # started from the previous layout: no jumps


def test_layouts_report_progress_and_stop_when_asked():
    seen = []
    history.layouts(drifting_history(epochs=3), "pca", progress=seen.append)
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])
    with pytest.raises(history.ProjectionStopped):
        history.layouts(drifting_history(epochs=3), "tsne", should_stop=lambda: True)
    with pytest.raises(ValueError, match="unknown layout method"):
        history.layouts(drifting_history(epochs=2), "umap")


def test_history_round_trips_through_arrays_and_refuses_mismatched_shapes():
    recorded = drifting_history(epochs=2, points=20)
    again = CodeHistory.from_arrays(recorded.to_arrays())
    assert np.array_equal(again.codes, recorded.codes) and np.array_equal(again.labels, recorded.labels)
    assert list(recorded.up_to(0).epochs) == [0]
    with pytest.raises(ValueError, match="matching epochs"):
        CodeHistory(epochs=[0], codes=recorded.codes, indices=recorded.indices)
    with pytest.raises(ValueError, match="needs the arrays"):
        CodeHistory.from_arrays({"codes": recorded.codes})


def test_a_layout_job_lays_out_every_epoch_in_the_background_and_stops_when_asked():
    recorded = drifting_history(epochs=3, points=60)
    kept = []
    job = jobs.HistoryLayoutJob(recorded, method="tsne", on_ready=kept.append).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == jobs.COMPLETED and snapshot.fraction == 1.0
    assert snapshot.saved.shape == (3, 60, 2) and kept[0] is snapshot.saved

    stopped = jobs.HistoryLayoutJob(drifting_history(epochs=40, points=60), method="tsne")
    stopped.stop()  # asked before its first epoch: it ends without layouts
    stopped.start().join(120)
    assert stopped.snapshot().state == jobs.STOPPED and stopped.snapshot().saved is None


def test_a_thinned_history_keeps_its_first_and_last_epochs_evenly_spread():
    recorded = drifting_history(epochs=21, points=10)
    kept = recorded.thinned(5)
    assert list(kept.epochs) == [0, 5, 10, 15, 20]
    assert np.array_equal(kept.codes[2], recorded.codes[10]) and np.array_equal(kept.labels, recorded.labels)
    assert recorded.thinned(50) is recorded
    with pytest.raises(ValueError, match="at least its first and last"):
        recorded.thinned(1)
