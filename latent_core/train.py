"""Command line training: ``python -m latent_core.train --dataset fashion_mnist
--model conv_ae --latent-dim 32 --epochs 20 --out DIR``.

Loads the dataset, builds the model, trains it with a progress bar on stderr, and saves
a bundle (``model.keras`` + ``manifest.json``) with the metrics of
``latent_core.evaluation.measure`` (test MSE and PSNR, PCA at the same size, …).
"""

from __future__ import annotations

import argparse
import json
import sys

from latent_core.models import MODEL_KINDS, build_model

BAR_WIDTH = 30


def _parse_option(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"options look like key=value, e.g. beta=4; got {text!r}.")
    try:
        return key.replace("-", "_"), json.loads(value)
    except json.JSONDecodeError:
        return key.replace("-", "_"), value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m latent_core.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", required=True, help="fashion_mnist, mnist, digits, swiss_roll")
    parser.add_argument("--model", required=True, choices=sorted(MODEL_KINDS), help="model kind")
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loss", choices=["mse", "bce", "l1"], help="reconstruction loss")
    parser.add_argument("--max-train", type=int, help="use at most this many training examples")
    parser.add_argument("--max-test", type=int, help="use at most this many test examples")
    parser.add_argument("--option", action="append", default=[], type=_parse_option,
                        metavar="KEY=VALUE",
                        help="another model option, value as JSON: beta=4, filters=[16,32], "
                             'noise_kinds=["gaussian","strokes"] (repeatable)')
    parser.add_argument("--out", required=True, help="folder to save the bundle into")
    parser.add_argument("--overwrite", action="store_true", help="replace a bundle in --out")
    return parser


def format_progress(progress) -> str:
    """One line of the progress bar: epoch, bar, percent, running losses and ETA."""
    filled = round(progress.fraction * BAR_WIDTH)
    losses = " ".join(f"{name} {value:.4g}" for name, value in progress.logs.items())
    minutes, seconds = divmod(int(round(progress.eta_s)), 60)
    return (f"epoch {progress.epoch}/{progress.epochs} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}]"
            f" {progress.fraction:4.0%} {losses} ETA {minutes:02d}:{seconds:02d}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Imported here so that --help answers before TensorFlow finishes loading data.
    from latent_core import evaluation, store
    from latent_core.data import load_dataset
    from latent_core.training import TrainingDivergedError, TrainingObserver, train

    class ProgressBar(TrainingObserver):
        def on_batch(self, progress):
            print("\r" + format_progress(progress), end="", file=sys.stderr, flush=True)

        def on_epoch(self, report):
            losses = ", ".join(f"{name} {value:.4g}" for name, value in report.logs.items())
            print(f"\repoch {report.epoch}/{report.epochs}: {losses}".ljust(100), file=sys.stderr)

    dataset = load_dataset(args.dataset, max_train=args.max_train, max_test=args.max_test,
                           seed=args.seed)
    options = dict(args.option)
    if args.loss:
        options["loss"] = args.loss
    try:
        model = build_model(args.model, input_shape=dataset.x_train.shape[1:],
                            latent_dim=args.latent_dim, seed=args.seed, **options)
    except (TypeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.model} on {dataset.name} ({dataset.source}): {len(dataset.x_train)} training "
          f"examples, {model.count_params():,} parameters", file=sys.stderr)
    try:
        result = train(model, dataset, epochs=args.epochs, batch_size=args.batch_size,
                       learning_rate=args.learning_rate, seed=args.seed, observer=ProgressBar())
    except TrainingDivergedError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: nothing saved", file=sys.stderr)
        return 130

    scores = evaluation.measure(model, dataset)
    folder = store.save_bundle(model, args.out, dataset=dataset, training=result, metrics=scores,
                               overwrite=args.overwrite)
    summary = ", ".join(f"{name} {value:.4g}" for name, value in scores.items())
    print(f"saved {folder}" + (f" ({summary})" if summary else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
