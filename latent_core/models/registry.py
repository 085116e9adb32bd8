"""The one registry of model kinds: adding a kind is one module and one entry here.

Everything else reads the registered classes: the Train page offers ``kinds_for`` the
data with each class's own options and losses, ``jobs.estimate_seconds`` uses its
``training_ms_per_image``, and a missing UI text falls back to its English ``title``.
"""

from __future__ import annotations

from latent_core.models.base import LatentModel
from latent_core.models.conv_ae import ConvAutoencoder
from latent_core.models.dcgan import DCGAN
from latent_core.models.dense_ae import DenseAutoencoder
from latent_core.models.denoising_ae import DenoisingAutoencoder
from latent_core.models.linear_ae import LinearAutoencoder
from latent_core.models.sparse_ae import SparseAutoencoder
from latent_core.models.unet_denoiser import UNetDenoiser
from latent_core.models.vae import VariationalAutoencoder

MODEL_KINDS: dict[str, type[LatentModel]] = {
    cls.kind: cls
    for cls in (
        DenseAutoencoder,
        ConvAutoencoder,
        DenoisingAutoencoder,
        UNetDenoiser,
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


def kind_has_latent(kind: str) -> bool:
    """Whether models of ``kind`` have a latent code to encode to and decode from: False for a
    registered kind that says so (the U-Net denoiser), True otherwise (a Keras model from a
    notebook is described by its own encoder and decoder)."""
    cls = MODEL_KINDS.get(kind)
    return cls is None or cls.has_latent


def kinds_for(input_shape) -> list[str]:
    """The registered kinds that train on inputs of ``input_shape``, in registry order:
    every kind for images, those not ``image_only`` for flat vectors."""
    is_image = len(tuple(input_shape)) == 3
    return [kind for kind, cls in MODEL_KINDS.items() if is_image or not cls.image_only]


def build_model(kind: str, *, input_shape, **options) -> LatentModel:
    """Build a fresh model of ``kind`` for inputs of ``input_shape`` with keyword options
    (``latent_dim``, ``loss``, ``seed`` and the kind's own, see each class)."""
    return model_class(kind)(input_shape=input_shape, **options)
