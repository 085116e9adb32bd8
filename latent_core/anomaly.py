"""Anomaly detection with an autoencoder trained on one "normal" class.

An autoencoder that has only seen one class rebuilds images of that class well and
everything else badly, so its per-image reconstruction error is an anomaly score; a
:class:`CombinedScorer` adds how far an image's code lies from the normal class's codes. This
module picks the images, trains a small detector quickly when no pretrained one exists,
and orders images by score; the metrics themselves are ``latent_core.metrics``
(``default_threshold``, ``anomaly_report``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.covariance import LedoitWolf

from latent_core.jobs import TrainingJob, estimate_seconds
from latent_core.metrics import per_image_mse
from latent_core.models import LatentModel, build_model
from latent_core.models.base import FAST_PATH_BATCH
from latent_core.training import TrainingResult

__all__ = ["CODE_REFERENCE_IMAGES", "MIN_REFERENCE_IMAGES", "QUICK_DETECTOR_IMAGES", "SCORE_KINDS", "THRESHOLD_STEPS",
           "ClassSplitError", "CombinedScorer", "QuickDetector", "ThresholdScale", "anomaly_scores", "extremes",
           "fit_combined_scorer", "is_anomaly", "normal_images", "quick_detector_job", "quick_detector_plan",
           "threshold_scale"]

QUICK_DETECTOR_IMAGES = 2000
"""At most this many normal training images for a detector trained on the page."""

QUICK_DETECTOR_STEPS = 300
"""Gradient steps of a quick detector: a few seconds on a laptop CPU for any image size."""

THRESHOLD_STEPS = 500
"""Steps of a threshold slider between its two ends."""

LABEL_DECIMALS = 5
"""Fewest decimals a threshold is shown with; more where neighbours would look the same."""

SCORE_KINDS = ("error", "combined")
"""The scores a detector gives: its reconstruction error, or that error with its code's distance
(``CombinedScorer``)."""

CODE_REFERENCE_IMAGES = 6000
"""At most this many normal training images describe where the normal class's codes lie."""

MIN_REFERENCE_IMAGES = 10
"""Fewest normal training images a combined score is fitted on: a Gaussian and two spreads need a few."""

REFERENCE_SHARE = 0.8
"""Of those, the share the codes' Gaussian is fitted on; the rest sets the two parts' scales."""


class ClassSplitError(ValueError):
    """The data cannot be split into normal and anomalous examples for this class.

    ``reason`` names the case, so an interface can explain it in its own words:
    ``"no_normal"`` (no example of the class), ``"all_normal"`` (nothing else to find),
    ``"no_normal_training"`` (no training image of the class).
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def is_anomaly(labels, normal_class: int) -> np.ndarray:
    """True for every example whose label is not ``normal_class``; both groups must occur."""
    labels = np.asarray(labels)
    anomalous = labels != normal_class
    if anomalous.all():
        raise ClassSplitError("no_normal",
                              f"no example of the normal class {normal_class}; choose a class the data has.")
    if not anomalous.any():
        raise ClassSplitError("all_normal",
                              f"every example is of class {normal_class}: there are no anomalies to find.")
    return anomalous


def normal_images(images, labels, normal_class: int, *, limit: int | None = None, seed: int = 0) -> np.ndarray:
    """The images of ``normal_class`` (at most ``limit``, picked with ``seed``)."""
    members = np.flatnonzero(np.asarray(labels) == normal_class)
    if len(members) == 0:
        raise ClassSplitError("no_normal_training",
                              f"no training image of class {normal_class}; choose a class the data has.")
    if limit is not None and len(members) > limit:
        members = np.sort(np.random.default_rng(seed).choice(members, size=limit, replace=False))
    return np.asarray(images[members])


SCORING_CHUNK = 4 * FAST_PATH_BATCH  # images scored at a time: whole fast-path batches, so the same batches


def anomaly_scores(model: LatentModel, images) -> np.ndarray:
    """Each image's reconstruction MSE under ``model``: the anomaly score, shape (n,).

    Scored ``SCORING_CHUNK`` images at a time: the error's float64 arrays of 10,000 Fashion-MNIST
    images at once would hold about 250 MB for a moment, in a server shared by a class."""
    return _chunked(lambda chunk: per_image_mse(chunk, model.reconstruct(chunk)), images)


def _chunked(per_chunk, images) -> np.ndarray:
    """``per_chunk`` applied to ``SCORING_CHUNK`` images at a time, its results concatenated."""
    starts = range(0, max(len(images), 1), SCORING_CHUNK)
    return np.concatenate([per_chunk(images[start:start + SCORING_CHUNK]) for start in starts])


@dataclass(frozen=True)
class CombinedScorer:
    """Scores an image by two kinds of strangeness, each on a log scale in units of its spread over normal
    training images: how badly the detector rebuilds it (the MSE) and how far its code lies from the normal
    class's codes (the Mahalanobis distance under a Gaussian fitted to them, with Ledoit-Wolf shrinkage). Each
    part is 0 for a typical normal image and about 1 per standard deviation beyond; the score is their sum.
    An image of another class that the detector rebuilds well can still sit far from the normal codes.
    """

    covariance: LedoitWolf
    error_centre: float
    error_scale: float
    distance_centre: float
    distance_scale: float

    def parts(self, model: LatentModel, images) -> tuple[np.ndarray, np.ndarray]:
        """The error part and the code-distance part of each image's score, shape (n,) each."""
        errors, distances = _log_strangeness(model, self.covariance, images)
        return (errors - self.error_centre) / self.error_scale, (distances - self.distance_centre) / self.distance_scale

    def scores(self, model: LatentModel, images) -> np.ndarray:
        """Each image's combined score, shape (n,): higher is more anomalous."""
        error_part, distance_part = self.parts(model, images)
        return error_part + distance_part


