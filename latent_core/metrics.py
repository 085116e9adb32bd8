"""Evaluation helpers written once: reconstruction error, PSNR, a PCA baseline at the
same code size, and anomaly-detection metrics (scikit-learn where it has them), with the
split of the test examples that keeps an anomaly threshold's fit apart from its evaluation.

All functions take NumPy arrays of shape (n, ...) and treat axis 0 as examples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import roc_auc_score, roc_curve


def _pair(originals, reconstructions) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(originals, dtype=np.float64)
    b = np.asarray(reconstructions, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"originals and reconstructions differ in shape: {a.shape} vs {b.shape}.")
    if a.ndim < 2 or len(a) == 0:
        raise ValueError(f"expected a non-empty batch of shape (n, ...); got {a.shape}.")
    return a.reshape(len(a), -1), b.reshape(len(b), -1)


def per_image_mse(originals, reconstructions) -> np.ndarray:
    """Mean squared error of each example, shape (n,)."""
    a, b = _pair(originals, reconstructions)
    return np.mean(np.square(a - b), axis=1)


def reconstruction_mse(originals, reconstructions) -> float:
    """Mean squared error over all examples and values."""
    return float(np.mean(per_image_mse(originals, reconstructions)))


def per_image_psnr(originals, reconstructions, *, data_range: float = 1.0) -> np.ndarray:
    """Peak signal-to-noise ratio of each example in dB (inf where identical)."""
    mse = per_image_mse(originals, reconstructions)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / mse)


def psnr(originals, reconstructions, *, data_range: float = 1.0) -> float:
    """PSNR in dB of the whole set, from its mean squared error (as tutorials report)."""
    mse = reconstruction_mse(originals, reconstructions)
    return float("inf") if mse == 0 else float(10.0 * np.log10(data_range**2 / mse))


@dataclass(frozen=True)
class PCABaseline:
    """PCA fitted on training data with ``n_components``, applied to the test data."""

    pca: PCA
    codes: np.ndarray
    reconstructions: np.ndarray
    mse: float


def pca_baseline(x_train, x_test, n_components: int, *, seed: int = 0) -> PCABaseline:
    """Compress ``x_test`` with PCA of ``n_components`` fitted on ``x_train``: the
    baseline an autoencoder with a code of the same size should beat."""
    train = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    test = np.asarray(x_test, dtype=np.float64)
    if not 1 <= n_components <= min(train.shape):
        raise ValueError(
            f"n_components must be between 1 and {min(train.shape)} for {train.shape[0]} "
            f"examples of {train.shape[1]} values; got {n_components}.")
    pca = PCA(n_components=n_components, random_state=seed).fit(train)
    codes = pca.transform(test.reshape(len(test), -1))
    reconstructions = pca.inverse_transform(codes).reshape(test.shape)
    return PCABaseline(pca=pca, codes=codes, reconstructions=reconstructions,
                       mse=reconstruction_mse(test, reconstructions))


def compression_ratio(input_shape, latent_dim: int) -> float:
    """How many input values each code value stands for (784 / 32 = 24.5)."""
    return float(np.prod(input_shape)) / latent_dim


def default_threshold(normal_scores, *, percentile: float = 95.0) -> float:
    """The anomaly threshold: a percentile of the scores of normal examples."""
    scores = np.asarray(normal_scores, dtype=np.float64)
    if scores.size == 0:
        raise ValueError("need at least one normal score to set a threshold.")
    return float(np.percentile(scores, percentile))


THRESHOLD_FIT_SHARE = 0.5
"""Share of the normal test examples set aside to fit an anomaly threshold on."""


@dataclass(frozen=True)
class ThresholdSplit:
    """Test examples split for an anomaly threshold: ``fit`` holds the indices of the normal
    examples the threshold is fitted on, ``evaluate`` those of every other example (the
    remaining normals and all anomalies), in ascending order. The two never overlap, so
    precision and recall are measured on images the threshold was not chosen on."""

    fit: np.ndarray
    evaluate: np.ndarray


def threshold_split(is_anomaly, *, share: float = THRESHOLD_FIT_SHARE, seed: int = 0) -> ThresholdSplit:
    """Set aside ``share`` of the normal examples (picked with ``seed``, at least one, and at
    least one left over) to fit the threshold on; the rest are evaluated."""
    labels = np.asarray(is_anomaly).astype(bool).ravel()
    normals = np.flatnonzero(~labels)
    if len(normals) < 2:
        raise ValueError(f"need at least two normal examples to fit and test a threshold; got {len(normals)}.")
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must lie strictly between 0 and 1; got {share}.")
    count = min(max(1, round(share * len(normals))), len(normals) - 1)
    fit = np.sort(np.random.default_rng(seed).choice(normals, size=count, replace=False))
    return ThresholdSplit(fit=fit, evaluate=np.setdiff1d(np.arange(labels.size), fit))


@dataclass(frozen=True)
class RocCurve:
    """The threshold-free part of an anomaly detector's figures: its ROC curve and AUROC."""

    auroc: float
    false_positive_rate: np.ndarray
    true_positive_rate: np.ndarray


