"""``linear_ae``: an undercomplete autoencoder with no activations at all.

Trained with MSE, its best solution spans the same subspace as PCA with as many
components as the latent size (Baldi & Hornik, 1989): the classic demonstration that
an autoencoder generalises PCA, and the one the manifold lab shows. The code is not
PCA's own (any invertible mix of the components is as good), the reconstruction is.
"""

from __future__ import annotations

import math

from latent_core.frameworks import keras

from latent_core.models import options as opt
from latent_core.models.autoencoder import AutoencoderModel
from latent_core.models.base import SERIALIZATION_PACKAGE, SeededInitializers
from latent_core.models.dense_ae import build_dense_decoder, build_dense_encoder


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class LinearAutoencoder(AutoencoderModel):
    """One linear map down to ``latent_dim`` values and one back up (with biases, which
    learn the centring PCA does by subtracting the mean)."""

    kind = "linear_ae"
    title = "linear AE"
    training_ms_per_image = 0.05  # the dense AE's cost model (jobs.estimate_seconds) for 784-32-784

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """One Dense layer down to the code and one back up."""
        widths = (math.prod(options["input_shape"]), cls.saved_value(options, "latent_dim"))
        return opt.dense_parameters(widths) + opt.dense_parameters(widths[::-1])

    @classmethod
    def supported_losses(cls, input_shape) -> tuple[str, ...]:
        """Its outputs are unbounded, so BCE does not apply, whatever the data."""
        return ("mse", "l1")

    def __init__(self, *, input_shape, latent_dim: int = 2, loss: str = "mse", seed: int = 0,
                 **kwargs):
        super().__init__(input_shape=input_shape, latent_dim=latent_dim, loss=loss, seed=seed,
                         **kwargs)
        opt.check_loss_fits_output(self.loss_name, "linear", kind=self.kind)
        inits = SeededInitializers(self.seed)
        self.encoder = build_dense_encoder(self.input_shape, (), "linear", self.latent_dim,
                                           "linear", inits)
        self.decoder = build_dense_decoder(self.input_shape, (), "linear", self.latent_dim,
                                           "linear", inits)
        self.built = True
