"""Shared fixtures: small, deterministic data so model tests stay fast."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("LATENT_EXPLORER_WARMUP", "0")  # tests that need the server warm-up turn it on

from dataclasses import dataclass  # noqa: E402
from functools import cached_property  # noqa: E402
from pathlib import Path  # noqa: E402

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


@pytest.fixture
def empty_library(tmp_path, monkeypatch):
    """The app with no pretrained models, as on a clone before ``make pretrained``: the index is read
    from an empty folder."""
    from latent_core import pretrained

    empty = tmp_path / "no-pretrained-library"
    empty.mkdir()
    list_pretrained = pretrained.list_pretrained
    monkeypatch.setattr(pretrained, "list_pretrained",
                        lambda dataset=None, *, root=empty: list_pretrained(dataset, root=root))
    assert pretrained.list_pretrained() == []
    return empty


@dataclass
class TinyModels:
    """A workspace of tiny 8×8-digits models for page tests: a trained dense AE (4-D), untrained VAE and DCGAN."""

    root: Path
    ae: object
    vae: object
    gan: object

    @cached_property
    def ae_model(self):
        from latent_core.workspace import Workspace

        return Workspace(self.root).load(self.ae.id).model


@pytest.fixture(scope="session")
def tiny_models_root(tmp_path_factory) -> TinyModels:
    """Built once per test run: every page test that needs a user model reads this workspace."""
    from page_helpers import tiny_digits_model

    from latent_core.data import load_dataset
    from latent_core.models import build_model
    from latent_core.workspace import Workspace

    root = tmp_path_factory.mktemp("tiny-models")
    ae = tiny_digits_model(root)
    digits = load_dataset("digits", max_train=50, max_test=10)
    workspace = Workspace(root)
    vae = workspace.save(build_model("vae", input_shape=(8, 8, 1), latent_dim=2, seed=0), name="tiny vae",
                         dataset=digits)
    gan = workspace.save(build_model("dcgan", input_shape=(8, 8, 1), latent_dim=8, seed=0), name="tiny gan",
                         dataset=digits)
    return TinyModels(root, ae, vae, gan)


@pytest.fixture
def tiny(tiny_models_root, monkeypatch) -> TinyModels:
    """The app pointed at the tiny models' workspace."""
    monkeypatch.setenv("LATENT_EXPLORER_WORKSPACE", str(tiny_models_root.root))
    return tiny_models_root


@pytest.fixture
def throwaway_kind(monkeypatch):
    """A model kind registered for one test only, as a new kind would be: one class and one
    registry entry, with no text in ui/texts. A tiny dense AE with its own title, time per
    image and one option of its own; removed from the registry (and Keras') afterwards."""
    import keras

    from latent_core.models import MODEL_KINDS
    from latent_core.models.base import SERIALIZATION_PACKAGE
    from latent_core.models.dense_ae import DenseAutoencoder
    from latent_core.models.options import TrainOption

    class TinyAutoencoder(DenseAutoencoder):
        """A dense AE with one hidden layer
        of 8 units.

        Registered for one test only."""

        kind = "tiny_ae"
        title = "tiny AE"
        training_ms_per_image = 0.5
        train_options = (TrainOption("latent_activation", "one_of", choices=("linear", "tanh")),)

        def __init__(self, *, input_shape, latent_dim: int = 3, hidden_units=(8,), **kwargs):
            super().__init__(input_shape=input_shape, latent_dim=latent_dim, hidden_units=hidden_units, **kwargs)

    registered_name = f"{SERIALIZATION_PACKAGE}>{TinyAutoencoder.__name__}"
    keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)(TinyAutoencoder)
    monkeypatch.setitem(MODEL_KINDS, TinyAutoencoder.kind, TinyAutoencoder)
    yield TinyAutoencoder
    keras.saving.get_custom_objects().pop(registered_name, None)


@pytest.fixture(scope="module")
def ray_address():
    """A two-CPU Ray cluster on loopback for one test module (tests and app replicas alike),
    shut down after it; its address. Skipped where Ray is not installed."""
    ray = pytest.importorskip("ray")
    from latent_core import cluster

    address = cluster.start_local(2, object_store_memory=100 * 2**20)
    try:
        yield address
    finally:
        ray.shutdown()
