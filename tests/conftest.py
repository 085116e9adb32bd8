"""Shared fixtures: small, deterministic data so model tests stay fast."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8x8 digits as a Dataset: 300 training and 100 test images."""
    from latent_core.data import load_dataset

    return load_dataset("digits", max_train=300, max_test=100, seed=0)


@pytest.fixture
def workspace_root(tmp_path, monkeypatch):
    """An empty workspace folder that the app (LATENT_EXPLORER_WORKSPACE) saves user models to."""
    root = tmp_path / "workspace"
    monkeypatch.setenv("LATENT_EXPLORER_WORKSPACE", str(root))
    return root
