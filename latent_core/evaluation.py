"""Measuring a trained model: one function for the library builder, the command line and
the Train page, so a metric has one name and one meaning wherever it is shown.

``measure(model, data)`` returns the metrics a bundle manifest stores (``index.json``
copies them). ``data`` is a :class:`latent_core.data.Dataset` or anything with the same
``x_train``, ``y_train``, ``x_test``, ``y_test`` arrays. The names:

- ``test_mse``, ``test_psnr`` (images only): the model's reconstruction of the test split.
- ``pca_test_mse``: PCA with as many components as the latent, fitted on the training
  split, on the test split; the baseline an autoencoder of that size should beat (only
  when the latent is smaller than an input and than the training split).
- ``sample_mse``: reconstruction of a given sample (the library's bundled sample).
- ``class_mean_decode_accuracy`` and ``class_mean_{c}_decoded_as`` (with a classifier):
  each class's mean test code decoded, and what the classifier calls it;
  ``class_mean_at_typical_distance_…`` the same for the mean moved out to its class's typical distance
  from the centre of the codes (``latent_core.latent.class_averages``).
- ``class_average_accuracy`` and ``class_average_{c}_classified_as`` (a classifier's own manifest,
  ``class_average_metrics``): each class's average test image (pixel means, no model), and what the
  classifier calls it: what decoding a mean code has to beat to be more than an average of pixels.
- ``psnr_noisy_{σ}``, ``psnr_denoised_{σ}`` (denoisers, ``DENOISING_KINDS``): Gaussian noise of
  strength σ, PSNR of the mean MSE over the test set; ``mean_psnr_noisy_{σ}``,
  ``mean_psnr_denoised_{σ}``: the mean of the per-image PSNRs (higher: an image already
  clean counts as much as a hard one).
- ``gan_class_share_{c}``, ``gan_classes_covered``, ``gan_class_entropy``,
  ``gan_mean_confidence`` (generators without an encoder, with a classifier): the classes
  of ``GAN_SAMPLES`` samples.
- ``judge_…``: the class-mean and GAN metrics again, as a held-out judge sees them (a second,
  differently built classifier that no model or page is tuned against; see
  ``latent_core.classifier.build_judge_network``), so a figure is not only the verdict of
  the classifier the library was built beside.
- ``auroc``, ``precision_at_p95``, ``recall_at_p95``, ``normal_test_mse`` (a detector
  trained on ``normal_class`` only): the other classes as anomalies, thresholded at the
  95th percentile of the errors of half the normal test images, measured on the other test
  images (``metrics.threshold_split``; the Anomaly page shows the same figures);
  ``auroc_combined`` (a detector with a code) the AUROC of ``anomaly.CombinedScorer``'s score
  (the error with the code's distance from the normal class's training codes) on the same images.

``class_coverage`` names mode collapse in a generator's samples (a class too rare, or too
low a class entropy); the Generate page shows it for ``sample_classes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from latent_core import anomaly, metrics
from latent_core.latent import class_averages
from latent_core.models import add_noise

DENOISING_STRENGTHS = (0.1, 0.2, 0.3, 0.4, 0.5)
DENOISING_KINDS = ("denoising_ae", "unet_denoiser")
GAN_SAMPLES = 1000
GAN_CLASS_PRESENT = 0.02  # a class counts as covered when it gets at least 2% of samples
ANOMALY_PERCENTILE = 95.0
RARE_CLASS_SHARE = 0.3  # mode collapse: a class with under 30% of an even share (3% of 10 classes) ...
LOW_ENTROPY_RATIO = 0.87  # ... or a class entropy under 87% of its maximum (2.0 of 2.30 nats for 10 classes)


class Splits(Protocol):
    """The arrays ``measure`` reads: a :class:`latent_core.data.Dataset` has them."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def pca_test_mse(x_train: np.ndarray, x_test: np.ndarray, n_components: int) -> float:
    """Test MSE of PCA with ``n_components`` fitted on ``x_train`` (the ``pca_test_mse`` metric)."""
    return metrics.pca_baseline(x_train, x_test, n_components).mse


def reconstruction_metrics(model, data: Splits, *, sample: np.ndarray | None = None,
                           pca_mse: Callable[[int], float] | None = None,
                           with_pca: bool = True) -> dict[str, float]:
    """``test_mse``, ``test_psnr``, ``sample_mse`` and ``pca_test_mse`` (see the module)."""
    reconstructions = model.reconstruct(data.x_test)
    result = {"test_mse": metrics.reconstruction_mse(data.x_test, reconstructions)}
    if data.x_test.ndim == 4:
        result["test_psnr"] = metrics.psnr(data.x_test, reconstructions)
    if sample is not None:
        result["sample_mse"] = metrics.reconstruction_mse(sample, model.reconstruct(sample))
    features = int(np.prod(data.x_train.shape[1:]))
    if with_pca and model.latent_dim < min(features, len(data.x_train)):
        result["pca_test_mse"] = (pca_mse(model.latent_dim) if pca_mse is not None
                                  else pca_test_mse(data.x_train, data.x_test, model.latent_dim))
    return result


