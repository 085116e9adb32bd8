"""The pretrained library in ``pretrained/``: ready models, classifiers and latent maps.

``pretrained/index.json`` lists every model bundle (``name``, ``dataset``, ``kind``,
``latent_dim``, ``path`` relative to ``pretrained/``, ``metrics`` and a ``title``;
anomaly detectors add ``normal_class``) and one classifier per image dataset. Models
load through ``latent_core.store`` (rebuilt from checked options, manifest checked), classifiers with
Keras safe mode, NumPy files with ``allow_pickle=False``. Nothing here trains: the
library is built by ``scripts/build_pretrained.py`` (``make pretrained``), which marks
each bundle's manifest with :func:`library_record` and calls :func:`write_index`, so the
index is written and read by this one module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from latent_core import keys, store
from latent_core.classifier import MANIFEST_FILENAME as CLASSIFIER_MANIFEST_FILENAME
from latent_core.classifier import Classifier, load_classifier_folder

PRETRAINED_DIR = Path(__file__).resolve().parent.parent / "pretrained"
INDEX_FILENAME = "index.json"
INDEX_FORMAT = 1
MODELS_DIR = "models"
CLASSIFIERS_DIR = "classifiers"
JUDGES_DIR = "judges"  # held-out classifiers that only the library's evaluation uses, never a page
SAMPLES_DIR = "samples"
LATENT_MAP_FILENAME = "latent_map.npz"
EMBEDDINGS_DIR = "embeddings"  # a dataset's precomputed 2-D embeddings (the Manifold lab's first view)
LIBRARY_KEY = "pretrained"  # the manifest block that makes a bundle part of the library


class PretrainedError(LookupError):
    """A name is not in the library, or the library's files do not fit together."""


@dataclass(frozen=True)
class PretrainedEntry:
    """One model bundle as ``index.json`` describes it."""

    name: str
    dataset: str
    kind: str
    latent_dim: int
    path: str
    metrics: dict = field(default_factory=dict)
    title: str = ""
    trained_on: str = ""
    latent_map: str | None = None
    normal_class: int | None = None

    @property
    def is_anomaly_detector(self) -> bool:
        """True for the per-class models of the anomaly page (trained on one class)."""
        return self.normal_class is not None


@dataclass(frozen=True, eq=False)
class LatentMap:
    """A model's latent codes of a dataset sample and their precomputed 2-D maps.

    ``sample_indices[i]`` is the row of the sample (``load_sample(dataset)``) that
    ``codes[i]``, ``labels[i]`` and every ``coordinates[method][i]`` belong to.
    ``coordinates`` has ``"tsne"`` and ``"pca"`` (and ``"identity"`` for 2-D latents).
    Arrays are read-only.
    """

    codes: np.ndarray
    labels: np.ndarray
    sample_indices: np.ndarray
    coordinates: dict[str, np.ndarray]
    sample: str = ""

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.coordinates)

    def projection(self, method: str):
        """The map as a ``latent_core.projection.Projection`` (``place`` works on it)."""
        from latent_core.projection import Projection

        if method not in self.coordinates:
            raise KeyError(f"this map has no {method!r} layout; it has {', '.join(self.coordinates)}.")
        return Projection(method=method, coordinates=self.coordinates[method],
                          indices=np.arange(len(self.codes)), codes=self.codes)


def read_index(root: Path = PRETRAINED_DIR) -> dict:
    """What ``index.json`` holds (empty lists when there is none), as :func:`write_index` wrote it."""
    path = root / INDEX_FILENAME
    if not path.is_file():
        return {"bundles": [], "classifiers": []}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PretrainedError(f"{path} is not valid JSON ({error}); rebuild it with "
                              "`python scripts/build_pretrained.py --index-only`.") from None
    if not isinstance(content, dict):
        raise PretrainedError(f"{path} must hold a JSON object.")
    return content


def _inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing paths that leave the library folder."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise PretrainedError(f"{INDEX_FILENAME} names a path outside {root}: {relative!r}.")
    return path


def _entry(record: dict) -> PretrainedEntry:
    return PretrainedEntry(
        name=str(record["name"]), dataset=str(record["dataset"]), kind=str(record["kind"]),
        latent_dim=int(record["latent_dim"]), path=str(record["path"]),
        metrics=dict(record.get("metrics") or {}), title=str(record.get("title", "")),
        trained_on=str(record.get("trained_on", "")), latent_map=record.get("latent_map"),
        normal_class=record.get("normal_class"))


def list_pretrained(dataset: str | None = None, *, root: Path = PRETRAINED_DIR) -> list[PretrainedEntry]:
    """Every bundle in the index (of ``dataset`` only, when given), in library order;
    an empty list when there is no index."""
    entries = [_entry(record) for record in read_index(root).get("bundles", [])]
    return [e for e in entries if dataset is None or e.dataset == dataset]


