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
    threshold_scale,
)
from latent_core.data import load_dataset
from latent_core import anomaly
from latent_core.metrics import anomaly_report, default_threshold, per_image_mse
from latent_core.models import build_model


def above(scores, threshold: float) -> np.ndarray:
    """The images the page calls anomalies at ``threshold`` (as ``metrics.threshold_point`` counts them)."""
    return np.asarray(scores, dtype=np.float64) > threshold


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


# The highest score is not reached by adding up 500 steps from the lowest: 0.01736 + 500 × step
# falls a hair short of 0.16977, which would leave that image flagged at the slider's top.
SCORES_OFF_THE_STEP = np.array([0.16977, 0.01736, 0.05, 0.09, 0.12, 0.01736, 0.16977])
ANOMALOUS = np.array([True, False, False, True, True, False, False])


def test_the_highest_threshold_flags_nothing_and_the_lowest_everything():
    low, high = SCORES_OFF_THE_STEP.min(), SCORES_OFF_THE_STEP.max()
    assert low + 500 * ((high - low) / 500) < high  # the case that used to leave one image flagged
    scale = threshold_scale(SCORES_OFF_THE_STEP, 0.05, steps=500)
    assert scale.thresholds[-1] == high and scale.thresholds[0] < low
    assert not above(SCORES_OFF_THE_STEP, scale.thresholds[-1]).any()
    assert above(SCORES_OFF_THE_STEP, scale.thresholds[0]).all()
    assert anomaly_report(SCORES_OFF_THE_STEP, ANOMALOUS, scale.thresholds[-1]).recall == 0.0
    assert anomaly_report(SCORES_OFF_THE_STEP, ANOMALOUS, scale.thresholds[0]).recall == 1.0


def test_threshold_scale_holds_the_default_exactly_between_evenly_spaced_steps():
    scale = threshold_scale(SCORES_OFF_THE_STEP, 0.0512345678, steps=500)
    assert scale.default == 0.0512345678 and scale.default in scale.thresholds
    assert len(scale.thresholds) == 502 and np.all(np.diff(scale.thresholds) > 0)
    assert threshold_scale(SCORES_OFF_THE_STEP, 5.0).default == SCORES_OFF_THE_STEP.max()  # kept within the ends
    assert threshold_scale(SCORES_OFF_THE_STEP, -5.0).default == scale.thresholds[0]


def test_threshold_labels_tell_every_step_apart():
    coarse = threshold_scale([0.5, 1.5], 1.0, steps=4)
    assert coarse.labels == ("0.25000", "0.56250", "0.87500", "1.00000", "1.18750", "1.50000")
    assert coarse.thresholds[coarse.default_position] == 1.0
    close = threshold_scale([0.1, 0.1 + 4e-6], 0.1 + 1e-7, steps=4)
    assert len(set(close.labels)) == len(close.labels) == len(close.thresholds) and close.labels[-1] == "0.1000040"


def test_equal_or_adjacent_scores_still_get_both_ends():
    large = 1e9  # next to it a step of a 500th of the gap to the next float is lost in round-off
    for scores in ([0.0] * 3, [0.02] * 3, [large] * 3, [large, float(np.nextafter(large, np.inf))]):
        scale = threshold_scale(scores, scores[0])
        assert scale.thresholds[-1] == max(scores) and scale.thresholds[0] < min(scores)
        assert above(scores, scale.thresholds[0]).all() and not above(scores, scale.thresholds[-1]).any()


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


def test_scores_come_chunk_by_chunk_and_equal_the_whole_sets_errors():
    images = np.random.default_rng(0).random((2 * anomaly.SCORING_CHUNK + 100, 8, 8, 1), dtype=np.float32)
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=2, seed=0)
    seen = []
    reconstruct = model.reconstruct
    model.reconstruct = lambda chunk: seen.append(len(chunk)) or reconstruct(chunk)
    scores = anomaly.anomaly_scores(model, images)
    assert seen == [anomaly.SCORING_CHUNK, anomaly.SCORING_CHUNK, 100]  # never the whole set at once
    np.testing.assert_array_equal(scores, per_image_mse(images, reconstruct(images)))


class FirstTwoPixelsAsCode:
    """A stand-in detector: its code is an image's first two pixels, and it rebuilds everything but the last
    pixel exactly (that pixel comes back as 0, so an image's error is its last pixel squared over its size)."""

    has_encoder = has_latent = True

    def encode(self, images):
        return np.asarray(images, np.float32).reshape(len(images), -1)[:, :2]

    def reconstruct(self, images):
        rebuilt = np.array(images, np.float32)
        rebuilt.reshape(len(rebuilt), -1)[:, -1] = 0.0
        return rebuilt


def stand_in_images(codes, last_pixel):
    """(n, 2, 2, 1) images whose first two pixels are ``codes`` and whose last pixel is ``last_pixel``."""
    images = np.zeros((len(codes), 2, 2, 1), np.float32)
    flat = images.reshape(len(images), -1)
    flat[:, :2], flat[:, -1] = codes, last_pixel
    return images


def test_the_combined_score_flags_an_image_rebuilt_well_whose_code_lies_far_from_the_normal_codes():
    rng = np.random.default_rng(0)
    normal = stand_in_images(rng.normal(0.5, 0.05, (2000, 2)), rng.uniform(0.1, 0.2, 2000))
    model = FirstTwoPixelsAsCode()
    scorer = anomaly.fit_combined_scorer(model, normal)
    fresh_normal = stand_in_images(rng.normal(0.5, 0.05, (200, 2)), rng.uniform(0.1, 0.2, 200))
    far_code = stand_in_images(np.full((20, 2), 0.9), rng.uniform(0.1, 0.2, 20))  # rebuilt as well as a normal
    badly_rebuilt = stand_in_images(rng.normal(0.5, 0.05, (20, 2)), np.full(20, 0.6))
    errors = [anomaly.anomaly_scores(model, group) for group in (fresh_normal, far_code, badly_rebuilt)]
    combined = [scorer.scores(model, group) for group in (fresh_normal, far_code, badly_rebuilt)]
    def flagged(scores):  # the share of a group above the fresh normals' 95th percentile
        return [float(np.mean(group > np.percentile(scores[0], 95))) for group in scores[1:]]

    far_by_error, bad_by_error = flagged(errors)
    far_by_both, bad_by_both = flagged(combined)
    assert far_by_error < 0.3 and far_by_both > 0.9  # only the combined score tells the far code from a normal
    assert bad_by_error == 1.0 and bad_by_both > 0.9  # and it still flags what is rebuilt badly
    error_part, distance_part = scorer.parts(model, fresh_normal)
    assert abs(error_part.mean()) < 0.3 and abs(distance_part.mean()) < 0.3  # a typical normal image is near 0
    assert 0.7 < error_part.std() < 1.3 and 0.7 < distance_part.std() < 1.3  # in units of the normals' spread


def test_a_combined_score_needs_a_code_and_enough_normal_images():
    with pytest.raises(ValueError, match="at least 10 normal images"):
        anomaly.fit_combined_scorer(FirstTwoPixelsAsCode(), stand_in_images(np.zeros((5, 2)), np.zeros(5)))
    without_code = FirstTwoPixelsAsCode()
    without_code.has_latent = False
    with pytest.raises(ValueError, match="encoder and a latent code"):
        anomaly.fit_combined_scorer(without_code, stand_in_images(np.zeros((50, 2)), np.zeros(50)))
