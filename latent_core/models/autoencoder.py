"""Shared training logic of the deterministic autoencoders (dense, conv, denoising,
sparse, linear).

``train_step`` is written out (following keras-io's ``vae.py``) so that each kind can
change one piece: what the encoder sees (``corrupt``: the denoising AE adds noise) and
what is added to the loss (``code_penalty``: the sparse AE's L1 term). Metrics are
``keras.metrics.Mean`` trackers, reported per epoch by ``model.fit``.
"""

from __future__ import annotations

from latent_core.frameworks import keras
from latent_core.frameworks import tf

from latent_core.models import options as opt
from latent_core.models.base import LatentModel, reconstruction_error


class AutoencoderModel(LatentModel):
    """An encoder to a latent vector and a decoder back, trained to reconstruct."""

    saved_options = LatentModel.saved_options + (
        opt.SavedOption("loss", "one_of", choices=opt.RECONSTRUCTION_LOSSES),
    )

    @classmethod
    def supported_losses(cls, input_shape) -> tuple[str, ...]:
        return opt.losses_for_default_outputs(input_shape)

    def __init__(self, *, input_shape, latent_dim: int, loss: str = "mse", seed: int = 0, **kwargs):
        super().__init__(input_shape=input_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        self.loss_name = opt.check_choice("loss", loss, opt.RECONSTRUCTION_LOSSES, kind=self.kind)
        self.total_loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker]

    @property
    def options(self) -> dict:
        return {**super().options, "loss": self.loss_name}

    def call(self, inputs, training=False):
        return self.decoder(self.encoder(inputs, training=training), training=training)

    def corrupt(self, x):
        """What the encoder sees during training; the clean ``x`` stays the target."""
        return x

    def code_penalty(self, code):
        """Extra loss on the latent code (none for a plain autoencoder)."""
        return 0.0

    def _loss_terms(self, x, training: bool):
        code = self.encoder(self.corrupt(x), training=training)
        outputs = self.decoder(code, training=training)
        reconstruction = keras.ops.mean(reconstruction_error(x, outputs, self.loss_name))
        return reconstruction, self.code_penalty(code)

    def _record(self, reconstruction, penalty):
        total = reconstruction + penalty
        self.total_loss_tracker.update_state(total)
        self.reconstruction_loss_tracker.update_state(reconstruction)
        return total

    def train_step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        with tf.GradientTape() as tape:
            reconstruction, penalty = self._loss_terms(x, training=True)
            total = reconstruction + penalty
        gradients = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        self._record(reconstruction, penalty)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        reconstruction, penalty = self._loss_terms(x, training=False)
        self._record(reconstruction, penalty)
        return {m.name: m.result() for m in self.metrics}
