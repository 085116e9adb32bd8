"""Evaluation helpers: known values, PCA baseline and anomaly metrics."""

import numpy as np
import pytest

from latent_core import metrics


def test_mse_and_psnr_have_known_values():
    originals = np.zeros((2, 4, 4, 1))
    reconstructions = np.stack([np.full((4, 4, 1), 0.1), np.full((4, 4, 1), 0.2)])
    np.testing.assert_allclose(metrics.per_image_mse(originals, reconstructions), [0.01, 0.04])
    assert metrics.reconstruction_mse(originals, reconstructions) == pytest.approx(0.025)
    np.testing.assert_allclose(metrics.per_image_psnr(originals, reconstructions),
                               [20.0, 10 * np.log10(25)])
    assert metrics.psnr(originals, reconstructions) == pytest.approx(10 * np.log10(40))
    assert metrics.psnr(originals, originals) == float("inf")
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.per_image_mse(originals, reconstructions[:1])


def test_pca_baseline_improves_with_components_and_is_exact_at_full_size():
    rng = np.random.default_rng(0)
    x = rng.random((50, 3, 3, 1))
    errors = [metrics.pca_baseline(x, x, k).mse for k in (1, 4, 9)]
    assert errors[0] > errors[1] > errors[2] and errors[2] < 1e-12
    baseline = metrics.pca_baseline(x[:40], x[40:], 2)
    assert baseline.codes.shape == (10, 2) and baseline.reconstructions.shape == (10, 3, 3, 1)
    with pytest.raises(ValueError, match="n_components must be between 1 and 9"):
        metrics.pca_baseline(x, x, 10)


def test_compression_ratio():
    assert metrics.compression_ratio((28, 28, 1), 32) == 24.5


def test_anomaly_report_at_a_threshold():
    scores = np.array([0.1, 0.2, 0.3, 0.9, 0.25, 0.8])
    is_anomaly = np.array([0, 0, 0, 1, 1, 1])
    report = metrics.anomaly_report(scores, is_anomaly, threshold=0.5)
    assert report.precision == 1.0 and report.recall == pytest.approx(2 / 3)
    assert report.accuracy == pytest.approx(5 / 6) and report.f1 == pytest.approx(0.8)
    assert report.auroc == pytest.approx(8 / 9)
    assert report.false_positive_rate[0] == 0 and report.true_positive_rate[-1] == 1
    with pytest.raises(ValueError, match="both normal and anomalous"):
        metrics.anomaly_report(scores, np.zeros(6), threshold=0.5)


def test_default_threshold_is_a_percentile_of_normal_scores():
    assert metrics.default_threshold(np.arange(101)) == pytest.approx(95.0)
    assert metrics.default_threshold(np.arange(101), percentile=50) == pytest.approx(50.0)


def test_threshold_split_fits_on_half_the_normals_and_evaluates_everything_else():
    is_anomaly = np.array([False] * 10 + [True] * 5 + [False] * 4)
    split = metrics.threshold_split(is_anomaly, seed=3)
    assert len(split.fit) == 7 and not is_anomaly[split.fit].any()
    assert np.intersect1d(split.fit, split.evaluate).size == 0
    assert sorted(np.concatenate([split.fit, split.evaluate]).tolist()) == list(range(19))
    assert is_anomaly[split.evaluate].sum() == 5 and (~is_anomaly[split.evaluate]).sum() == 7
    again = metrics.threshold_split(is_anomaly, seed=3)
    assert split.fit.tolist() == again.fit.tolist()  # fixed by its seed


def test_threshold_split_leaves_a_normal_on_each_side_or_refuses():
    two = metrics.threshold_split([False, True, False])
    assert len(two.fit) == 1 and (~np.array([False, True, False])[two.evaluate]).sum() == 1
    with pytest.raises(ValueError, match="at least two normal examples"):
        metrics.threshold_split([False, True, True])
    with pytest.raises(ValueError, match="between 0 and 1"):
        metrics.threshold_split([False, False, True], share=1.0)


@pytest.mark.parametrize("threshold", [-1.0, 0.2, 0.5, 0.8, 2.0])
def test_the_threshold_point_counts_as_scikit_learn_scores(threshold):
    from sklearn.metrics import precision_recall_fscore_support

    rng = np.random.default_rng(3)
    is_anomaly = rng.random(500) < 0.3
    scores = rng.random(500) + 0.3 * is_anomaly
    point = metrics.threshold_point(scores, is_anomaly, threshold)
    predicted = scores > threshold
    precision, recall, f1, _ = precision_recall_fscore_support(is_anomaly, predicted, average="binary",
                                                               zero_division=0)
    assert (point.precision, point.recall, point.f1) == pytest.approx((precision, recall, f1))
    assert point.accuracy == pytest.approx(np.mean(predicted == is_anomaly))
    assert point.false_alarm_rate == pytest.approx(np.mean(predicted[~is_anomaly]))
    assert (point.flagged, point.false_alarms, point.normals) == (
        predicted.sum(), (predicted & ~is_anomaly).sum(), (~is_anomaly).sum())
