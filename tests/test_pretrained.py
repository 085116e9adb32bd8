"""The shipped pretrained library: every bundle in pretrained/index.json loads, matches
its manifest, reproduces the sample MSE its manifest states, and has a usable latent
map; classifiers classify the bundled samples as well as their manifests say."""

import json
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from latent_core import pretrained, store
from latent_core.data import load_dataset

ENTRIES = pretrained.list_pretrained()
MAX_LIBRARY_BYTES = 40 * 2**20
MSE_TOLERANCE = 0.02  # relative: the same weights on another CPU give nearly the same numbers
MIN_SAMPLE_ACCURACY = {"fashion_mnist": 0.88, "mnist": 0.95}


def sample_of(dataset: str) -> tuple[np.ndarray, np.ndarray]:
    """What a map's sample indices point into: the bundled sample, else the test split."""
    bundled = pretrained.load_sample(dataset)
    if bundled is not None:
        return bundled
    data = load_dataset(dataset)
    return np.asarray(data.x_test), np.asarray(data.y_test)


def test_index_lists_the_library_within_its_size_limit():
    assert ENTRIES, "pretrained/index.json lists no bundles; build them with `make pretrained`"
    names = [entry.name for entry in ENTRIES]
    assert len(names) == len(set(names))
    size = sum(p.stat().st_size for p in pretrained.PRETRAINED_DIR.rglob("*") if p.is_file())
    assert size < MAX_LIBRARY_BYTES


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_bundle_loads_matches_its_manifest_and_reconstructs_its_sample(entry):
    bundle = pretrained.load_pretrained(entry.name)
    model, manifest = bundle.model, bundle.manifest
    assert (model.kind, model.latent_dim) == (entry.kind, entry.latent_dim)
    assert manifest["metrics"] == entry.metrics
    assert manifest["dataset"]["name"] == entry.dataset
    images, labels = sample_of(entry.dataset)
    assert tuple(model.input_shape) == images.shape[1:]

    if not model.has_encoder:
        samples = model.sample(4, seed=0)
        assert samples.shape == (4, *model.input_shape)
        assert samples.min() >= 0.0 and samples.max() <= 1.0
        np.testing.assert_array_equal(samples, model.sample(4, seed=0))
        assert pretrained.load_latent_map(entry.name) is None
        return

    if not model.has_latent:  # a U-Net denoiser: images in, images out, no code to map
        mse = float(np.mean(np.square(model.reconstruct(images) - images)))
        assert mse == pytest.approx(entry.metrics["sample_mse"], rel=MSE_TOLERANCE)
        assert pretrained.load_latent_map(entry.name) is None
        return

    codes = model.encode(images)
    mse = float(np.mean(np.square(model.decode(codes) - images)))
    assert mse == pytest.approx(entry.metrics["sample_mse"], rel=MSE_TOLERANCE)

    latent_map = pretrained.load_latent_map(entry.name)
    if entry.is_anomaly_detector:
        assert latent_map is None
        return
    n = len(latent_map.codes)
    assert {"tsne", "pca"} <= set(latent_map.coordinates)
    for coordinates in latent_map.coordinates.values():
        assert coordinates.shape == (n, 2) and np.all(np.isfinite(coordinates))
    np.testing.assert_array_equal(latent_map.labels, labels[latent_map.sample_indices])
    np.testing.assert_allclose(latent_map.codes, codes[latent_map.sample_indices],
                               rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("dataset", ["fashion_mnist", "mnist"])
def test_classifier_names_the_bundled_sample_as_its_manifest_says(dataset):
    record = pretrained.classifier_entry(dataset)
    if record is None:
        pytest.skip(f"no {dataset} classifier in the library")
    classifier = pretrained.load_classifier(dataset)
    images, labels = sample_of(dataset)
    probabilities = classifier.predict_proba(images[:5])
    assert probabilities.shape == (5, len(classifier.class_names)) == (5, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    accuracy = classifier.accuracy(images, labels)
    assert accuracy == pytest.approx(record["metrics"]["sample_accuracy"], abs=0.005)
    assert accuracy >= MIN_SAMPLE_ACCURACY[dataset]


def test_classifier_refuses_images_of_the_wrong_shape():
    classifier = pretrained.load_classifier("fashion_mnist")
    if classifier is None:
        pytest.skip("no fashion_mnist classifier in the library")
    with pytest.raises(ValueError, match="expects images of shape"):
        classifier.predict_proba(np.zeros((2, 8, 8, 1), dtype=np.float32))


def test_anomaly_models_are_keyed_by_their_normal_class(tmp_path):
    records = [{"name": name, "dataset": dataset, "kind": "conv_ae", "latent_dim": 16, "path": f"models/{name}",
                **({} if normal_class is None else {"normal_class": normal_class})}
               for name, dataset, normal_class in [("mnist_ae", "mnist", None), ("mnist_anomaly_7", "mnist", 7),
                                                   ("fashion_anomaly_7", "fashion_mnist", 7),
                                                   ("mnist_anomaly_3", "mnist", 3)]]
    (tmp_path / pretrained.INDEX_FILENAME).write_text(json.dumps({"bundles": records}), encoding="utf-8")
    detectors = pretrained.anomaly_models("mnist", root=tmp_path)
    assert {label: entry.name for label, entry in detectors.items()} == {7: "mnist_anomaly_7", 3: "mnist_anomaly_3"}


@pytest.mark.parametrize("dataset", ["fashion_mnist", "mnist"])
def test_each_shipped_detector_was_trained_on_the_class_it_is_listed_under(dataset):
    detectors = pretrained.anomaly_models(dataset)
    assert sorted(detectors) == list(range(10))
    for label, entry in detectors.items():
        manifest_path = pretrained.PRETRAINED_DIR / entry.path / store.MANIFEST_FILENAME
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        assert manifest["dataset"]["name"] == dataset, entry.name
        assert manifest["dataset"]["normal_class"] == label, entry.name
        assert 0.5 < entry.metrics["auroc"] <= 1.0, entry.name

def test_two_dimensional_latents_also_keep_their_raw_axes():
    two_dimensional = [e for e in ENTRIES if e.latent_dim == 2 and e.latent_map]
    assert two_dimensional
    latent_map = pretrained.load_latent_map(two_dimensional[0].name)
    # the codes are shipped as float16, the map's coordinates as float32: equal up to float16's rounding
    np.testing.assert_allclose(latent_map.codes, latent_map.coordinates["identity"], rtol=2 ** -11, atol=1e-7)
    assert latent_map.projection("identity").coordinates.shape == (len(latent_map.codes), 2)


def test_unknown_names_and_missing_index_are_reported(tmp_path):
    with pytest.raises(pretrained.PretrainedError, match="no pretrained model called"):
        pretrained.load_pretrained("no_such_model")
    assert pretrained.list_pretrained(root=tmp_path) == []
    assert pretrained.load_classifier("fashion_mnist", root=tmp_path) is None


def test_index_paths_cannot_leave_the_library(tmp_path: Path):
    entry = ENTRIES[0]
    record = {"name": entry.name, "dataset": entry.dataset, "kind": entry.kind,
              "latent_dim": entry.latent_dim, "path": "../outside", "metrics": {}}
    (tmp_path / "index.json").write_text(json.dumps({"bundles": [record]}))
    with pytest.raises(pretrained.PretrainedError, match="outside"):
        pretrained.load_pretrained(entry.name, root=tmp_path)


def test_an_edited_latent_map_is_refused(tmp_path: Path):
    entry = next(e for e in ENTRIES if e.latent_map)
    shutil.copytree(pretrained.PRETRAINED_DIR / entry.path, tmp_path / entry.path)
    with np.load(pretrained.PRETRAINED_DIR / entry.latent_map, allow_pickle=False) as arrays:
        content = {key: arrays[key] for key in arrays.files}
    content["coordinates_pca"] = content["coordinates_pca"][:-1]
    np.savez(tmp_path / entry.latent_map, **content)
    index = {"bundles": [asdict(entry)]}
    (tmp_path / "index.json").write_text(json.dumps(index))
    with pytest.raises(pretrained.PretrainedError, match="pca coordinates"):
        pretrained.load_latent_map(entry.name, root=tmp_path)


def test_an_index_written_from_bundles_on_disk_reads_back_in_library_order(tmp_path: Path):
    from latent_core.models import build_model
    from latent_core.store import save_bundle

    digits = load_dataset("digits", max_train=50, max_test=10)
    for name, normal_class in (("b_detector", 3), ("a_model", None)):
        folder = save_bundle(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=2, seed=0),
                             tmp_path / pretrained.MODELS_DIR / name, dataset=digits, metrics={"test_mse": 0.25})
        manifest_path = folder / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest.update(pretrained.library_record(name, f"title of {name}", normal_class=normal_class,
                                                  has_latent_map=normal_class is None, spec={"epochs": 1}))
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / pretrained.MODELS_DIR / "not_in_library").mkdir()
    written = pretrained.write_index(tmp_path, order=["b_detector", "a_model"])
    assert json.loads((tmp_path / pretrained.INDEX_FILENAME).read_text(encoding="utf-8")) == written
    entries = pretrained.list_pretrained(root=tmp_path)
    assert [entry.name for entry in entries] == ["b_detector", "a_model"]
    detector, model = entries
    assert detector.normal_class == 3 and detector.latent_map is None
    assert model.normal_class is None and model.latent_map == f"{pretrained.MODELS_DIR}/a_model/latent_map.npz"
    assert model.metrics == {"test_mse": 0.25} and model.title == "title of a_model"
    assert (model.dataset, model.kind, model.latent_dim) == ("digits", "dense_ae", 2)
    assert model.trained_on == digits.source
    assert pretrained.load_pretrained("a_model", root=tmp_path).model.latent_dim == 2
    assert list(pretrained.anomaly_models("digits", root=tmp_path)) == [3]
