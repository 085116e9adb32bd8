"""Build the β sweep the Concepts page shows: pretrained/beta_sweep/digits.json.

  python scripts/build_beta_sweep.py              # the shipped settings
  python scripts/build_beta_sweep.py --epochs 20  # a quicker, rougher sweep
  python scripts/build_beta_sweep.py --betas 0.5 1 4 --out /tmp/sweep.json

Trains one dense VAE per β on scikit-learn's 8×8 digits (full split, fixed seed, the same
settings for every β) and measures each on the test images with
``latent_core.vae_internals``: reconstruction, KL per latent dimension, active units. Takes
under a minute on two cores.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from latent_core import vae_internals  # noqa: E402
from latent_core.data import load_dataset  # noqa: E402

BETAS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 8.0)
LATENT_DIM = 8
EPOCHS = 60


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--betas", type=float, nargs="+", default=BETAS)
    parser.add_argument("--out", type=Path, default=vae_internals.BETA_SWEEP_PATH)
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sweep = vae_internals.run_beta_sweep(load_dataset("digits"), arguments.betas, latent_dim=LATENT_DIM,
                                         epochs=arguments.epochs)
    print(f"wrote {vae_internals.write_beta_sweep(sweep, arguments.out)}")


if __name__ == "__main__":
    main()
