"""The pretrained library's benchmark report, ``benchmarks/results/pretrained.md``, from
``pretrained/index.json`` (and the manifests it points to, for training times).

Every figure comes from the index, that is from ``latent_core.evaluation.measure`` when
the builder measured each model on its full test set; the one baseline, PCA at the same
latent size (``pca_test_mse``), is computed from the same data by the same function.
The targets below are the library's own quality goals, not measured figures.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from latent_core import pretrained
from latent_core.data import FASHION_MNIST_CLASSES_EN
from latent_core.evaluation import (
    DENOISING_KINDS,
    DENOISING_STRENGTHS,
    GAN_CLASS_PRESENT,
    GAN_SAMPLES,
    JUDGE_PREFIX,
    LOW_ENTROPY_RATIO,
    RARE_CLASS_SHARE,
    ClassCoverage,
    coverage_of_shares,
)
from latent_core.manifold import FRESH_ROLL_POINTS
from latent_core.models import kind_has_latent
from latent_core.store import MANIFEST_FILENAME

REPORT_PATH = Path(__file__).resolve().parent / "results" / "pretrained.md"

MSE_TARGETS = {"fashion_mnist_conv_ae_32": 0.0070, "fashion_mnist_dense_ae_64": 0.0080}
DENOISING_TARGET_DB = 24.0  # mean per-image PSNR at σ = DENOISING_TARGET_STRENGTH on the full test set
DENOISING_TARGET_STRENGTH = 0.2
UNET_DENOISER_KIND = "unet_denoiser"  # where a dataset has one, it carries the denoising target
AUROC_AIM = 0.92
ROLL_ORDER_TARGET = 0.9  # |Spearman ρ| of one code axis with the roll position, on fresh points
ACCURACY_TARGETS = {"fashion_mnist": 0.90, "mnist": 0.97}
REFERENCE_PCA = ("fashion_mnist", 64)  # the PCA size every Fashion-MNIST model is held against


def _fmt(value, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def reference_pca_mse(bundles: list[dict], dataset: str = REFERENCE_PCA[0],
                      components: int = REFERENCE_PCA[1]) -> float | None:
    """PCA's test MSE with ``components`` on ``dataset``, as measured beside a model of that
    latent size (every such model carries the same figure); None when none is built."""
    return next((entry["metrics"]["pca_test_mse"] for entry in bundles
                 if entry["dataset"] == dataset and entry["latent_dim"] == components
                 and "pca_test_mse" in entry["metrics"]), None)


def denoising_target_row(entry: dict) -> tuple[str, str, str]:
    """A denoiser's line of the targets: its mean per-image PSNR at σ = 0.2 against
    ``DENOISING_TARGET_DB``, with the PSNR of the mean MSE beside it. A manifest measured before
    the per-image figure existed is met only when the mean-MSE figure already reaches the target
    (the mean of per-image PSNRs is never below it), and otherwise says it was not measured."""
    m, at = entry["metrics"], f"{DENOISING_TARGET_STRENGTH:.1f}"
    per_image, of_mean = m.get(f"mean_psnr_denoised_{at}"), m[f"psnr_denoised_{at}"]
    target = (f"{entry['name']} at σ={at}: mean per-image PSNR ≥ {DENOISING_TARGET_DB:.1f} dB "
              "(PSNR of the mean MSE beside it)")
    # two decimals: 23.99 dB must not read as the 24.0 it misses
    measured = (f"{'–' if per_image is None else f'{per_image:.2f} dB'} per image, "
                f"{of_mean:.2f} dB of the mean MSE")
    if per_image is None and of_mean < DENOISING_TARGET_DB:
        return target, measured, "per-image PSNR not measured"
    return target, measured, _verdict(max(of_mean, per_image or of_mean) >= DENOISING_TARGET_DB)


def contrast_denoiser_row(entry: dict, unet: dict) -> tuple[str, str, str]:
    """The dense-bottleneck denoiser's line where a U-Net of its dataset carries the target: the
    Denoise page shows it beside the U-Net to teach what skip connections add, so its figures are
    listed with its clean-input ceiling (the PSNR of its test MSE on clean images), which shows that
    the bottleneck, not the noise, limits it."""
    m, at = entry["metrics"], f"{DENOISING_TARGET_STRENGTH:.1f}"
    per_image = m.get(f"mean_psnr_denoised_{at}")
    measured = (f"{'–' if per_image is None else f'{per_image:.2f} dB'} per image, "
                f"{m[f'psnr_denoised_{at}']:.2f} dB of the mean MSE")
    if m.get("test_mse"):
        measured += f"; on clean inputs {10 * np.log10(1 / m['test_mse']):.2f} dB of the mean MSE"
    return (f"{entry['name']} at σ={at} (dense bottleneck, shown beside {unet['name']} on the Denoise page; "
            "the U-Net carries the target)", measured, "contrast, no target")


def _judged_coverage(metrics: dict) -> ClassCoverage | None:
    """The GAN's class coverage as the held-out judge counted it, if it was measured."""
    shares = [metrics.get(f"{JUDGE_PREFIX}gan_class_share_{c}") for c in range(10)]
    if any(share is None for share in shares):
        return None
    return coverage_of_shares(shares)


