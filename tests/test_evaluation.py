"""One way to measure a model, with one set of metric names: the values are the metrics
module's on the test split, PCA at the latent size is the baseline, and each kind of
model gets the metrics that apply to it."""

import io
import zipfile
from types import SimpleNamespace

import h5py
import numpy as np
import pytest

from latent_core import anomaly, evaluation, metrics
from latent_core.classifier import NETWORKS, load_classifier_folder, save_classifier, train_classifier
from latent_core.data import load_dataset
from latent_core.models import add_noise, build_model


@pytest.fixture(scope="module")
def small_digits():
    return load_dataset("digits", max_train=200, max_test=60, seed=0)


def test_an_autoencoder_gets_test_error_psnr_and_pca_at_its_latent_size(small_digits):
    model = build_model("dense_ae", input_shape=small_digits.input_shape, latent_dim=4, seed=0)
    measured = evaluation.measure(model, small_digits)
    assert set(measured) == {"test_mse", "test_psnr", "pca_test_mse"}
    reconstructions = model.reconstruct(small_digits.x_test)
    assert measured["test_mse"] == pytest.approx(metrics.reconstruction_mse(small_digits.x_test, reconstructions),
                                                 rel=1e-6)
    assert measured["test_psnr"] == pytest.approx(metrics.psnr(small_digits.x_test, reconstructions), rel=1e-6)
    pca = metrics.pca_baseline(small_digits.x_train, small_digits.x_test, 4).mse
    assert measured["pca_test_mse"] == pytest.approx(pca, rel=1e-6)


def test_a_sample_and_a_known_pca_figure_are_used_when_given(small_digits):
    model = build_model("dense_ae", input_shape=small_digits.input_shape, latent_dim=4, seed=0)
    sizes = []
    measured = evaluation.measure(model, small_digits, sample=small_digits.x_train[:10],
                                  pca_mse=lambda n: sizes.append(n) or 0.5)
    assert sizes == [4] and measured["pca_test_mse"] == 0.5
    sample = small_digits.x_train[:10]
    assert measured["sample_mse"] == pytest.approx(metrics.reconstruction_mse(sample, model.reconstruct(sample)),
                                                   rel=1e-6)


def test_points_get_no_psnr_and_no_pca_when_the_code_is_as_wide_as_the_input():
    roll = load_dataset("swiss_roll", max_train=200, max_test=50)
    model = build_model("dense_ae", input_shape=roll.input_shape, latent_dim=3, hidden_units=[8], seed=0)
    assert set(evaluation.measure(model, roll)) == {"test_mse"}


def test_a_denoiser_gets_noisy_and_denoised_psnr_at_every_strength(small_digits):
    model = build_model("denoising_ae", input_shape=small_digits.input_shape, latent_dim=4, filters=[4, 8],
                        seed=0)
    measured = evaluation.measure(model, small_digits)
    for strength in evaluation.DENOISING_STRENGTHS:
        noisy = add_noise(small_digits.x_test, kind="gaussian", strength=strength, seed=0)
        assert measured[f"psnr_noisy_{strength:.1f}"] == pytest.approx(metrics.psnr(small_digits.x_test, noisy),
                                                                       rel=1e-6)
        assert f"psnr_denoised_{strength:.1f}" in measured


def test_a_denoiser_gets_both_psnr_definitions_the_mean_per_image_one_never_below(small_digits):
    model = build_model("denoising_ae", input_shape=small_digits.input_shape, latent_dim=4, filters=[4, 8],
                        seed=0)
    measured = evaluation.measure(model, small_digits)
    for strength in evaluation.DENOISING_STRENGTHS:
        noisy = add_noise(small_digits.x_test, kind="gaussian", strength=strength, seed=0)
        for name, images in (("noisy", noisy), ("denoised", model.reconstruct(noisy))):
            per_image = metrics.per_image_psnr(small_digits.x_test, images)
            assert measured[f"mean_psnr_{name}_{strength:.1f}"] == pytest.approx(float(np.mean(per_image)), rel=1e-6)
            # the mean of -log(mse_i) is at least -log of the mean mse (Jensen), equal only for equal errors
            assert measured[f"mean_psnr_{name}_{strength:.1f}"] >= measured[f"psnr_{name}_{strength:.1f}"] - 1e-9


