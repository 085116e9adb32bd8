"""VAE internals: KL per latent dimension, active units, the aggregate posterior, the β sweep."""

import json
import math

import numpy as np
import pytest

from latent_core import vae_internals
from latent_core.models import build_model
from latent_core.vae_internals import (ACTIVE_THRESHOLD_NATS, BetaSweep, SweepPoint, active_units,
                                       aggregate_moments, inspect_vae, kl_per_dimension, posterior_samples,
                                       read_beta_sweep, run_beta_sweep, write_beta_sweep)


def test_kl_per_dimension_matches_the_closed_form_on_known_means_and_variances():
    mean = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 2.0]])
    log_var = np.array([[0.0, math.log(4.0), 0.0], [0.0, math.log(4.0), 0.0]])
    # ½ (μ² + σ² − 1 − log σ²) per example, then averaged over the two examples
    expected = [0.5, 0.5 * (4 - 1 - math.log(4)), (0.0 + 0.5 * 4) / 2]
    np.testing.assert_allclose(kl_per_dimension(mean, log_var), expected, rtol=1e-12)


def test_a_dimension_that_always_equals_the_prior_has_no_kl():
    mean = np.array([[0.0, 1.5], [0.0, -0.3]])
    log_var = np.array([[0.0, -2.0], [0.0, -1.0]])
    kl = kl_per_dimension(mean, log_var)
    assert kl[0] == 0.0 and kl[1] > 0.5


def test_active_units_count_the_dimensions_above_the_threshold_only():
    assert ACTIVE_THRESHOLD_NATS == 0.01
    assert active_units(np.array([0.5, 0.02, 0.01, 0.0, 0.009])) == 2  # exactly 0.01 is not above it
    assert active_units(np.array([0.5, 0.02, 0.01]), threshold=0.1) == 1


def test_the_aggregate_posterior_is_a_mixture_of_the_examples_gaussians():
    mean = np.array([[1.0, 0.0], [-1.0, 0.0]])
    log_var = np.log(np.array([[1.0, 0.25], [1.0, 0.25]]))
    centre, covariance = aggregate_moments(mean, log_var)
    np.testing.assert_allclose(centre, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(covariance, [[1.0 + 1.0, 0.0], [0.0, 0.25]], atol=1e-12)  # spread of means + variance


def test_posterior_samples_draw_one_code_per_example_around_its_mean():
    mean = np.tile([[2.0, -1.0]], (4000, 1))
    log_var = np.tile(np.log([[0.25, 1.0]]), (4000, 1))
    samples = posterior_samples(mean, log_var, seed=0)
    assert samples.shape == (4000, 2) and samples.dtype == np.float32
    np.testing.assert_allclose(samples.mean(axis=0), [2.0, -1.0], atol=0.06)
    np.testing.assert_allclose(samples.std(axis=0), [0.5, 1.0], atol=0.05)
    np.testing.assert_array_equal(samples, posterior_samples(mean, log_var, seed=0))


def test_inspect_vae_measures_the_kl_the_model_trains_with(digits):
    model = build_model("vae", input_shape=digits.input_shape, latent_dim=3, hidden_units=(16,), seed=1)
    report = inspect_vae(model, digits.x_test, limit=40)
    assert report.kl_per_dim.shape == (3,) and report.mean.shape == (40, 3)
    _, model_kl = model._loss_terms(digits.x_test[:40], training=False)
    assert report.kl_total == pytest.approx(float(model_kl), rel=1e-4)
    assert report.reconstruction > 0 and report.active == active_units(report.kl_per_dim)


def test_inspect_vae_refuses_a_model_without_a_gaussian_encoder(digits):
    with pytest.raises(TypeError, match="not a VAE"):
        inspect_vae(build_model("dense_ae", input_shape=digits.input_shape, latent_dim=2), digits.x_test)


def test_smoke_a_tiny_sweep_trains_one_vae_per_beta_in_ascending_order(digits):
    sweep = run_beta_sweep(digits, [4.0, 0.5], latent_dim=2, epochs=1, hidden_units=(8,), batch_size=100)
    assert sweep.betas == [0.5, 4.0]
    assert all(len(point.kl_per_dim) == 2 and math.isfinite(point.reconstruction) for point in sweep.points)
    assert sweep.settings["latent_dim"] == 2 and sweep.settings["train_size"] == len(digits.x_train)


def test_a_sweep_survives_writing_and_reading(tmp_path):
    sweep = BetaSweep({"dataset": "digits"}, (SweepPoint(0.5, 20.0, 3.0, (2.0, 1.0), 2),
                                              SweepPoint(4.0, 27.0, 0.0, (0.0, 0.0), 0)))
    path = write_beta_sweep(sweep, tmp_path / "sweep" / "digits.json")
    assert read_beta_sweep(path) == sweep
    assert read_beta_sweep(tmp_path / "missing.json") is None


@pytest.mark.parametrize("record", [{"format": 99, "points": []}, {"format": 1, "points": [{"beta": 1}]},
                                    {"format": 1, "points": []}])
def test_a_malformed_sweep_file_is_refused(tmp_path, record):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(record))
    with pytest.raises(ValueError):
        read_beta_sweep(path)


def test_the_shipped_sweep_shows_the_trade_off_and_the_collapse_the_page_describes():
    sweep = read_beta_sweep()
    assert sweep is not None, "pretrained/beta_sweep/digits.json is missing; run scripts/build_beta_sweep.py"
    points = sweep.points
    assert len(points) >= 3 and sweep.settings["dataset"] == "digits"
    assert all(a.kl_total > b.kl_total for a, b in zip(points, points[1:]))  # more β, less KL
    assert all(a.reconstruction < b.reconstruction for a, b in zip(points, points[1:]))  # and worse images
    assert points[0].active == sweep.settings["latent_dim"] and points[-1].active == 0  # all used, then none
    assert vae_internals.BETA_SWEEP_PATH.parent.name == "beta_sweep"


def test_the_build_script_writes_a_sweep_the_page_can_read(tmp_path):
    import importlib.util

    from latent_core.pretrained import PRETRAINED_DIR

    spec = importlib.util.spec_from_file_location("build_beta_sweep",
                                                  PRETRAINED_DIR.parent / "scripts" / "build_beta_sweep.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(["--epochs", "1", "--betas", "2", "0.5", "--out", str(tmp_path / "digits.json")])
    sweep = read_beta_sweep(tmp_path / "digits.json")
    assert sweep.betas == [0.5, 2.0] and sweep.settings["epochs"] == 1
    assert all(len(point.kl_per_dim) == script.LATENT_DIM for point in sweep.points)
