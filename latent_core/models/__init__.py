"""Model zoo: every model kind the app shows, behind one NumPy interface.

``build_model("conv_ae", input_shape=(28, 28, 1), latent_dim=32)`` returns a Keras 3
model with ``encode``, ``decode``, ``reconstruct``, ``sample``, ``latent_dim``,
``kind`` and ``input_shape``. ``MODEL_KINDS`` maps kind names to classes, each of which
describes itself (title, options, losses, time per training image) for the Train page.
"""

from latent_core.models.base import (
    LatentModel,
    ModelInputError,
    NoEncoderError,
    NoLatentError,
    NotGenerativeError,
)
from latent_core.models.noise import NOISE_KINDS, add_noise
from latent_core.models.registry import MODEL_KINDS, build_model, kind_has_latent, kinds_for, model_class

__all__ = [
    "MODEL_KINDS",
    "NOISE_KINDS",
    "LatentModel",
    "ModelInputError",
    "NoEncoderError",
    "NoLatentError",
    "NotGenerativeError",
    "add_noise",
    "build_model",
    "kind_has_latent",
    "kinds_for",
    "model_class",
]
