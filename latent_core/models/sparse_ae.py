"""``sparse_ae``: a dense autoencoder with an L1 activity penalty on its code.

The loss adds ``l1_penalty`` times the mean over the batch of ``sum(|code|)``, which
pushes most code values to zero (with the default ReLU code, exactly zero), so each
input is described by a few active units. The penalty is reported as ``sparsity_loss``.
"""

from __future__ import annotations

from latent_core.frameworks import keras

from latent_core.models import options as opt
from latent_core.models.base import SERIALIZATION_PACKAGE
from latent_core.models.dense_ae import DenseAutoencoder


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class SparseAutoencoder(DenseAutoencoder):
    """Dense autoencoder with an L1 penalty on the latent activations."""

    kind = "sparse_ae"
    title = "sparse AE"
    training_ms_per_image = 0.1  # the dense AE's, with its activity penalty
    option_names = DenseAutoencoder.option_names + ("l1_penalty",)
    saved_options = DenseAutoencoder.saved_options + (
        opt.SavedOption("l1_penalty", "float", minimum=0.0, maximum=1.0),
    )
    train_options = (
        opt.TrainOption("l1_penalty", "one_of", choices=(1e-6, 1e-5, 1e-4, 1e-3, 1e-2)),
    )

    def __init__(self, *, input_shape, latent_dim: int = 64, l1_penalty: float = 1e-4,
                 latent_activation: str = "relu", **kwargs):
        penalty = opt.check_non_negative_float("l1_penalty", l1_penalty, kind=self.kind)
        super().__init__(input_shape=input_shape, latent_dim=latent_dim,
                         latent_activation=latent_activation, **kwargs)
        self.l1_penalty = penalty
        self.sparsity_loss_tracker = keras.metrics.Mean(name="sparsity_loss")

    @property
    def metrics(self):
        return super().metrics + [self.sparsity_loss_tracker]

    def code_penalty(self, code):
        return self.l1_penalty * keras.ops.mean(keras.ops.sum(keras.ops.abs(code), axis=1))

    def _record(self, reconstruction, penalty):
        self.sparsity_loss_tracker.update_state(penalty)
        return super()._record(reconstruction, penalty)