def _targets_section(bundles: list[dict], classifiers: list[dict], judges: list[dict]) -> list[str]:
    """One line per quality target of the library: the measured figure and whether it is met."""
    by_name = {entry["name"]: entry for entry in bundles}
    rows = []
    for name, target in MSE_TARGETS.items():
        if name in by_name:
            mse = by_name[name]["metrics"]["test_mse"]
            rows.append((f"{name} test MSE ≤ {target}", f"{mse:.4f}", _verdict(mse <= target)))
    for dataset in ("fashion_mnist", "mnist"):
        denoisers = {kind: by_name[f"{dataset}_{kind}"] for kind in DENOISING_KINDS
                     if f"psnr_denoised_{DENOISING_TARGET_STRENGTH:.1f}" in by_name.get(f"{dataset}_{kind}",
                                                                                    {"metrics": {}})["metrics"]}
        unet = denoisers.get(UNET_DENOISER_KIND)
        for kind, denoiser in denoisers.items():
            rows.append(denoising_target_row(denoiser) if unet is None or kind == UNET_DENOISER_KIND
                        else contrast_denoiser_row(denoiser, unet))
        detectors = [e for e in bundles if e.get("normal_class") is not None and e["dataset"] == dataset]
        if detectors:
            mean = float(np.mean([e["metrics"]["auroc"] for e in detectors]))
            measured = f"{mean:.3f}"
            combined = [e["metrics"].get("auroc_combined") for e in detectors]
            if None not in combined:  # the score shown beside the MSE; the aim is on the MSE
                measured += f"; with the code's distance beside the error {np.mean(combined):.3f}"
            rows.append((f"{dataset} anomaly AUROC with the reconstruction MSE as the score, mean over "
                         f"{len(detectors)} normal classes (aim ≥ {AUROC_AIM})", measured,
                         _verdict(mean >= AUROC_AIM)))
        for suffix in ("vae_16", "conv_ae_32"):
            entry = by_name.get(f"{dataset}_{suffix}")
            if entry and "class_mean_decode_accuracy" in entry["metrics"]:
                m = entry["metrics"]
                judged = m.get(f"{JUDGE_PREFIX}class_mean_decode_accuracy")
                measured = f"{m['class_mean_decode_accuracy'] * 10:.0f} of 10 (app's classifier)"
                measured += ", no held-out judge built" if judged is None else f", {judged * 10:.0f} of 10 (held-out judge)"
                typical = m.get(f"{JUDGE_PREFIX}class_mean_at_typical_distance_decode_accuracy")
                if typical is not None:  # the Generate page's other average, beside the target's plain one
                    measured += f"; at the class's typical distance {typical * 10:.0f} of 10 (held-out judge)"
                rows.append((f"{dataset}_{suffix}: each class's decoded mean latent classified as that class, "
                             "by the held-out judge", measured, _verdict(judged == 1.0)))
        gan = by_name.get(f"{dataset}_dcgan")
        if gan and "gan_classes_covered" in gan["metrics"]:
            coverage = _judged_coverage(gan["metrics"])
            measured = "no judge built" if coverage is None else (
                f"smallest class {coverage.shares.min():.1%}, entropy {coverage.entropy:.2f} nats")
            rows.append((f"{dataset}_dcgan: {GAN_SAMPLES:,} samples cover every class by the held-out judge "
                         f"(each ≥ {RARE_CLASS_SHARE / 10:.0%}, entropy ≥ {LOW_ENTROPY_RATIO * np.log(10):.2f} nats)",
                         measured, _verdict(coverage is not None and not coverage.collapsed)))
    for entry in bundles:
        if "fresh_roll_order" in entry["metrics"]:
            order = entry["metrics"]["fresh_roll_order"]
            rows.append((f"{entry['name']}: one code axis follows the roll on {FRESH_ROLL_POINTS:,} fresh points "
                         f"(absolute Spearman ρ with the roll position ≥ {ROLL_ORDER_TARGET})", f"{order:.3f}",
                         _verdict(order >= ROLL_ORDER_TARGET)))
    for entry, role in [*((entry, "classifier") for entry in classifiers), *((entry, "held-out judge")
                                                                          for entry in judges)]:
        goal = ACCURACY_TARGETS.get(entry["dataset"])
        if goal is not None:
            accuracy = entry["metrics"]["test_accuracy"]
            rows.append((f"{entry['dataset']} {role} test accuracy ≥ {goal:.0%}",
                         f"{accuracy:.2%}", _verdict(accuracy >= goal)))
    return (["## Targets", "", "| target | measured | |", "|---|---|---|"]
            + [f"| {target} | {measured} | {verdict} |" for target, measured, verdict in rows]
            + _class_average_lines(classifiers, judges))


