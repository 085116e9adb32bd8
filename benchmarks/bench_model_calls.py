"""How long one interactive model call takes: the fast path vs Keras alternatives.

For every model kind (28x28x1 images, default options) this times one-example calls of
``decode`` (what a slider move runs) and ``reconstruct`` (a drawn image) through
  * the fast path (``LatentModel.decode`` / ``reconstruct``: a cached tf.function),
  * a plain eager Keras call (``model.decoder(z, training=False)``),
  * ``model.predict`` (``model.decoder.predict(z)``),
and writes the medians to ``benchmarks/results/model_calls.md``.

Run: ``python benchmarks/bench_model_calls.py [--repeats 50]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from latent_core.models import MODEL_KINDS, build_model  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "model_calls.md"
INPUT_SHAPE = (28, 28, 1)


def median_ms(function, repeats: int) -> float:
    """Median wall time of ``function()`` in milliseconds, after two warm-up calls."""
    function()
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(kind: str, repeats: int) -> dict[str, float]:
    model = build_model(kind, input_shape=INPUT_SHAPE, latent_dim=32)
    z = np.random.default_rng(0).standard_normal((1, 32)).astype("float32")
    x = np.random.default_rng(1).random((1, *INPUT_SHAPE), dtype=np.float32)
    decoder = model.generator if kind == "dcgan" else model.decoder
    row = {
        "decode_fast": median_ms(lambda: model.decode(z), repeats),
        "decode_call": median_ms(lambda: keras.ops.convert_to_numpy(decoder(z, training=False)),
                                 repeats),
        "decode_predict": median_ms(lambda: decoder.predict(z, verbose=0), repeats),
    }
    if model.has_encoder:
        row["reconstruct_fast"] = median_ms(lambda: model.reconstruct(x), repeats)
        row["reconstruct_call"] = median_ms(
            lambda: keras.ops.convert_to_numpy(model(x, training=False)), repeats)
        row["reconstruct_predict"] = median_ms(lambda: model.predict(x, verbose=0), repeats)
    return row


def render(rows: dict[str, dict[str, float]], repeats: int) -> str:
    def cell(row, key):
        return f"{row[key]:.1f}" if key in row else "–"

    lines = [
        "## One-example model calls (median ms)",
        "",
        f"{platform.machine()}, {os.cpu_count()} CPUs, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}; {INPUT_SHAPE} inputs, latent 32, median of {repeats} "
        "calls after warm-up. *fast* is `LatentModel.decode`/`reconstruct` (cached "
        "`tf.function`, input checks included), *call* an eager `model(x, training=False)`, "
        "*predict* `model.predict`. Absolute numbers move with machine load; compare "
        "within a row.",
        "",
        "| kind | decode fast | decode call | decode predict | reconstruct fast | "
        "reconstruct call | reconstruct predict |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, row in rows.items():
        lines.append(f"| {kind} | " + " | ".join(cell(row, key) for key in (
            "decode_fast", "decode_call", "decode_predict", "reconstruct_fast",
            "reconstruct_call", "reconstruct_predict")) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    rows = {}
    for kind in MODEL_KINDS:
        rows[kind] = measure(kind, args.repeats)
        print(kind, {key: round(value, 2) for key, value in rows[kind].items()}, flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("# Model call benchmark\n\n" + render(rows, args.repeats), encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