@dataclass(frozen=True)
class ThresholdPoint:
    """How ``score > threshold`` splits anomalies (positives) from normals: the counts and
    the rates they give (0 where a rate has nothing to count)."""

    threshold: float
    flagged: int
    false_alarms: int
    normals: int
    precision: float
    recall: float
    f1: float
    accuracy: float
    false_alarm_rate: float


@dataclass(frozen=True)
class AnomalyReport:
    """How well ``score > threshold`` separates anomalies (positives) from normals."""

    threshold: float
    auroc: float
    precision: float
    recall: float
    f1: float
    accuracy: float
    false_positive_rate: np.ndarray
    true_positive_rate: np.ndarray


def _scores_and_labels(scores, is_anomaly) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = np.asarray(is_anomaly).astype(bool).ravel()
    if scores.shape != labels.shape:
        raise ValueError(f"scores and is_anomaly differ in length: {scores.size} vs {labels.size}.")
    if labels.all() or not labels.any():
        raise ValueError("anomaly metrics need both normal and anomalous examples.")
    return scores, labels


def roc(scores, is_anomaly) -> RocCurve:
    """The ROC curve and AUROC of ``scores`` (scikit-learn's), anomalies as the positive class:
    the same at every threshold, so worth computing once per set of scores."""
    scores, labels = _scores_and_labels(scores, is_anomaly)
    fpr, tpr, _ = roc_curve(labels, scores)
    return RocCurve(auroc=float(roc_auc_score(labels, scores)), false_positive_rate=fpr, true_positive_rate=tpr)


def threshold_point(scores, is_anomaly, threshold: float) -> ThresholdPoint:
    """Precision, recall, F1, accuracy and the false-alarm rate at ``threshold``, from four
    counts (as scikit-learn's binary scores with ``zero_division=0``): cheap enough for a slider."""
    scores, labels = _scores_and_labels(scores, is_anomaly)
    predicted = scores > threshold
    true_positives = int(np.count_nonzero(predicted & labels))
    false_alarms = int(np.count_nonzero(predicted & ~labels))
    flagged, anomalies = int(np.count_nonzero(predicted)), int(np.count_nonzero(labels))
    normals = labels.size - anomalies
    missed = anomalies - true_positives
    return ThresholdPoint(
        threshold=float(threshold), flagged=flagged, false_alarms=false_alarms, normals=normals,
        precision=true_positives / flagged if flagged else 0.0, recall=true_positives / anomalies,
        f1=2 * true_positives / (2 * true_positives + false_alarms + missed) if true_positives else 0.0,
        accuracy=(labels.size - false_alarms - missed) / labels.size, false_alarm_rate=false_alarms / normals)


def anomaly_report(scores, is_anomaly, threshold: float) -> AnomalyReport:
    """Threshold-free AUROC and ROC curve plus precision, recall, F1 and accuracy at
    ``threshold``, with anomalies as the positive class."""
    curve, point = roc(scores, is_anomaly), threshold_point(scores, is_anomaly, threshold)
    return AnomalyReport(threshold=point.threshold, auroc=curve.auroc, precision=point.precision,
                         recall=point.recall, f1=point.f1, accuracy=point.accuracy,
                         false_positive_rate=curve.false_positive_rate, true_positive_rate=curve.true_positive_rate)
