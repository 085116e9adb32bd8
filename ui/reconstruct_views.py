"""What the Reconstruct page compares its model with, cached here so that the warm-up can fit it too: PCA of
the model's code size, fitted on training images and scored on the page's evaluation images."""

from __future__ import annotations

import numpy as np
import streamlit as st

from latent_core import data, metrics

EVAL_IMAGES = 1000
PCA_TRAIN_IMAGES = 5000


@st.cache_resource(show_spinner=False, max_entries=16)
def pca_baseline(dataset_key: str, n_components: int, _dataset: data.Dataset) -> metrics.PCABaseline:
    """PCA with ``n_components`` fitted on (up to 5,000) training images, scored on the evaluation images."""
    rng = np.random.default_rng(0)
    train = _dataset.x_train
    if len(train) > PCA_TRAIN_IMAGES:
        train = train[np.sort(rng.choice(len(train), PCA_TRAIN_IMAGES, replace=False))]
    return metrics.pca_baseline(train, _dataset.x_test[:EVAL_IMAGES], n_components)


def pca_fits(input_shape: tuple[int, ...], latent_dim: int, dataset: data.Dataset) -> bool:
    """Whether PCA can have ``latent_dim`` components on these images (no more than pixels or images)."""
    return latent_dim <= min(int(np.prod(input_shape)), len(dataset.x_train), PCA_TRAIN_IMAGES)