def test_the_psnr_sweep_reads_each_definition_back_from_stored_metrics():
    stored = {"psnr_noisy_0.1": 20.0, "psnr_denoised_0.1": 25.0, "mean_psnr_denoised_0.1": 26.0,
              "psnr_denoised_0.3": 21.0, "test_mse": 0.01}
    assert evaluation.denoising_sweep(stored) == {0.1: 25.0, 0.3: 21.0}
    assert evaluation.denoising_sweep(stored, per_image=True) == {0.1: 26.0}
    assert evaluation.denoising_sweep(stored, output="noisy") == {0.1: 20.0}
    assert evaluation.denoising_sweep({}) == {}
    with pytest.raises(ValueError, match="noisy' or 'denoised"):
        evaluation.denoising_sweep(stored, output="clean")


def test_an_anomaly_detector_is_thresholded_on_normals_it_is_then_not_measured_on(small_digits):
    model = build_model("dense_ae", input_shape=small_digits.input_shape, latent_dim=4, seed=0)
    measured = evaluation.measure(model, small_digits, normal_class=0)
    assert "pca_test_mse" not in measured
    scores = metrics.per_image_mse(small_digits.x_test, model.reconstruct(small_digits.x_test))
    anomalous = small_digits.y_test != 0
    split = metrics.threshold_split(anomalous)
    threshold = np.percentile(scores[split.fit], 95)
    kept_scores, kept_anomalous = scores[split.evaluate], anomalous[split.evaluate]
    assert measured["auroc"] == pytest.approx(metrics.anomaly_report(kept_scores, kept_anomalous, 0.0).auroc,
                                              rel=1e-6)
    assert measured["recall_at_p95"] == pytest.approx(float(np.mean(kept_scores[kept_anomalous] > threshold)),
                                                      rel=1e-6)
    flagged = kept_scores > threshold
    assert measured["precision_at_p95"] == pytest.approx(float(np.mean(kept_anomalous[flagged])), rel=1e-6)
    assert measured["normal_test_mse"] == pytest.approx(float(np.mean(scores[~anomalous])), rel=1e-6)
    # the combined score: fitted on the class's training images, measured on the same test images as the error
    scorer = anomaly.fit_combined_scorer(model, small_digits.x_train[small_digits.y_train == 0])
    combined = scorer.scores(model, small_digits.x_test[split.evaluate])
    assert measured["auroc_combined"] == pytest.approx(metrics.roc(combined, kept_anomalous).auroc, rel=1e-6)


def test_a_generator_without_an_encoder_and_without_a_classifier_gets_nothing(small_digits):
    model = build_model("dcgan", input_shape=small_digits.input_shape, latent_dim=8, seed=0)
    assert evaluation.measure(model, small_digits) == {}


def test_class_coverage_of_an_even_spread_is_no_collapse():
    coverage = evaluation.class_coverage(np.repeat(np.arange(10), 10), 10)
    assert coverage.shares.tolist() == [0.1] * 10
    assert coverage.entropy == pytest.approx(np.log(10), rel=1e-9) == pytest.approx(coverage.max_entropy, rel=1e-9)
    assert coverage.rare.size == 0 and not coverage.collapsed


def test_class_coverage_names_collapse_for_a_rare_class_and_for_low_entropy():
    rare_one = np.concatenate([np.repeat(np.arange(1, 10), 11), [0]])  # class 0: 1 of 100 images
    coverage = evaluation.class_coverage(rare_one, 10)
    assert coverage.min_share == pytest.approx(0.03)
    assert coverage.rare.tolist() == [0] and coverage.collapsed
    assert coverage.entropy > coverage.min_entropy  # collapse found by the share alone
    uneven = np.repeat(np.arange(10), [46] + [6] * 9)  # every class ≥ 3%, but one takes 46%
    lopsided = evaluation.class_coverage(uneven, 10)
    assert lopsided.rare.size == 0
    assert lopsided.min_entropy == pytest.approx(2.003, abs=1e-3)
    assert lopsided.entropy < lopsided.min_entropy and lopsided.collapsed


