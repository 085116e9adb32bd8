"""Benchmark the latent map: our openTSNE t-SNE vs scikit-learn's TSNE, and placement.

Times ``latent_core.projection.project(method="tsne")`` on 1,000 / 2,000 / 5,000
structured 32-dimensional codes (Gaussian blobs, 10 classes) against
scikit-learn's ``TSNE`` with its defaults on the same data in the same run, and
placing one new code onto the 2,000-point map (openTSNE transform, and the
nearest-neighbour fallback used by maps loaded from files). Map quality is the
10-nearest-neighbour label agreement on the map (1.0 = every point's map
neighbours share its class). Writes a markdown table to
``benchmarks/results/projection.md``.

Run: ``.venv/bin/python benchmarks/bench_projection.py`` (a few minutes).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import openTSNE
import scipy
import sklearn
from sklearn.datasets import make_blobs
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from latent_core.projection import Projection, place, project  # noqa: E402

LATENT_DIM = 32
N_CLASSES = 10
PLACEMENT_REPEATS = 5
PLACEMENT_MAP_SIZE = 2000


def structured_codes(n: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` 32-dim codes in 10 partly overlapping Gaussian blobs, and their labels."""
    codes, labels = make_blobs(
        n_samples=n, n_features=LATENT_DIM, centers=N_CLASSES, cluster_std=8.0, random_state=seed
    )
    return codes, labels


def label_agreement(coordinates: np.ndarray, labels: np.ndarray, k: int = 10) -> float:
    """Mean share of each point's k nearest map neighbours with the same label."""
    _, neighbours = NearestNeighbors(n_neighbors=k + 1).fit(coordinates).kneighbors(coordinates)
    return float(np.mean(labels[neighbours[:, 1:]] == labels[:, None]))


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def median_seconds(function, *args) -> float:
    function(*args)  # warm-up: first calls compile/allocate
    return statistics.median(timed(function, *args)[0] for _ in range(PLACEMENT_REPEATS))


def machine_description() -> list[str]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [
        f"- Date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Machine: {os.cpu_count()} CPUs (nproc), {cpu}; load average at start "
        f"{os.getloadavg()[0]:.1f} (the cores are shared, so times are indicative)",
        f"- Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, openTSNE {openTSNE.__version__}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument(
        "--sklearn-max-size", type=int, default=5000,
        help="skip scikit-learn's TSNE above this many codes (it is the slow one)",
    )
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "results" / "projection.md")
    args = parser.parse_args()

    header = machine_description()
    rows = []
    for n in args.sizes:
        codes, labels = structured_codes(n)
        seconds, projection = timed(project, codes, method="tsne", max_points=n, seed=0)
        rows.append(("Latent Explorer `project` (openTSNE)", n, seconds, label_agreement(projection.coordinates, labels)))
        print(rows[-1], flush=True)
        if n <= args.sklearn_max_size:
            seconds, coordinates = timed(TSNE(random_state=0).fit_transform, codes)
            rows.append(("scikit-learn `TSNE()` defaults", n, seconds, label_agreement(coordinates, labels)))
            print(rows[-1], flush=True)

    codes, labels = structured_codes(PLACEMENT_MAP_SIZE)
    tsne_map = project(codes, method="tsne", max_points=PLACEMENT_MAP_SIZE, seed=0)
    latent_agreement = label_agreement(codes, labels)
    loaded_map = Projection.from_arrays(tsne_map.to_arrays())
    new_code = codes[labels == 0].mean(axis=0, keepdims=True)  # a class's mean: not on the map
    placement = [
        ("openTSNE `transform` (fitted map)", median_seconds(place, tsne_map, new_code)),
        ("nearest-neighbour fallback (map loaded from arrays)", median_seconds(place, loaded_map, new_code)),
    ]

    lines = ["# Latent map benchmark", "", *header, "",
             f"Data: `make_blobs`, {LATENT_DIM} dimensions, {N_CLASSES} classes, cluster_std 8.0. "
             "Quality: 10-NN label agreement on the 2-D map; in the 32-D codes themselves it is "
             f"{latent_agreement:.3f} at {PLACEMENT_MAP_SIZE:,} codes.", ""]
    if any(n > args.sklearn_max_size for n in args.sizes):
        lines += [f"scikit-learn's TSNE was run up to {args.sklearn_max_size} codes only.", ""]
    lines += ["| t-SNE | codes | seconds | 10-NN label agreement |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {n:,} | {seconds:.1f} | {quality:.3f} |" for name, n, seconds, quality in rows]
    lines += ["", f"Placing one new code onto the {PLACEMENT_MAP_SIZE:,}-point t-SNE map "
              f"(median of {PLACEMENT_REPEATS} after a warm-up):", "",
              "| placement | milliseconds |", "|---|---:|"]
    lines += [f"| {name} | {seconds * 1000:.1f} |" for name, seconds in placement]
    lines += ["", f"Load average at end: {os.getloadavg()[0]:.1f}", ""]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
