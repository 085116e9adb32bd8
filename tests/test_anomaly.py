"""Tests for latent_core.anomaly: labels, normal images, ordering and the quick detector."""

import numpy as np
import pytest

from latent_core.anomaly import (
    ClassSplitError,
    anomaly_scores,
    extremes,
    is_anomaly,
    normal_images,
    quick_detector_job,
    quick_detector_plan,
)
from latent_core.data import load_dataset
from latent_core.metrics import anomaly_report, default_threshold


def test_is_anomaly_marks_every_other_class_and_needs_both_groups():
    assert is_anomaly([0, 1, 2, 1], 1).tolist() == [True, False, True, False]
    with pytest.raises(ClassSplitError, match="no example of the normal class 5") as missing:
        is_anomaly([0, 1], 5)
    assert missing.value.reason == "no_normal"
    with pytest.raises(ClassSplitError, match="no anomalies to find") as only_normal:
        is_anomaly([2, 2], 2)
    assert only_normal.value.reason == "all_normal"


def test_normal_images_keeps_only_that_class_within_the_limit():
    images = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    labels = np.array([0, 1] * 5)
    assert normal_images(images, labels, 1).ravel().tolist() == [1, 3, 5, 7, 9]
    limited = normal_images(images, labels, 1, limit=2, seed=0).ravel()
    assert len(limited) == 2 and set(limited) <= {1, 3, 5, 7, 9}
    with pytest.raises(ClassSplitError, match="no training image of class 4") as missing:
        normal_images(images, labels, 4)
    assert missing.value.reason == "no_normal_training"


def test_extremes_orders_both_ends():
    most, least = extremes([0.3, 0.9, 0.1, 0.5], 2)
    assert most.tolist() == [1, 3] and least.tolist() == [2, 0]
    assert len(extremes([1.0, 2.0], 5)[0]) == 2
    with pytest.raises(ValueError, match="count must be at least 1"):
        extremes([1.0], 0)


def test_plan_keeps_training_short_for_every_image_size():
    small = quick_detector_plan((8, 8, 1), 150)
    large = quick_detector_plan((28, 28, 1), 2000)
    assert small["options"]["latent_dim"] == 8 and large["options"]["latent_dim"] == 16
    for plan, images in ((small, 150), (large, 2000)):
        steps = plan["epochs"] * np.ceil(images / plan["batch_size"])
        assert 250 <= steps <= 400


def test_a_quick_detector_separates_its_class_from_the_others():
    digits = load_dataset("digits")
    job = quick_detector_job(digits.x_train, digits.y_train, 0, seed=0).start()
    job.join(120)
    assert job.kind == "anomaly" and job.estimate_s > 0
    detector = job.snapshot().saved
    assert detector.images == int(np.sum(digits.y_train == 0))
    assert detector.model.latent_dim == 8
    scores = anomaly_scores(detector.model, digits.x_test)
    anomalous = is_anomaly(digits.y_test, 0)
    report = anomaly_report(scores, anomalous, default_threshold(scores[~anomalous]))
    assert report.auroc > 0.9
    assert report.recall > 0.5