CLASS_NAMES = {"fashion_mnist": FASHION_MNIST_CLASSES_EN}  # other datasets' classes are their numbers


def _class_average_verdicts(metrics: dict) -> dict[int, int]:
    """``{class: the class its average test image was called}`` from a classifier's metrics (empty: not measured)."""
    prefix, suffix = "class_average_", "_classified_as"
    return {int(name[len(prefix):-len(suffix)]): int(value) for name, value in metrics.items()
            if name.startswith(prefix) and name.endswith(suffix)}


def _class_average_lines(classifiers: list[dict], judges: list[dict]) -> list[str]:
    """For scale beside the class-mean targets: what the classifier and the judge call each class's
    average test image (no model), where both measured it."""
    lines = []
    for classifier in classifiers:
        dataset = classifier["dataset"]
        judge = next((j for j in judges if j["dataset"] == dataset), None)
        ours, judged = (_class_average_verdicts(entry["metrics"]) if entry else {} for entry in (classifier, judge))
        if not ours or not judged:
            continue
        names = CLASS_NAMES.get(dataset)
        name = (lambda c: names[c]) if names else str
        right = {role: sum(c == called for c, called in verdicts.items())
                 for role, verdicts in (("classifier", ours), ("judge", judged))}
        missed = [f"{name(c)} as {name(called)}" for c, called in sorted(judged.items()) if called != c]
        lines.append(f"- {dataset}: {right['classifier']} of {len(ours)} by the app's classifier, "
                     f"{right['judge']} of {len(judged)} by the held-out judge"
                     + (f" (missed: {', '.join(missed)})" if missed else ""))
    if not lines:
        return []
    return ["", "For scale beside the class means: each class's average test image (its pixel means, no model) is "
                "named right:", "", *lines]