def fit_combined_scorer(model: LatentModel, normal: np.ndarray, *, seed: int = 0) -> CombinedScorer:
    """A :class:`CombinedScorer` for ``model`` from images of its normal class (training images, never the ones
    it is evaluated on): a ``REFERENCE_SHARE`` of them fits the codes' Gaussian, the rest, whose codes the
    Gaussian did not see, sets each part's centre and scale."""
    if not model.has_encoder or not model.has_latent:
        raise ValueError("a combined score needs a detector with an encoder and a latent code.")
    if len(normal) < MIN_REFERENCE_IMAGES:
        raise ValueError(f"a combined score needs at least {MIN_REFERENCE_IMAGES} normal images, got {len(normal)}.")
    order = np.random.default_rng(seed).permutation(len(normal))
    cut = int(len(normal) * REFERENCE_SHARE)
    fitted, held_out = np.asarray(normal[np.sort(order[:cut])]), np.asarray(normal[np.sort(order[cut:])])
    covariance = LedoitWolf().fit(_codes(model, fitted))
    errors, distances = _log_strangeness(model, covariance, held_out)
    return CombinedScorer(covariance, float(errors.mean()), float(errors.std()) or 1.0,
                          float(distances.mean()), float(distances.std()) or 1.0)


def _log_strangeness(model: LatentModel, covariance: LedoitWolf, images) -> tuple[np.ndarray, np.ndarray]:
    """Each image's log reconstruction MSE and the log (squared) Mahalanobis distance of its code under
    ``covariance``, before centring and scaling."""
    errors = np.log(np.maximum(anomaly_scores(model, images), 1e-12))
    distances = np.log(np.maximum(covariance.mahalanobis(_codes(model, images)), 1e-12))
    return errors, distances


def _codes(model: LatentModel, images) -> np.ndarray:
    """The images' codes as float64 rows, encoded ``SCORING_CHUNK`` images at a time."""
    codes = _chunked(lambda chunk: np.asarray(model.encode(chunk), dtype=np.float64), images)
    return codes.reshape(len(codes), -1)


@dataclass(frozen=True)
class ThresholdScale:
    """The thresholds a slider offers for a set of scores, lowest first, and their labels.

    The first threshold lies below the lowest score, so it flags every image; the last is
    the highest score itself, so it flags none. Both ends are exact values, not the
    result of adding up steps, so they hold whatever the rounding. A slider moves over
    the positions ``0 … len(thresholds) - 1``; ``default_position`` is where it starts.
    """

    thresholds: tuple[float, ...]
    labels: tuple[str, ...]
    default_position: int

    @property
    def default(self) -> float:
        return self.thresholds[self.default_position]


