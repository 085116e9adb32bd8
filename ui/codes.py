"""Latent codes of a dataset sample for the Latent map and Generate pages, cached per model.

A pretrained model with a precomputed map brings its codes (of the bundled sample or the
test split); any other model encodes up to 5,000 images once per model version, dataset
content and split, shared by every session. Class means and directions are cached the
same way, so no slider move ever re-encodes or refits anything, and so is each map's trust
(its neighbour recall and trustworthiness, measured the first time it is asked for). Every key comes from
``latent_core.keys`` through ``ModelChoice.cache_key`` and ``keys.dataset_key``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from latent_core import data, keys, latent, maps, pretrained, projection, trust
from ui import models
from ui.shell import registered_dataset_name

MAX_ENCODED = 5000


@st.cache_resource(show_spinner=False, max_entries=12)
def precomputed_map(name: str, version: str) -> pretrained.LatentMap | None:
    """The pretrained model's precomputed latent map, or None; ``version`` reloads a rebuilt one."""
    return pretrained.load_latent_map(name)


def latent_map_of(choice: models.ModelChoice) -> pretrained.LatentMap | None:
    return precomputed_map(choice.name, choice.version) if choice.is_pretrained else None


@st.cache_resource(show_spinner=False, max_entries=12)
def _map_sample(model_key: str, dataset_key: str, _choice: models.ModelChoice,
                _dataset: data.Dataset) -> maps.CodeSample:
    return maps.sample_of_map(latent_map_of(_choice), bundled=pretrained.load_sample(_dataset.name),
                              x_test=_dataset.x_test)


@st.cache_resource(show_spinner=False, max_entries=12)
def _encoded_sample(model_key: str, dataset_key: str, split: str, _model, _dataset: data.Dataset) -> maps.CodeSample:
    inputs, labels = (_dataset.x_train, _dataset.y_train) if split == "train" else (_dataset.x_test, _dataset.y_test)
    return maps.encode_sample(_model.encode, inputs, labels, limit=MAX_ENCODED, seed=0,
                              source=f"{_dataset.name} {split}")


def sample_key(choice: models.ModelChoice, dataset: data.Dataset, *, split: str) -> str:
    """The cache key of :func:`code_sample`'s result, for caches of what is computed from it."""
    origin = "map" if latent_map_of(choice) is not None else split
    return f"{choice.cache_key}/{keys.dataset_key(dataset)}/{origin}"


def code_sample(choice: models.ModelChoice, model, dataset: data.Dataset, *, split: str) -> maps.CodeSample:
    """Codes with labels and inputs: the precomputed map's when there is one, else ``split`` encoded."""
    if latent_map_of(choice) is not None:
        return _map_sample(choice.cache_key, keys.dataset_key(dataset), choice, dataset)
    return _encoded_sample(choice.cache_key, keys.dataset_key(dataset), split, model, dataset)


@st.cache_resource(show_spinner=False, max_entries=32)
def class_statistics(sample_key: str, _sample: maps.CodeSample) -> latent.ClassAverages:
    """Each class's average code of a sample, plain and at the class's typical distance (``sample_key`` from
    :func:`sample_key`)."""
    return latent.class_averages(_sample.codes, _sample.labels.astype(np.int64))


@st.cache_resource(show_spinner=False, max_entries=64)
def class_directions(sample_key: str, label: int, _sample: maps.CodeSample) -> latent.Directions:
    """The main directions of variation of one class's codes."""
    return latent.class_directions(_sample.codes[_sample.labels == label], n_components=5)


@st.cache_resource(show_spinner=False, max_entries=16)
def map_trust(sample_key: str, map_key: tuple, _mapped: projection.Projection) -> trust.MapTrust:
    """How well a map keeps latent neighbours, computed once per map (precomputed ones on first
    use): ``sample_key`` (from :func:`sample_key`: model version, dataset content, origin) and
    ``map_key`` (the model, dataset content, method and points of ``ui.latent_map_views.chosen_map``) name it."""
    return trust.map_trust(_mapped.codes, _mapped.coordinates)


@st.cache_resource(show_spinner=False)
def map_cache() -> maps.MapCache:
    """Maps computed on demand (t-SNE of a user model's codes), shared by every session."""
    return maps.MapCache(capacity=16)


def load_classifier_for(dataset: data.Dataset, model):
    """The sidebar dataset's pretrained classifier (none for an upload) when it takes this model's images, else None."""
    classifier = models.load_classifier(registered_dataset_name()) if dataset.is_image else None
    if classifier is None or tuple(classifier.input_shape) != tuple(model.input_shape):
        return None
    return classifier


def classifier_key() -> str | None:
    """What caches of classifier verdicts are keyed by: the sidebar dataset's classifier folder at
    its version (None when it has none)."""
    name = registered_dataset_name()
    folder = None if name is None else pretrained.classifier_folder(name)
    return None if folder is None else f"{folder}@{keys.classifier_version(folder)}"