def _versus_reference(entry: dict, reference: float | None) -> str:
    """How a Fashion-MNIST model's test MSE compares with PCA at the reference size."""
    if entry["dataset"] != REFERENCE_PCA[0] or reference is None or not kind_has_latent(entry["kind"]):
        return "–"  # a model without a code compresses nothing to hold against PCA
    return f"{'<' if entry['metrics']['test_mse'] < reference else '≥'} {reference:.4f}"


def _training_seconds(root: Path, entry: dict) -> float:
    manifest = json.loads((root / entry["path"] / MANIFEST_FILENAME).read_text(encoding="utf-8"))
    return float((manifest.get("training") or {}).get("seconds", 0.0))


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def report_markdown(content: dict, *, root: Path = pretrained.PRETRAINED_DIR,
                    expected: Sequence[str] = ()) -> str:
    """The report of index ``content``: targets, each model against PCA at its size and at
    the reference size, the denoising curve, anomaly AUROC per class, GAN class coverage;
    ``expected`` names the bundles the builder knows, so missing ones are listed."""
    bundles, classifiers, judges = content["bundles"], content["classifiers"], content.get("judges", [])
    reference = reference_pca_mse(bundles)
    dataset, components = REFERENCE_PCA
    reference_text = ([] if reference is None else
                      [f"PCA with {components} components, fitted on {dataset}'s training split, reaches test MSE "
                       f"{reference:.4f}."])
    lines = [
        "# Pretrained library: benchmark",
        "",
        "Written by `scripts/build_pretrained.py` (`benchmarks/pretrained_report.py`) from",
        "`pretrained/index.json`; every figure was measured by `latent_core.evaluation.measure` on the",
        "full test set of the data the model was trained on (see the last section). The baseline is",
        "PCA at the same latent size, computed from the same data. A tutorial model is trained and",
        "measured by `benchmarks/bench_quality.py` (BENCHMARKS.md, quality summary), not here.",
        "Training times are seconds on a shared 2-core CPU.",
        "",
        *reference_text,
        "",
        *_targets_section(bundles, classifiers, judges),
        "",
        f"## Reconstruction: test MSE vs PCA at the same latent size and PCA-{components}",
        "",
        f"| model | kind | latent | test MSE | PCA MSE (same size) | vs PCA-{components} | "
        "class means decoded right (classifier / judge) | train s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in bundles:
        m = entry["metrics"]
        if "normal_class" in entry or "test_mse" not in m:
            continue
        decoded = " / ".join("–" if m.get(name) is None else f"{m[name]:.0%}" for name in (
            "class_mean_decode_accuracy", f"{JUDGE_PREFIX}class_mean_decode_accuracy"))
        lines.append(
            f"| {entry['name']} | {entry['kind']} | {entry['latent_dim'] if kind_has_latent(entry['kind']) else 'no code'} | "
            f"{_fmt(m['test_mse'])} | "
            f"{_fmt(m.get('pca_test_mse'))} | {_versus_reference(entry, reference)} | "
            f"{decoded} | {_training_seconds(root, entry):.0f} |")
    denoisers = [e for e in bundles if e["kind"] in DENOISING_KINDS]
    if denoisers:
        lines += ["", "## Denoising: PSNR (dB) over Gaussian noise strength σ (clipped to [0, 1])", "",
                  "Two definitions: the PSNR of the mean squared error over the test set, and the mean of the "
                  "per-image PSNRs (never lower; a model measured before it existed shows –).", "",
                  "| model | PSNR | " + " | ".join(f"σ={s:.1f} noisy → denoised" for s in DENOISING_STRENGTHS)
                  + " |", "|---|---|" + "---|" * len(DENOISING_STRENGTHS)]
        for entry in denoisers:
            m = entry["metrics"]
            for label, prefix in (("of the mean MSE", ""), ("mean per image", "mean_")):
                if prefix and f"{prefix}psnr_denoised_0.1" not in m and f"{prefix}psnr_denoised_0.2" not in m:
                    lines.append(f"| {entry['name']} | {label} | " + " | ".join("–" for _ in DENOISING_STRENGTHS) + " |")
                    continue
                lines.append(f"| {entry['name']} | {label} | " + " | ".join(
                    f"{_fmt(m.get(f'{prefix}psnr_noisy_{s:.1f}'), 1)} → {_fmt(m.get(f'{prefix}psnr_denoised_{s:.1f}'), 1)}"
                    for s in DENOISING_STRENGTHS) + " |")
    for dataset in ("fashion_mnist", "mnist"):
        detectors = sorted((e for e in bundles if e.get("normal_class") is not None
                            and e["dataset"] == dataset), key=lambda e: e["normal_class"])
        if not detectors:
            continue
        aurocs = [e["metrics"]["auroc"] for e in detectors]
        lines += ["", f"## Anomaly detection on {dataset}: one normal class vs the rest (AUROC)", "",
                  "| normal class | " + " | ".join(str(e["normal_class"]) for e in detectors)
                  + " | mean |", "|---|" + "---|" * (len(detectors) + 1),
                  "| AUROC, reconstruction MSE | " + " | ".join(f"{a:.3f}" for a in aurocs)
                  + f" | **{np.mean(aurocs):.3f}** |"]
        combined = [e["metrics"].get("auroc_combined") for e in detectors]
        if None not in combined:
            lines.append("| AUROC, MSE with the code's distance | " + " | ".join(f"{a:.3f}" for a in combined)
                         + f" | **{np.mean(combined):.3f}** |")
        about = "The first score is each image's reconstruction MSE"
        if None not in combined:
            about += ("; the second adds how far the image's code lies from the normal class's training codes "
                      "(`latent_core.anomaly.CombinedScorer`: both on a log scale, in units of their spread over "
                      "normal training images, summed), the Anomaly page's other score")
        about += "."
        if dataset == "fashion_mnist":
            about += " The configurations tried for these detectors are in [anomaly_configs.md](anomaly_configs.md)."
        lines += ["", about]
    gans = [e for e in bundles if e["kind"] == "dcgan" and "gan_classes_covered" in e["metrics"]]
    if gans:
        lines += ["", f"## GAN: classes of {GAN_SAMPLES:,} samples, as the classifier and the held-out judge see them",
                  "", "| model | judge | " + " | ".join(str(c) for c in range(10))
                  + f" | classes ≥ {GAN_CLASS_PRESENT:.0%} | entropy (nats) | mean confidence |",
                  "|---|---|" + "---|" * 13]
        for entry in gans:
            for judge, prefix in (("classifier", ""), ("held-out judge", JUDGE_PREFIX)):
                m = {name.removeprefix(prefix): value for name, value in entry["metrics"].items()
                     if name.startswith(prefix) and (prefix or not name.startswith(JUDGE_PREFIX))}
                if "gan_classes_covered" not in m:
                    continue
                lines.append(f"| {entry['name']} | {judge} | " + " | ".join(
                    f"{m[f'gan_class_share_{c}']:.0%}" for c in range(10))
                    + f" | {m['gan_classes_covered']:.0f} | {_fmt(m.get('gan_class_entropy'), 2)} | "
                    f"{m['gan_mean_confidence']:.2f} |")
    lines += ["", "## Data each model was trained on", ""]
    for source in sorted({e["trained_on"] for e in bundles + classifiers + judges}):
        lines.append(f"- {source}")
    built = {entry["name"] for entry in bundles + classifiers + judges}
    missing = [name for name in expected if name not in built]
    if missing:
        lines += ["", "## Not built", "", "In the builder's registry but not in the library: "
                  + ", ".join(missing) + "."]
    total = _folder_bytes(root) if root.exists() else 0
    lines += ["", f"Library size: {total / 2**20:.1f} MiB.", ""]
    return "\n".join(lines)


def write_report(content: dict, *, root: Path = pretrained.PRETRAINED_DIR, expected: Sequence[str] = (),
                 path: Path = REPORT_PATH) -> Path:
    """Write the report of index ``content`` to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report_markdown(content, root=root, expected=expected), encoding="utf-8")
    return path