def test_class_coverage_refuses_what_it_cannot_count():
    with pytest.raises(ValueError, match="at least two classes"):
        evaluation.class_coverage([0, 0], 1)
    with pytest.raises(ValueError, match="at least one image"):
        evaluation.class_coverage([], 3)
    with pytest.raises(ValueError, match="must lie in 0"):
        evaluation.class_coverage([0, 3], 3)


def test_sample_classes_are_the_classes_gan_metrics_counts(small_digits):
    model = build_model("dcgan", input_shape=small_digits.input_shape, latent_dim=8, seed=0)
    classifier, _ = train_classifier(small_digits.x_train, small_digits.y_train, [str(d) for d in range(10)], epochs=1)
    shares = evaluation.class_coverage(evaluation.sample_classes(model, classifier), 10).shares
    measured = evaluation.gan_metrics(model, classifier)
    assert shares.tolist() == pytest.approx([measured[f"gan_class_share_{c}"] for c in range(10)], abs=1e-12)


class AlwaysFirstClass:
    """A judge that calls every image class 0: its verdicts are easy to tell from any other's."""

    def predict_proba(self, images):
        probabilities = np.zeros((len(images), 10), np.float32)
        probabilities[:, 0] = 1.0
        return probabilities

    def predict(self, images):
        return np.argmax(self.predict_proba(images), axis=1)


def test_a_held_out_judge_gives_its_own_verdicts_beside_the_classifiers(small_digits):
    classifier, _ = train_classifier(small_digits.x_train, small_digits.y_train, [str(d) for d in range(10)], epochs=1)
    encoder_model = build_model("dense_ae", input_shape=small_digits.input_shape, latent_dim=4, seed=0)
    judged = evaluation.measure(encoder_model, small_digits, classifier=classifier, judge=AlwaysFirstClass())
    assert judged["judge_class_mean_decode_accuracy"] == pytest.approx(0.1)  # only class 0's mean is "right"
    assert all(judged[f"judge_class_mean_{c}_decoded_as"] == 0 for c in range(10))
    assert judged["class_mean_decode_accuracy"] == evaluation.class_mean_metrics(
        encoder_model, small_digits, classifier)["class_mean_decode_accuracy"]  # the classifier's own, unchanged

    generator = build_model("dcgan", input_shape=small_digits.input_shape, latent_dim=8, seed=0)
    judged = evaluation.measure(generator, small_digits, classifier=classifier, judge=AlwaysFirstClass())
    assert judged["judge_gan_class_share_0"] == 1.0 and judged["judge_gan_classes_covered"] == 1.0
    assert judged["judge_gan_class_entropy"] == 0.0
    assert "gan_class_entropy" in judged

    assert not any(name.startswith("judge_") for name in evaluation.measure(encoder_model, small_digits,
                                                                              classifier=classifier))
    detector = evaluation.measure(encoder_model, small_digits, judge=AlwaysFirstClass(), normal_class=0)
    assert not any(name.startswith("judge_") for name in detector)


def test_a_saved_judge_keeps_only_its_weights_and_reloads_the_same(small_digits, tmp_path):
    judge, _ = train_classifier(small_digits.x_train, small_digits.y_train, [str(d) for d in range(10)],
                                epochs=1, architecture="judge")
    save_classifier(judge, tmp_path, manifest={"name": "judge"})
    with zipfile.ZipFile(tmp_path / "classifier.keras") as archive, archive.open("model.weights.h5") as weights:
        with h5py.File(io.BytesIO(weights.read())) as stored:
            assert "optimizer" not in stored or not len(stored["optimizer"].get("vars", {}))  # no Adam moments
    reloaded, _ = load_classifier_folder(tmp_path)
    np.testing.assert_allclose(reloaded.predict_proba(small_digits.x_test), judge.predict_proba(small_digits.x_test),
                               atol=1e-5)