def class_mean_metrics(model, data: Splits, classifier) -> dict[str, float]:
    """Decode each class's mean test code, plain and at the class's typical distance from the centre (the
    Generate page's two averages); does the classifier see that class?"""
    averages = class_averages(model.encode(data.x_test), data.y_test)
    result = {}
    for prefix, means in (("class_mean", averages.plain), ("class_mean_at_typical_distance", averages.typical)):
        labels = np.array(list(means))
        decoded = np.clip(model.decode(np.stack(list(means.values()))), 0.0, 1.0)
        predicted = classifier.predict(decoded)
        result[f"{prefix}_decode_accuracy"] = float(np.mean(predicted == labels))
        result.update({f"{prefix}_{label}_decoded_as": float(p) for label, p in zip(labels, predicted)})
    return result


def class_average_metrics(classifier, x_test: np.ndarray, y_test: np.ndarray) -> dict[str, float]:
    """Each class's average test image (the mean of its pixels, no model involved); does the classifier
    see that class? An autoencoder whose decoded mean code is close to this average does no better."""
    labels = np.unique(y_test)
    averages = np.stack([x_test[y_test == label].mean(axis=0) for label in labels])
    predicted = classifier.predict(averages)
    result = {"class_average_accuracy": float(np.mean(predicted == labels))}
    result.update({f"class_average_{label}_classified_as": float(p) for label, p in zip(labels, predicted)})
    return result


def denoising_metrics(model, data: Splits) -> dict[str, float]:
    """PSNR of the noisy test images and of the model's output, per noise strength, both as the
    PSNR of the mean MSE and as the mean per-image PSNR."""
    result = {}
    for strength in DENOISING_STRENGTHS:
        noisy = add_noise(data.x_test, kind="gaussian", strength=strength, seed=0)
        denoised = model.reconstruct(noisy)
        for name, images in (("noisy", noisy), ("denoised", denoised)):
            result[f"psnr_{name}_{strength:.1f}"] = metrics.psnr(data.x_test, images)
            result[f"mean_psnr_{name}_{strength:.1f}"] = float(np.mean(metrics.per_image_psnr(data.x_test, images)))
    return result


def denoising_sweep(metrics: dict, *, output: str = "denoised", per_image: bool = False) -> dict[float, float]:
    """The PSNR per Gaussian noise strength that ``denoising_metrics`` stored in ``metrics`` (a manifest's):
    of the noisy input (``output`` "noisy") or the model's output ("denoised"), as the PSNR of the mean MSE
    or (``per_image``) the mean per-image PSNR. Strengths ``metrics`` lacks are left out."""
    if output not in ("noisy", "denoised"):
        raise ValueError(f"output must be 'noisy' or 'denoised'; got {output!r}.")
    prefix = f"{'mean_' if per_image else ''}psnr_{output}_"
    return {strength: float(metrics[f"{prefix}{strength:.1f}"]) for strength in DENOISING_STRENGTHS
            if f"{prefix}{strength:.1f}" in metrics}


def gan_metrics(model, classifier) -> dict[str, float]:
    """The classes of ``GAN_SAMPLES`` samples as the classifier sees them."""
    probabilities = classifier.predict_proba(model.sample(GAN_SAMPLES, seed=0))
    shares = np.bincount(np.argmax(probabilities, axis=1), minlength=probabilities.shape[1]) / GAN_SAMPLES
    result = {f"gan_class_share_{label}": float(share) for label, share in enumerate(shares)}
    result["gan_classes_covered"] = float(np.sum(shares >= GAN_CLASS_PRESENT))
    result["gan_class_entropy"] = class_coverage(np.argmax(probabilities, axis=1), probabilities.shape[1]).entropy
    result["gan_mean_confidence"] = float(np.mean(np.max(probabilities, axis=1)))
    return result


@dataclass(frozen=True)
class ClassCoverage:
    """How evenly a batch of generated images spreads over the classes, as a classifier sees them.

    ``shares[c]`` is the fraction put in class ``c``; ``entropy`` (nats) is at most
    ``max_entropy`` = ln(classes), reached when every class gets the same share. ``rare`` are
    the classes under ``min_share``; ``collapsed`` (mode collapse) is true when there are any,
    or when ``entropy`` is under ``min_entropy``.
    """

    shares: np.ndarray
    entropy: float
    max_entropy: float
    min_share: float
    min_entropy: float

    @property
    def rare(self) -> np.ndarray:
        return np.flatnonzero(self.shares < self.min_share)

    @property
    def collapsed(self) -> bool:
        return self.rare.size > 0 or self.entropy < self.min_entropy


