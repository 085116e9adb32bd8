"""What one training costs, per image-epoch and per run, for the estimate shown before Start.

For several architectures on Fashion-MNIST (dense and conv AEs of two sizes, dense and conv
VAEs, the DCGAN, the U-Net denoiser) this runs the Train page's job (``jobs.workspace_job``: ``training.train``
in a background thread with validation, previews, checkpoints, then
``evaluation.measure`` on 2,000 test images and the final save) twice, on a small and a
larger number of image-epochs, and takes the difference: CPU seconds of the process (all
threads) and wall seconds per image-epoch, and the fixed cost of a run (start, tracing,
measuring, saving). CPU seconds are what other work on a shared machine disturbs least;
on a server of its own whose slots match its cores, a training's wall time is about its
CPU time. Each model's multiply-adds per image (``architectures.multiply_adds``) sit
beside its cost, the figure ``jobs.estimate_seconds`` is calibrated from.

Optionally (``--candidate kind:images:epochs``) it also trains candidate hosted defaults
in full and reports their test MSE (beside PCA's at the same size) and how many decoded
class means the app's classifier names right.

Run: ``python benchmarks/bench_training_cost.py [--candidate dense_ae:5000:5 ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import load_note, table, write_result  # noqa: E402
from latent_core import data, evaluation, jobs, pretrained  # noqa: E402
from latent_core.models import build_model  # noqa: E402
from latent_core.models.architectures import multiply_adds  # noqa: E402
from latent_core.workspace import Workspace  # noqa: E402

EVALUATION_IMAGES = 2000  # as the Train page
BATCH_SIZE = 128
CONFIGS = {
    "dense_ae 256": ("dense_ae", {"latent_dim": 32}),
    "dense_ae 512, 256": ("dense_ae", {"latent_dim": 32, "hidden_units": (512, 256)}),
    "conv_ae 32, 64": ("conv_ae", {"latent_dim": 32}),
    "conv_ae 16, 32": ("conv_ae", {"latent_dim": 32, "filters": (16, 32)}),
    "vae dense": ("vae", {"latent_dim": 16}),
    "vae conv": ("vae", {"latent_dim": 16, "architecture": "conv"}),
    "dcgan": ("dcgan", {"latent_dim": 100}),
    "unet_denoiser": ("unet_denoiser", {}),
}
SMALL, LARGE = (1000, 1), (3000, 2)  # (images, epochs); cheap layers need more: --small, --large


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def app_run(kind: str, options: dict, dataset: data.Dataset, images: int, epochs: int) -> dict:
    """One Train-page job from build to save: its wall and CPU seconds and the saved entry."""
    folder = Path(tempfile.mkdtemp(prefix="latent-cost-"))
    try:
        training_data = data.subsample(dataset, max_train=images, max_test=EVALUATION_IMAGES, seed=0)
        started, cpu = time.perf_counter(), cpu_seconds()
        model = build_model(kind, input_shape=dataset.input_shape, seed=0, **options)
        job = jobs.workspace_job(Workspace(folder), model, training_data, name=f"{kind} cost",
                                 measure=lambda trained: evaluation.measure(trained, training_data),
                                 epochs=epochs, batch_size=BATCH_SIZE, learning_rate=1e-3, seed=0, cluster=None)
        job.start().join()
        snapshot = job.snapshot()
        if snapshot.state != jobs.COMPLETED:
            raise RuntimeError(f"{kind} ended {snapshot.state}: {snapshot.error}")
        return {"wall_s": time.perf_counter() - started, "cpu_s": cpu_seconds() - cpu, "model": model,
                "metrics": snapshot.saved.metrics, "data": training_data}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cost(label: str, dataset: data.Dataset, small_run: tuple[int, int], large_run: tuple[int, int]) -> dict:
    kind, options = CONFIGS[label]
    small = app_run(kind, options, dataset, *small_run)
    large = app_run(kind, options, dataset, *large_run)
    extra = large_run[0] * large_run[1] - small_run[0] * small_run[1]
    per_cpu = (large["cpu_s"] - small["cpu_s"]) / extra
    per_wall = (large["wall_s"] - small["wall_s"]) / extra
    return {"label": label, "kind": kind, "small": small_run, "large": large_run,
            "multiply_adds": multiply_adds(large["model"]),
            "parameters": int(large["model"].count_params()),
            "cpu_ms_per_image_epoch": per_cpu * 1000, "wall_ms_per_image_epoch": per_wall * 1000,
            "fixed_cpu_s": small["cpu_s"] - per_cpu * small_run[0] * small_run[1],
            "fixed_wall_s": small["wall_s"] - per_wall * small_run[0] * small_run[1]}


def candidate(spec: str, dataset: data.Dataset, classifier) -> dict:
    """A candidate default ``kind:images:epochs`` trained in full: its cost and its quality."""
    kind, images, epochs = spec.split(":")
    options = {"latent_dim": 32}
    run = app_run(kind, options, dataset, int(images), int(epochs))
    quality = evaluation.class_mean_metrics(run["model"], run["data"], classifier)
    return {"spec": spec, "wall_s": run["wall_s"], "cpu_s": run["cpu_s"],
            "test_mse": run["metrics"].get("test_mse"), "pca_mse": run["metrics"].get("pca_test_mse"),
            "class_means_named": quality["class_mean_decode_accuracy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(CONFIGS), help="architectures to time")
    parser.add_argument("--candidate", nargs="*", default=[], help="kind:images:epochs defaults to train in full")
    parser.add_argument("--small", default=f"{SMALL[0]}:{SMALL[1]}", help="images:epochs of the small run")
    parser.add_argument("--large", default=f"{LARGE[0]}:{LARGE[1]}", help="images:epochs of the large run")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    small_run, large_run = (tuple(int(part) for part in text.split(":")) for text in (args.small, args.large))
    dataset = data.load_dataset("fashion_mnist")
    costs = [cost(label, dataset, small_run, large_run) for label in args.only]
    for row in costs:
        print(json.dumps(row), flush=True)
    classifier = pretrained.load_classifier("fashion_mnist") if args.candidate else None
    candidates = [candidate(spec, dataset, classifier) for spec in args.candidate]
    for row in candidates:
        print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"costs": costs, "candidates": candidates}, indent=1), encoding="utf-8")
    lines = [f"Fashion-MNIST ({dataset.source}), batch {BATCH_SIZE}, the Train page's job from build to save; "
             f"per image-epoch from the difference of a small and a large run (images × epochs). {load_note()}.",
             "",
             table(["model", "runs", "parameters", "multiply-adds per image", "CPU ms per image-epoch",
                    "wall ms per image-epoch", "fixed CPU s per run", "fixed wall s per run"],
                   [[row["label"], "{} × {} / {} × {}".format(*row["small"], *row["large"]), f"{row['parameters']:,}",
                     f"{row['multiply_adds']:,}",
                     f"{row['cpu_ms_per_image_epoch']:.3f}", f"{row['wall_ms_per_image_epoch']:.3f}",
                     f"{row['fixed_cpu_s']:.1f}", f"{row['fixed_wall_s']:.1f}"] for row in costs])]
    if candidates:
        lines += ["", table(["default (kind:images:epochs)", "wall s", "CPU s", "test MSE", "PCA MSE",
                             "class means named right"],
                            [[row["spec"], f"{row['wall_s']:.1f}", f"{row['cpu_s']:.1f}", f"{row['test_mse']:.4f}",
                              f"{row['pca_mse']:.4f}", f"{row['class_means_named']:.0%}"] for row in candidates])]
    write_result("training_cost", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
