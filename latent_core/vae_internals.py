"""What a VAE's encoder does with its latent dimensions: KL per dimension, active units,
the aggregate posterior beside the prior, and a β sweep.

The KL term of a VAE with a diagonal Gaussian encoder splits over latent dimensions:
``KL(q(z|x) || N(0, I)) = Σ_j ½ (μ_j² + σ_j² − 1 − log σ_j²)``. Averaged over the data,
each dimension's share says whether the encoder uses it: a dimension whose KL is about 0
has ``q(z_j|x) ≈ N(0, 1)`` for every ``x`` — it carries nothing about the image (the
decoder learns to ignore it), which is posterior collapse. Here a dimension is **active**
when its KL averaged over the data exceeds ``ACTIVE_THRESHOLD_NATS`` (0.01 nats).

A larger β weighs the KL term more, so the encoder gives up dimensions: the β sweep
(``run_beta_sweep``, shipped precomputed for the 8×8 digits by
``scripts/build_beta_sweep.py`` in ``pretrained/beta_sweep/digits.json``) shows the
reconstruction rising and the KL and the active units falling as β grows.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from latent_core.models.base import reconstruction_error
from latent_core.pretrained import PRETRAINED_DIR

__all__ = [
    "ACTIVE_THRESHOLD_NATS",
    "BetaSweep",
    "SweepPoint",
    "VaeReport",
    "active_units",
    "aggregate_moments",
    "inspect_vae",
    "kl_per_dimension",
    "posterior_samples",
    "read_beta_sweep",
    "run_beta_sweep",
    "write_beta_sweep",
]

ACTIVE_THRESHOLD_NATS = 0.01
MAX_INSPECTED = 2000
BETA_SWEEP_PATH = PRETRAINED_DIR / "beta_sweep" / "digits.json"
SWEEP_FORMAT = 1
logger = logging.getLogger(__name__)


def kl_per_dimension(mean: np.ndarray, log_var: np.ndarray) -> np.ndarray:
    """KL(q(z_j|x) || N(0, 1)) in nats for each latent dimension ``j``, averaged over the
    examples: ``mean`` and ``log_var`` are the encoder's ``(n, d)`` outputs; returns ``(d,)``."""
    mean, log_var = _distribution(mean, log_var)
    per_example = 0.5 * (np.square(mean) + np.exp(log_var) - 1.0 - log_var)
    return per_example.mean(axis=0)


def active_units(kl_per_dim: np.ndarray, threshold: float = ACTIVE_THRESHOLD_NATS) -> int:
    """How many dimensions have an average KL above ``threshold`` nats: the ones the encoder uses."""
    kl = np.asarray(kl_per_dim, dtype=np.float64)
    if kl.ndim != 1 or kl.size == 0:
        raise ValueError(f"kl_per_dim must be a non-empty 1-D array, got shape {kl.shape}.")
    return int(np.count_nonzero(kl > threshold))