def class_coverage(predicted, num_classes: int) -> ClassCoverage:
    """The classes of ``predicted`` (one class index per image) and whether they show mode collapse.

    The bounds scale with the number of classes: ``RARE_CLASS_SHARE`` of an even share and
    ``LOW_ENTROPY_RATIO`` of the largest entropy.
    """
    predicted = np.asarray(predicted, dtype=np.int64).ravel()
    if num_classes < 2:
        raise ValueError(f"class coverage needs at least two classes; got {num_classes}.")
    if predicted.size == 0:
        raise ValueError("class coverage needs at least one image.")
    if predicted.min() < 0 or predicted.max() >= num_classes:
        raise ValueError(f"class indices must lie in 0 … {num_classes - 1}.")
    return coverage_of_shares(np.bincount(predicted, minlength=num_classes) / predicted.size)


def coverage_of_shares(shares) -> ClassCoverage:
    """:func:`class_coverage` of images already counted: ``shares[c]`` of them in class ``c``."""
    shares = np.asarray(shares, dtype=np.float64)
    present = shares[shares > 0]
    max_entropy = float(np.log(len(shares)))
    return ClassCoverage(shares=shares, entropy=float(-np.sum(present * np.log(present))), max_entropy=max_entropy,
                         min_share=RARE_CLASS_SHARE / len(shares), min_entropy=LOW_ENTROPY_RATIO * max_entropy)


def sample_classes(model, classifier, count: int = GAN_SAMPLES, *, seed: int = 0) -> np.ndarray:
    """The classifier's class for each of ``count`` samples of a generative model (the samples
    ``gan_metrics`` counts, for the same ``count`` and ``seed``)."""
    return classifier.predict(model.sample(count, seed=seed))


def anomaly_metrics(model, data: Splits, normal_class: int) -> dict[str, float]:
    """A one-class detector's AUROC, and precision and recall at its default threshold.

    The threshold is the ``ANOMALY_PERCENTILE`` of the errors of the normal test images that
    ``metrics.threshold_split`` sets aside; every figure counts only the other test images.
    """
    scores = metrics.per_image_mse(data.x_test, model.reconstruct(data.x_test))
    is_anomaly = data.y_test != normal_class
    split = metrics.threshold_split(is_anomaly)
    threshold = metrics.default_threshold(scores[split.fit], percentile=ANOMALY_PERCENTILE)
    report = metrics.anomaly_report(scores[split.evaluate], is_anomaly[split.evaluate], threshold)
    result = {"auroc": report.auroc, "precision_at_p95": report.precision, "recall_at_p95": report.recall,
              "normal_test_mse": float(np.mean(scores[~is_anomaly]))}
    if model.has_latent:
        scorer = anomaly.fit_combined_scorer(model, anomaly.normal_images(
            data.x_train, data.y_train, normal_class, limit=anomaly.CODE_REFERENCE_IMAGES))
        combined = scorer.scores(model, data.x_test[split.evaluate])
        result["auroc_combined"] = metrics.roc(combined, is_anomaly[split.evaluate]).auroc
    return result


def measure(model, data: Splits, *, sample: np.ndarray | None = None, classifier=None, judge=None,
            normal_class: int | None = None, pca_mse: Callable[[int], float] | None = None) -> dict[str, float]:
    """Every metric that applies to ``model`` on ``data``'s test split (names: see the module).

    ``classifier`` (a ``latent_core.classifier.Classifier``) adds the class-mean and GAN
    metrics, and ``judge`` (another one, held out) the same as ``judge_…``; ``normal_class``
    marks an anomaly detector; ``pca_mse(n)`` replaces the PCA fit when a caller has it at
    hand (the builder fits each size once per dataset).
    """
    result: dict[str, float] = {}
    if len(data.x_test) == 0:
        return result
    if model.has_encoder:
        result.update(reconstruction_metrics(model, data, sample=sample, pca_mse=pca_mse,
                                             with_pca=normal_class is None and model.has_latent))
    if normal_class is not None:
        result.update(anomaly_metrics(model, data, normal_class))
    elif classifier is not None and model.has_encoder and model.has_latent:
        result.update(class_mean_metrics(model, data, classifier))
    if model.kind in DENOISING_KINDS:
        result.update(denoising_metrics(model, data))
    if not model.has_encoder and classifier is not None:
        result.update(gan_metrics(model, classifier))
    result.update({f"{JUDGE_PREFIX}{name}": value for name, value in judged_metrics(model, data, judge,
                                                                                  normal_class).items()})
    return result


JUDGE_PREFIX = "judge_"


def judged_metrics(model, data: Splits, judge, normal_class: int | None = None) -> dict[str, float]:
    """The class-mean metrics (an encoder's) or the GAN metrics (a generator's) by ``judge``,
    unprefixed; none for an anomaly detector, a model without a latent code or without a judge."""
    if judge is None or normal_class is not None or not model.has_latent:
        return {}
    return class_mean_metrics(model, data, judge) if model.has_encoder else gan_metrics(model, judge)
