"""How long one interactive model call takes: the fast path vs Keras alternatives.

For every pretrained model (the per-class anomaly detectors left out: they are small
dense/conv AEs like the ones listed) and every pretrained classifier, this times
one-example calls of ``decode`` (what a slider move runs) and ``reconstruct`` (a drawn
image) through
  * the fast path (``LatentModel.decode`` / ``reconstruct``, a cached ``tf.function``, input
    checks included; ``Classifier.predict_proba`` for classifiers),
  * a plain eager Keras call (``model.decoder(z, training=False)``),
  * ``model.predict`` (``model.decoder.predict(z)``),
and writes medians and ratios to ``benchmarks/results/model_calls.md``.

Run: ``python benchmarks/bench_model_calls.py [--quick] [--repeats 30]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.report import format_ms, load_note, ratio, table, time_calls, write_result  # noqa: E402
from latent_core import pretrained  # noqa: E402

PREDICT_REPEATS = 10  # predict is 50-200 ms a call; fewer repeats keep the run short


def median_ms(function, repeats: int) -> float:
    return time_calls(lambda _: function(), repeats).median_ms


def measure_model(model, repeats: int) -> dict[str, float]:
    """Medians (ms) of one-example decode and reconstruct calls, three ways (no decode for a model
    without a latent code, such as the U-Net denoiser)."""
    row = {}
    if model.has_latent:
        z = np.random.default_rng(0).standard_normal((1, model.latent_dim)).astype("float32")
        decoder = model.generator if model.kind == "dcgan" else model.decoder
        row.update({
            "decode_fast": median_ms(lambda: model.decode(z), repeats),
            "decode_call": median_ms(lambda: keras.ops.convert_to_numpy(decoder(z, training=False)), repeats),
            "decode_predict": median_ms(lambda: decoder.predict(z, verbose=0), PREDICT_REPEATS),
        })
    if model.has_encoder:
        x = np.random.default_rng(1).random((1, *model.input_shape), dtype=np.float32)
        row["reconstruct_fast"] = median_ms(lambda: model.reconstruct(x), repeats)
        row["reconstruct_call"] = median_ms(lambda: keras.ops.convert_to_numpy(model(x, training=False)), repeats)
        row["reconstruct_predict"] = median_ms(lambda: model.predict(x, verbose=0), PREDICT_REPEATS)
    return row


def measure_classifier(classifier, repeats: int) -> dict[str, float]:
    """Medians (ms) of classifying one image, three ways."""
    x = np.random.default_rng(2).random((1, *classifier.input_shape), dtype=np.float32)
    network = classifier.network
    return {
        "fast": median_ms(lambda: classifier.predict_proba(x), repeats),
        "call": median_ms(lambda: keras.ops.convert_to_numpy(network(x, training=False)), repeats),
        "predict": median_ms(lambda: network.predict(x, verbose=0), PREDICT_REPEATS),
    }


def render(models: dict[str, dict[str, float]], classifiers: dict[str, dict[str, float]], repeats: int) -> str:
    def cells(row, prefix):
        fast = row.get(f"{prefix}fast")
        if fast is None:
            return ["–"] * 5
        return [format_ms(fast), format_ms(row[f"{prefix}call"]), format_ms(row[f"{prefix}predict"]),
                ratio(row[f"{prefix}call"], fast), ratio(row[f"{prefix}predict"], fast)]

    model_rows = [[f"`{name}`", *cells(row, "decode_"), *cells(row, "reconstruct_")] for name, row in models.items()]
    classifier_rows = [[f"`{name}` classifier", *cells(row, "")] for name, row in classifiers.items()]
    decode_predict = [row["decode_predict"] / row["decode_fast"] for row in models.values() if "decode_fast" in row]
    return "\n".join([
        f"One example per call; medians of {repeats} calls (predict: {PREDICT_REPEATS}) after two warm-up "
        f"calls, milliseconds; {load_note()} at the end. *fast*: the compiled fast path the pages use "
        "(input checks included); *call*: an eager `model(x, training=False)`; *predict*: "
        "`model.predict`. Ratios are *call* / *fast* and *predict* / *fast*.",
        "",
        table(["model", "decode fast", "call", "predict", "call/fast", "predict/fast", "reconstruct fast",
               "call", "predict", "call/fast", "predict/fast"], model_rows),
        "",
        table(["classifier", "fast", "call", "predict", "call/fast", "predict/fast"], classifier_rows),
        "",
        f"`predict` is {min(decode_predict):.0f}–{max(decode_predict):.0f}× slower than the fast path for one "
        "code: it builds a dataset and a step loop per call. Every interactive path (sliders, drawing, "
        "placing an image, the classifier's verdict) uses the fast path.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 repeats, three models")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    repeats = 5 if args.quick else args.repeats
    entries = [entry for entry in pretrained.list_pretrained() if not entry.is_anomaly_detector]
    if args.quick:
        entries = entries[:3]
    models = {}
    for entry in entries:
        models[entry.name] = measure_model(pretrained.load_pretrained(entry.name).model, repeats)
        print(entry.name, {key: round(value, 2) for key, value in models[entry.name].items()}, flush=True)
    classifiers = {}
    for dataset in sorted({entry.dataset for entry in pretrained.list_pretrained()}):
        classifier = pretrained.load_classifier(dataset)
        if classifier is not None:
            classifiers[dataset] = measure_classifier(classifier, repeats)
            print(dataset, classifiers[dataset], flush=True)
    print(write_result("model_calls", render(models, classifiers, repeats)))


if __name__ == "__main__":
    main()