def posterior_samples(mean: np.ndarray, log_var: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """One code ``z ~ q(z|x)`` per example: together, samples of the aggregate posterior
    ``q(z) = mean over x of q(z|x)``, which a well-fitted VAE makes close to the prior. ``(n, d)`` float32."""
    mean, log_var = _distribution(mean, log_var)
    noise = np.random.default_rng(seed).standard_normal(mean.shape)
    return (mean + np.exp(0.5 * log_var) * noise).astype(np.float32)


def aggregate_moments(mean: np.ndarray, log_var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``(d,)`` and covariance ``(d, d)`` of the aggregate posterior, a mixture of the
    examples' Gaussians: the covariance of the means plus the average of their variances. The
    prior's are 0 and the identity."""
    mean, log_var = _distribution(mean, log_var)
    centre = mean.mean(axis=0)
    spread = (mean - centre).T @ (mean - centre) / len(mean)
    return centre, spread + np.diag(np.exp(log_var).mean(axis=0))


@dataclass(frozen=True, eq=False)
class VaeReport:
    """A VAE measured on some images: ``kl_per_dim`` (nats, averaged over them) and
    ``reconstruction``, the model's own loss (summed over an image's values, as in training)
    of the image decoded from its mean code, averaged over the images. ``mean`` and
    ``log_var`` are the encoder's outputs for each image."""

    kl_per_dim: np.ndarray
    reconstruction: float
    mean: np.ndarray
    log_var: np.ndarray

    @property
    def kl_total(self) -> float:
        return float(self.kl_per_dim.sum())

    @property
    def active(self) -> int:
        return active_units(self.kl_per_dim)


def inspect_vae(model, inputs: np.ndarray, *, limit: int = MAX_INSPECTED) -> VaeReport:
    """Encode up to ``limit`` of ``inputs`` (the first ones) with a VAE and measure its KL per
    dimension and its reconstruction."""
    if not hasattr(model, "encode_distribution"):
        raise TypeError(f"{type(model).__name__} is not a VAE: its encoder gives no mean and log-variance.")
    inputs = np.asarray(inputs[:limit], dtype=np.float32)
    if len(inputs) == 0:
        raise ValueError("inspect_vae needs at least one input.")
    mean, log_var = model.encode_distribution(inputs)
    decoded = model.decode(mean.astype(np.float32))
    errors = np.asarray(reconstruction_error(inputs, decoded, model.loss_name, reduction="sum"))
    return VaeReport(kl_per_dimension(mean, log_var), float(errors.mean()), mean, log_var)


@dataclass(frozen=True)
class SweepPoint:
    """One β of a sweep, measured on the test images: reconstruction (the model's loss summed
    over an image's values), total KL and KL per dimension in nats, active units."""

    beta: float
    reconstruction: float
    kl_total: float
    kl_per_dim: tuple[float, ...]
    active: int


@dataclass(frozen=True)
class BetaSweep:
    """VAEs of one architecture trained with several β: ``settings`` (dataset, latent size,
    epochs, …) and one ``SweepPoint`` per β in ascending order."""

    settings: dict
    points: tuple[SweepPoint, ...]

    @property
    def betas(self) -> list[float]:
        return [point.beta for point in self.points]


def run_beta_sweep(dataset, betas: Sequence[float], *, latent_dim: int, epochs: int, hidden_units=(128,),
                   batch_size: int = 64, seed: int = 0) -> BetaSweep:
    """Train one dense VAE per β on ``dataset``'s training images with the same seed and
    settings, and measure each on its test images."""
    # Imported here: reading a shipped sweep needs no training machinery.
    from latent_core.models import build_model
    from latent_core.training import train

    if not betas:
        raise ValueError("run_beta_sweep needs at least one beta.")
    points = []
    for beta in sorted(float(value) for value in betas):
        model = build_model("vae", input_shape=dataset.input_shape, latent_dim=latent_dim, beta=beta,
                            hidden_units=tuple(hidden_units), seed=seed)
        train(model, dataset.x_train, epochs=epochs, batch_size=batch_size, seed=seed, preview_count=0)
        report = inspect_vae(model, dataset.x_test, limit=len(dataset.x_test))
        points.append(SweepPoint(beta, report.reconstruction, report.kl_total,
                                 tuple(float(value) for value in report.kl_per_dim), report.active))
        logger.info("beta %g: reconstruction %.2f, KL %.2f nats, %d active", beta, report.reconstruction,
                    report.kl_total, report.active)
    settings = {"dataset": dataset.name, "latent_dim": latent_dim, "epochs": epochs,
                "hidden_units": list(hidden_units), "batch_size": batch_size, "seed": seed,
                "train_size": len(dataset.x_train), "test_size": len(dataset.x_test),
                "active_threshold_nats": ACTIVE_THRESHOLD_NATS}
    return BetaSweep(settings, tuple(points))


def write_beta_sweep(sweep: BetaSweep, path: str | Path = BETA_SWEEP_PATH) -> Path:
    """Save a sweep as JSON at ``path`` (the folders made as needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"format": SWEEP_FORMAT, "settings": sweep.settings,
              "points": [asdict(point) for point in sweep.points]}
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def read_beta_sweep(path: str | Path = BETA_SWEEP_PATH) -> BetaSweep | None:
    """The sweep saved at ``path``, or None when there is none; a file of another format or
    with missing or non-finite values raises ``ValueError``."""
    path = Path(path)
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(record, dict) or record.get("format") != SWEEP_FORMAT:
        raise ValueError(f"{path} is not a beta sweep of format {SWEEP_FORMAT}.")
    try:
        points = tuple(SweepPoint(float(p["beta"]), float(p["reconstruction"]), float(p["kl_total"]),
                                  tuple(float(v) for v in p["kl_per_dim"]), int(p["active"]))
                       for p in record["points"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path} has a malformed sweep point: {error}") from error
    numbers = [value for point in points for value in (point.beta, point.reconstruction, point.kl_total)]
    if not points or not all(math.isfinite(value) for value in numbers):
        raise ValueError(f"{path} holds no points or non-finite values.")
    return BetaSweep(dict(record.get("settings") or {}), tuple(sorted(points, key=lambda point: point.beta)))


def _distribution(mean: np.ndarray, log_var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = np.asarray(mean, dtype=np.float64)
    log_var = np.asarray(log_var, dtype=np.float64)
    if mean.ndim != 2 or mean.shape[0] == 0 or log_var.shape != mean.shape:
        raise ValueError(f"mean and log_var must be (n, d) arrays of one shape, got {mean.shape} and "
                         f"{log_var.shape}.")
    if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(log_var))):
        raise ValueError("mean and log_var must be finite.")
    return mean, log_var