def get_entry(name: str, *, root: Path = PRETRAINED_DIR) -> PretrainedEntry:
    """The index entry called ``name``; ``PretrainedError`` lists the known names."""
    entries = list_pretrained(root=root)
    for entry in entries:
        if entry.name == name:
            return entry
    known = ", ".join(e.name for e in entries) or "none: build them with `make pretrained`"
    raise PretrainedError(f"no pretrained model called {name!r}; known models: {known}.")


def load_pretrained(name: str, *, root: Path = PRETRAINED_DIR) -> store.Bundle:
    """Load the bundle ``name`` (rebuilt from checked options, manifest checked by ``store``)."""
    entry = get_entry(name, root=root)
    return store.load_bundle(_inside(root, entry.path))


def model_digest(name: str, *, root: Path = PRETRAINED_DIR) -> str:
    """The content hash (``keys.file_digest``) of bundle ``name``'s saved model: what results shipped
    beside the library (the Manifold lab's autoencoder codes) name the model they were made with by."""
    return keys.file_digest(_inside(root, get_entry(name, root=root).path) / store.MODEL_FILENAME)


def load_latent_map(name: str, *, root: Path = PRETRAINED_DIR) -> LatentMap | None:
    """The precomputed latent map of bundle ``name``, or None when it has none (GANs,
    anomaly detectors)."""
    entry = get_entry(name, root=root)
    if not entry.latent_map:
        return None
    path = _inside(root, entry.latent_map)
    with np.load(path, allow_pickle=False) as arrays:
        methods = [str(m) for m in arrays["methods"]]
        coordinates = {m: np.array(arrays[f"coordinates_{m}"], dtype=np.float32) for m in methods}
        latent_map = LatentMap(codes=np.array(arrays["codes"], dtype=np.float32),
                               labels=np.array(arrays["labels"]),
                               sample_indices=np.array(arrays["sample_indices"], dtype=np.int64),
                               coordinates=coordinates, sample=str(arrays["sample"]))
    _check_map(latent_map, entry, path)
    return latent_map


def _check_map(latent_map: LatentMap, entry: PretrainedEntry, path: Path) -> None:
    n = len(latent_map.codes)
    problems = []
    if latent_map.codes.shape != (n, entry.latent_dim):
        problems.append(f"codes have shape {latent_map.codes.shape}, not (n, {entry.latent_dim})")
    for label, array in (("labels", latent_map.labels), ("sample_indices", latent_map.sample_indices)):
        if array.shape != (n,):
            problems.append(f"{label} have shape {array.shape}, not ({n},)")
    for method, coordinates in latent_map.coordinates.items():
        if coordinates.shape != (n, 2):
            problems.append(f"{method} coordinates have shape {coordinates.shape}, not ({n}, 2)")
    if problems:
        raise PretrainedError(f"{path} is inconsistent: {'; '.join(problems)}.")
    for array in (latent_map.codes, latent_map.labels, latent_map.sample_indices,
                  *latent_map.coordinates.values()):
        array.setflags(write=False)


def classifier_entry(dataset: str, *, root: Path = PRETRAINED_DIR) -> dict | None:
    """The index record of ``dataset``'s classifier (path, metrics), or None."""
    return next((record for record in read_index(root).get("classifiers", [])
                 if record.get("dataset") == dataset), None)


def classifier_folder(dataset: str, *, root: Path = PRETRAINED_DIR) -> Path | None:
    """The folder of ``dataset``'s classifier, or None if there is none."""
    record = classifier_entry(dataset, root=root)
    return None if record is None else _inside(root, record["path"])


def load_classifier(dataset: str, *, root: Path = PRETRAINED_DIR) -> Classifier | None:
    """The small CNN that names the class of ``dataset`` images, or None if there is none."""
    folder = classifier_folder(dataset, root=root)
    return None if folder is None else load_classifier_folder(folder)[0]


def anomaly_models(dataset: str, *, root: Path = PRETRAINED_DIR) -> dict[int, PretrainedEntry]:
    """The anomaly detectors of ``dataset`` by the normal class each was trained on."""
    return {e.normal_class: e for e in list_pretrained(dataset, root=root) if e.is_anomaly_detector}


def load_sample(dataset: str, *, root: Path = PRETRAINED_DIR) -> tuple[np.ndarray, np.ndarray] | None:
    """The bundled sample of ``dataset`` as float32 images in [0, 1] (n, h, w, 1) and
    labels: what latent-map ``sample_indices`` point into. None when none is bundled
    (``digits`` and ``swiss_roll`` maps use ``load_dataset(name).x_test`` instead)."""
    path = root / SAMPLES_DIR / f"{dataset}.npz"
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as arrays:
        images = arrays["x"].astype(np.float32)[..., np.newaxis] / 255.0
        return images, arrays["y"].astype(np.int64)