def threshold_scale(scores, default: float, *, steps: int = THRESHOLD_STEPS) -> ThresholdScale:
    """``steps + 1`` evenly spaced thresholds from just below the lowest score to the highest,
    plus ``default`` (kept within them) exactly.

    Labels have ``LABEL_DECIMALS`` decimals, or as many more as it takes for no two to read alike.
    """
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if scores.size == 0:
        raise ValueError("need at least one score to scale a threshold.")
    if steps < 1:
        raise ValueError(f"steps must be at least 1; got {steps}.")
    low, high = float(scores.min()), float(scores.max())
    spacing = (high - low) / steps or max(abs(high), 1.0) / steps
    below = low - spacing
    if below >= low:  # spacing lost in round-off next to a large score
        below = float(np.nextafter(low, -np.inf))
    default = min(max(float(default), below), high)
    thresholds = tuple(float(value) for value in np.unique(np.append(np.linspace(below, high, steps + 1), default)))
    return ThresholdScale(thresholds=thresholds, labels=tuple(_distinct_labels(thresholds)),
                          default_position=thresholds.index(default))


def _distinct_labels(values: tuple[float, ...]) -> list[str]:
    """Fixed-point texts of ``values`` with the fewest decimals (at least ``LABEL_DECIMALS``) that
    keep them all apart; ``repr`` where even 17 decimals do not."""
    for decimals in range(LABEL_DECIMALS, 18):
        labels = [f"{value:.{decimals}f}" for value in values]
        if len(set(labels)) == len(labels):
            return labels
    return [repr(value) for value in values]


def extremes(scores, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the ``count`` highest scores (most anomalous first) and the ``count``
    lowest (most normal first)."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if count < 1:
        raise ValueError(f"count must be at least 1; got {count}.")
    order = np.argsort(scores, kind="stable")
    count = min(count, len(scores))
    return order[::-1][:count], order[:count]


@dataclass(frozen=True, eq=False)
class QuickDetector:
    """A detector trained on the page: the model, its run and how many images it saw."""

    model: LatentModel
    result: TrainingResult
    normal_class: int
    images: int


def quick_detector_plan(input_shape, images: int) -> dict:
    """Model options and training settings of a quick detector for ``images`` normal images.

    A dense AE (one hidden layer, a code of 16 values, 8 for inputs of 64 values or
    fewer) and as many epochs as make about ``QUICK_DETECTOR_STEPS`` batches.
    """
    size = math.prod(input_shape)
    batch_size = 32 if images < 1000 else 64
    batches = math.ceil(images / batch_size)
    return {"options": {"latent_dim": 8 if size <= 64 else 16, "hidden_units": (min(128, 2 * size),)},
            "epochs": max(3, min(100, math.ceil(QUICK_DETECTOR_STEPS / batches))),
            "batch_size": batch_size}


def quick_detector_job(images, labels, normal_class: int, *, seed: int = 0, max_images: int = QUICK_DETECTOR_IMAGES,
                       **job_options) -> TrainingJob:
    """A background job (``jobs.TrainingJob``, kind ``"anomaly"``) that trains a small dense
    autoencoder on the images of ``normal_class`` only; its ``snapshot().saved`` is the
    ``QuickDetector``. Raises ``ClassSplitError`` at once when the class has no training
    image. ``job_options`` (queue, owner, name) go to the job; call ``start()`` on it."""
    normal = normal_images(images, labels, normal_class, limit=max_images, seed=seed)
    plan = quick_detector_plan(normal.shape[1:], len(normal))
    model = build_model("dense_ae", input_shape=normal.shape[1:], seed=seed, **plan["options"])
    estimate = estimate_seconds("dense_ae", normal.shape[1:], images=len(normal), epochs=plan["epochs"])

    def detector(result: TrainingResult) -> QuickDetector:
        return QuickDetector(model=model, result=result, normal_class=normal_class, images=len(normal))

    return TrainingJob(model, normal, on_model_ready=detector, kind="anomaly", estimate_s=estimate,
                       epochs=plan["epochs"], batch_size=plan["batch_size"], learning_rate=2e-3, seed=seed,
                       preview_count=0, **job_options)