def test_the_judge_is_built_differently_from_the_apps_classifier(small_digits):
    judge, record = train_classifier(small_digits.x_train, small_digits.y_train, [str(d) for d in range(10)],
                                     epochs=1, architecture="judge")
    app, _ = train_classifier(small_digits.x_train, small_digits.y_train, [str(d) for d in range(10)], epochs=1)
    layer_types = {type(layer).__name__ for layer in judge.network.layers}
    assert {"MaxPooling2D", "BatchNormalization"} <= layer_types
    assert not {"MaxPooling2D", "BatchNormalization"} & {type(layer).__name__ for layer in app.network.layers}
    assert record["architecture"] == "judge" and judge.predict(small_digits.x_test).shape == (len(small_digits.x_test),)
    with pytest.raises(ValueError, match="architecture must be one of"):
        train_classifier(small_digits.x_train, small_digits.y_train, [str(d) for d in range(10)], architecture="svm")


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_both_networks_refuse_a_shape_that_is_not_an_image_and_fewer_than_two_classes(network):
    with pytest.raises(ValueError, match=f"the {network} needs images shaped"):
        NETWORKS[network]((64,), 10)
    with pytest.raises(ValueError, match="num_classes must be an integer >= 2"):
        NETWORKS[network]((8, 8, 1), 1)
    assert NETWORKS[network]((8, 8, 1), 2, seed=3).output_shape == (None, 2)


class BrightestImageIsClassNine:
    """A classifier that calls the image with the most ink class 9 and every other image class 0."""

    def predict(self, images):
        predicted = np.zeros(len(images), np.int64)
        predicted[np.argmax(images.reshape(len(images), -1).sum(axis=1))] = 9
        return predicted


def test_each_class_average_test_image_is_the_mean_of_its_pixels_and_is_judged_as_a_class():
    # class c's images hold c / 10 everywhere, or nothing: their average is c / 20, the brightest class 9's
    x_test = np.stack([np.full((4, 4, 1), c / 10 if inked else 0.0, np.float32)
                       for c in range(10) for inked in (True, False)])
    y_test = np.repeat(np.arange(10), 2)
    seen = {}

    class Recording(BrightestImageIsClassNine):
        def predict(self, images):
            seen["averages"] = images
            return super().predict(images)

    measured = evaluation.class_average_metrics(Recording(), x_test, y_test)
    assert seen["averages"][:, 0, 0, 0] == pytest.approx([c / 20 for c in range(10)])
    assert measured["class_average_accuracy"] == pytest.approx(0.2)  # class 0 (called 0) and class 9 (called 9)
    assert [measured[f"class_average_{c}_classified_as"] for c in range(10)] == [0.0] * 9 + [9.0]


class CodesAsImages:
    """A stand-in model whose inputs are already codes: encode and decode hand them through."""

    def encode(self, x):
        return np.asarray(x, np.float32)

    def decode(self, z):
        return np.asarray(z, np.float32)


class CalledByHeight:
    """Calls a 2-D "image" class 0 above y = 0.8, class 1 below y = 0.2, and class 2 in between."""

    def predict(self, images):
        y = np.asarray(images)[:, 1]
        return np.where(y > 0.8, 0, np.where(y < 0.2, 1, 2))


def test_class_means_are_also_judged_at_their_class_typical_distance():
    # two classes on the upper and lower halves of a ring of radius 0.4 about (0.5, 0.5) (pixel values, which
    # the metric clips to [0, 1]): their plain means lie 0.25 from the centre, in the middle band, and only
    # moved out to the ring do they reach their own class's band
    angles = np.linspace(0.0, np.pi, 101)
    upper = 0.4 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    data = SimpleNamespace(x_test=0.5 + np.concatenate([upper, -upper]), y_test=np.repeat([0, 1], len(upper)))
    measured = evaluation.class_mean_metrics(CodesAsImages(), data, CalledByHeight())
    assert measured["class_mean_decode_accuracy"] == 0.0
    assert measured["class_mean_0_decoded_as"] == 2 and measured["class_mean_1_decoded_as"] == 2
    assert measured["class_mean_at_typical_distance_decode_accuracy"] == 1.0
    assert measured["class_mean_at_typical_distance_1_decoded_as"] == 1
