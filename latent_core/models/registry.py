"""The one registry of model kinds: adding a kind is one module and one entry here."""

from __future__ import annotations

from latent_core.models.base import LatentModel
from latent_core.models.conv_ae import ConvAutoencoder
from latent_core.models.dcgan import DCGAN
from latent_core.models.dense_ae import DenseAutoencoder
from latent_core.models.denoising_ae import DenoisingAutoencoder
from latent_core.models.linear_ae import LinearAutoencoder
from latent_core.models.sparse_ae import SparseAutoencoder
from latent_core.models.vae import VariationalAutoencoder

MODEL_KINDS: dict[str, type[LatentModel]] = {
    cls.kind: cls
    for cls in (
        DenseAutoencoder,
        ConvAutoencoder,
        DenoisingAutoencoder,
        SparseAutoencoder,
        LinearAutoencoder,
        VariationalAutoencoder,
        DCGAN,
    )
}


def model_class(kind: str) -> type[LatentModel]:
    """The class registered for ``kind``; a clear error lists the known kinds."""
    try:
        return MODEL_KINDS[kind]
    except KeyError:
        raise ValueError(
            f"unknown model kind {kind!r}; choose one of {', '.join(MODEL_KINDS)}."
        ) from None


def build_model(kind: str, *, input_shape, **options) -> LatentModel:
    """Build a fresh model of ``kind`` for inputs of ``input_shape`` with keyword options
    (``latent_dim``, ``loss``, ``seed`` and the kind's own, see each class)."""
    return model_class(kind)(input_shape=input_shape, **options)