def embeddings_path(dataset: str, *, root: Path = PRETRAINED_DIR) -> Path:
    """Where ``dataset``'s precomputed embeddings are shipped."""
    return root / EMBEDDINGS_DIR / f"{dataset}.npz"


def load_embeddings(dataset: str, dataset_key: str, *, root: Path = PRETRAINED_DIR) -> dict[str, np.ndarray]:
    """The shipped 2-D embeddings of ``dataset`` by their settings' key (``manifold.embedding_key``), if
    they were computed from data of content ``dataset_key`` (``keys.dataset_key``); else none (no file,
    or the data here differ from the data they were made of). Arrays are read-only."""
    path = embeddings_path(dataset, root=root)
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as arrays:
        if str(arrays["dataset_key"]) != dataset_key:
            return {}
        found = {str(key): np.array(arrays[f"coordinates_{number}"], dtype=np.float32)
                 for number, key in enumerate(arrays["keys"])}
    for coordinates in found.values():
        if coordinates.ndim != 2 or coordinates.shape[1] != 2:
            raise PretrainedError(f"{path} holds coordinates of shape {coordinates.shape}, not (n, 2).")
        coordinates.setflags(write=False)
    return found


def write_embeddings(dataset: str, dataset_key: str, embeddings: dict[str, np.ndarray], *,
                     root: Path = PRETRAINED_DIR) -> Path:
    """Ship ``embeddings`` (settings' key -> (n, 2) coordinates) of ``dataset`` made from data of content
    ``dataset_key``, for :func:`load_embeddings`."""
    path = embeddings_path(dataset, root=root)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(embeddings)
    np.savez_compressed(path, dataset_key=np.asarray(dataset_key), keys=np.asarray(names),
                        **{f"coordinates_{number}": np.asarray(embeddings[name], dtype=np.float32)
                           for number, name in enumerate(names)})
    return path


# --------------------------------------------------------------------------- writing the index


def library_record(name: str, title: str, *, normal_class: int | None, has_latent_map: bool,
                   spec: dict) -> dict:
    """The block a library bundle's manifest carries under ``LIBRARY_KEY``: what the index
    lists beside the manifest's own kind, dataset and metrics."""
    return {LIBRARY_KEY: {"name": name, "title": title, "normal_class": normal_class,
                          "latent_map": LATENT_MAP_FILENAME if has_latent_map else None, "spec": spec}}


def _read_manifest(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def index_content(root: Path = PRETRAINED_DIR, *, order: Sequence[str] = ()) -> dict:
    """The index of every library bundle and classifier under ``root``, bundles sorted by
    their place in ``order`` (unknown names last, by name)."""
    place = {name: position for position, name in enumerate(order)}
    bundles = []
    for manifest_path in sorted((root / MODELS_DIR).glob(f"*/{store.MANIFEST_FILENAME}")):
        manifest = _read_manifest(manifest_path)
        info = manifest.get(LIBRARY_KEY)
        if info is None:
            continue  # not a library bundle
        folder = manifest_path.parent.relative_to(root).as_posix()
        entry = {"name": info["name"], "dataset": manifest["dataset"]["name"], "kind": manifest["kind"],
                 "latent_dim": manifest["latent_dim"], "path": folder, "metrics": manifest["metrics"],
                 "title": info["title"], "trained_on": manifest["dataset"]["source"],
                 "latent_map": f"{folder}/{info['latent_map']}" if info["latent_map"] else None}
        if info["normal_class"] is not None:
            entry["normal_class"] = info["normal_class"]
        bundles.append(entry)
    bundles.sort(key=lambda entry: place.get(entry["name"], len(place)))
    return {"format": INDEX_FORMAT, "bundles": bundles, "classifiers": _classifier_records(root, CLASSIFIERS_DIR),
            "judges": _classifier_records(root, JUDGES_DIR)}


def _classifier_records(root: Path, folder: str) -> list[dict]:
    records = []
    for manifest_path in sorted((root / folder).glob(f"*/{CLASSIFIER_MANIFEST_FILENAME}")):
        manifest = _read_manifest(manifest_path)
        records.append({"name": manifest["name"], "dataset": manifest["dataset"]["name"],
                        "path": manifest_path.parent.relative_to(root).as_posix(),
                        "metrics": manifest["metrics"], "title": manifest["title"],
                        "trained_on": manifest["dataset"]["source"]})
    return records


def write_index(root: Path = PRETRAINED_DIR, *, order: Sequence[str] = ()) -> dict:
    """Rewrite ``root/index.json`` from the manifests on disk and return what it holds."""
    content = index_content(root, order=order)
    (root / INDEX_FILENAME).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
    return content
