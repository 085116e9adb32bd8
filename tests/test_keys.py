"""Cache keys change with what a result depends on: a model's saved files, a dataset's contents."""

import dataclasses
import gc
import os
import time

import numpy as np

from latent_core import keys, pretrained
from latent_core.classifier import Classifier, build_classifier_network, save_classifier
from latent_core.data import Dataset, load_dataset
from latent_core.models import build_model
from latent_core.workspace import Workspace


def points(seed: int, name: str = "upload") -> Dataset:
    rng = np.random.default_rng(seed)
    return Dataset(name=name, x_train=rng.random((20, 4, 4, 1), dtype=np.float32), y_train=np.zeros(20, np.int64),
                   x_test=rng.random((5, 4, 4, 1), dtype=np.float32), y_test=np.zeros(5, np.int64), source="test")


def test_a_bundle_saved_again_under_its_id_gets_a_new_version_within_the_same_second(tmp_path):
    workspace = Workspace(tmp_path)
    first = workspace.save(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=2, seed=0), name="m")
    before = keys.bundle_version(first.path)
    assert keys.bundle_version(first.path) == before  # reading it again changes nothing
    again = workspace.save(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=3, seed=1), name="m",
                           entry_id=first.id)
    assert again.path == first.path
    assert keys.bundle_version(again.path) != before


def test_a_model_key_names_the_choice_and_its_version():
    assert keys.model_key("workspace:abc", "v1") != keys.model_key("workspace:abc", "v2")
    assert keys.model_key("workspace:abc", "v1").startswith("workspace:abc")


def test_datasets_with_the_same_name_and_shape_but_other_pictures_get_other_keys():
    first, second = points(0), points(1)
    assert first.x_train.shape == second.x_train.shape and first.name == second.name
    assert keys.dataset_key(first) != keys.dataset_key(second)
    assert keys.dataset_key(first) == keys.dataset_key(dataclasses.replace(points(0), name="renamed"))


def test_labels_are_part_of_a_dataset_key():
    relabelled = dataclasses.replace(points(0), y_train=np.ones(20, np.int64))
    assert keys.dataset_key(relabelled) != keys.dataset_key(points(0))


def test_a_dataset_is_hashed_once_while_it_lives(monkeypatch):
    dataset = points(2)
    calls = []
    real = keys.array_digest
    monkeypatch.setattr(keys, "array_digest", lambda *arrays: calls.append(1) or real(*arrays))
    assert keys.dataset_key(dataset) == keys.dataset_key(dataset)
    assert calls == [1]
    address = id(dataset)
    del dataset
    gc.collect()
    assert address not in keys._dataset_keys  # forgotten with the dataset, so a new one at that address is hashed


def test_hashing_a_full_28x28_dataset_takes_well_under_a_second():
    rng = np.random.default_rng(0)
    dataset = Dataset(name="fashion_mnist", x_train=rng.random((60_000, 28, 28, 1), dtype=np.float32),
                      y_train=rng.integers(0, 10, 60_000), x_test=rng.random((10_000, 28, 28, 1), dtype=np.float32),
                      y_test=rng.integers(0, 10, 10_000), source="random, Fashion-MNIST's size")
    start = time.perf_counter()
    keys.dataset_key(dataset)
    assert time.perf_counter() - start < 1.0


def test_the_bundled_digits_load_to_the_same_key_each_time():
    assert keys.dataset_key(load_dataset("digits")) == keys.dataset_key(load_dataset("digits"))


def save_small_classifier(folder, seed: int):
    network = build_classifier_network((8, 8, 1), 2, seed=seed)
    save_classifier(Classifier(network, ("a", "b")), folder, manifest={})


def test_a_replaced_classifier_file_is_reloaded(tmp_path, monkeypatch):
    from ui import models

    monkeypatch.setattr(pretrained, "classifier_folder", lambda dataset, **_: tmp_path)
    save_small_classifier(tmp_path, seed=0)
    first = models.load_classifier("digits")
    assert models.load_classifier("digits") is first  # loaded once while its files stay the same
    save_small_classifier(tmp_path, seed=1)
    again = models.load_classifier("digits")
    assert again is not first
    assert not np.allclose(again.network.get_weights()[0], first.network.get_weights()[0])


def test_a_file_digest_follows_its_bytes_not_where_or_when_it_was_written(tmp_path):
    first, copy, other = tmp_path / "a.keras", tmp_path / "b.keras", tmp_path / "c.keras"
    first.write_bytes(b"weights" * 1000)
    copy.write_bytes(b"weights" * 1000)
    os.utime(copy, ns=(1, 1))  # another modification time, as a fresh clone gives it
    other.write_bytes(b"weights" * 999 + b"weightz")
    assert keys.file_digest(first) == keys.file_digest(copy)
    assert keys.file_digest(first) != keys.file_digest(other)
