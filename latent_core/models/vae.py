"""``vae``: variational autoencoder, dense or convolutional.

The encoder gives a mean and a log-variance per latent dimension; training samples
``z = mean + exp(log_var / 2) * eps`` (the reparameterisation trick) and minimises
reconstruction + beta * KL(q(z|x) || N(0, I)), both terms summed over an example's
values and averaged over the batch, and both reported as metrics. Shaped after
keras-io's ``examples/generative/vae.py``. ``encode`` returns the mean;
``sample`` decodes draws from the prior.
"""

from __future__ import annotations

import math

from latent_core.frameworks import keras
from latent_core.frameworks import tf

from latent_core.models import options as opt
from latent_core.models.base import (
    SERIALIZATION_PACKAGE,
    GaussianEncoder,
    LatentModel,
    SeededInitializers,
    reconstruction_error,
)
from latent_core.models.conv_ae import (
    CONV_SAVED_OPTIONS,
    build_conv_decoder,
    build_conv_features,
    check_conv_options,
    conv_activation_values,
    conv_decoder_count,
    conv_feature_count,
)
from latent_core.models.dense_ae import build_dense_decoder, default_output_activation

ARCHITECTURES = ("dense", "conv")


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class VariationalAutoencoder(GaussianEncoder, LatentModel):
    """VAE with a Gaussian encoder, a standard normal prior and a beta-weighted KL term."""

    kind = "vae"
    title = "VAE"
    generative = True
    training_ms_per_image = 0.12  # CPU ms per image-epoch (a 16-D code), benchmarks/bench_training_cost.py
    option_names = ("architecture", "hidden_units", "filters", "kernel_size", "beta")
    saved_options = LatentModel.saved_options + CONV_SAVED_OPTIONS + (
        opt.SavedOption("architecture", "one_of", choices=ARCHITECTURES),
        opt.SavedOption("hidden_units", "int_list", minimum=1, maximum=opt.MAX_LAYER_WIDTH,
                        max_length=opt.MAX_LAYERS),
        opt.SavedOption("beta", "float", minimum=0.0, maximum=1000.0),
        opt.SavedOption("loss", "one_of", choices=opt.RECONSTRUCTION_LOSSES, optional=True),
    )
    train_options = (
        opt.TrainOption("beta", "number", minimum=0.0, maximum=5.0, step=0.1),
        opt.TrainOption("architecture", "one_of", choices=ARCHITECTURES, images_only=True),
    )

    @classmethod
    def supported_losses(cls, input_shape) -> tuple[str, ...]:
        return opt.losses_for_default_outputs(input_shape)

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """Encoder features (Dense or convolutional), the mean and log-variance layers, and
        the matching decoder."""
        shape, latent = options["input_shape"], cls.saved_value(options, "latent_dim")
        if cls.saved_value(options, "architecture") == "conv":
            filters, kernel = cls.saved_value(options, "filters"), cls.saved_value(options, "kernel_size")
            features, flat = conv_feature_count(shape, filters, kernel)
            decoder = conv_decoder_count(shape, filters, kernel, latent)
        else:
            widths = (math.prod(shape), *cls.saved_value(options, "hidden_units"))
            features, flat = opt.dense_parameters(widths), widths[-1]
            decoder = opt.dense_parameters((latent, *widths[::-1]))
        return features + 2 * opt.dense_parameters((flat, latent)) + decoder

    @classmethod
    def activation_values(cls, options: dict) -> int:
        dense = super().activation_values(options)
        if cls.saved_value(options, "architecture") != "conv":
            return dense
        return max(dense, conv_activation_values(options["input_shape"], cls.saved_value(options, "filters")))

    def __init__(self, *, input_shape, latent_dim: int = 2, architecture: str = "dense",
                 hidden_units=(256,), filters=(32, 64), kernel_size: int = 3, beta: float = 1.0,
                 loss: str | None = None, seed: int = 0, **kwargs):
        opt.check_choice("architecture", architecture, ARCHITECTURES, kind=self.kind)
        if architecture == "conv":
            input_shape, filters, kernel_size = check_conv_options(
                self.kind, input_shape, filters, kernel_size, "strided", "transpose")
        super().__init__(input_shape=input_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        self.architecture = architecture
        self.hidden_units = opt.check_int_tuple("hidden_units", hidden_units, kind=self.kind,
                                                allow_empty=True)
        self.filters = opt.check_int_tuple("filters", filters, kind=self.kind, allow_empty=False)
        self.kernel_size = opt.check_positive_int("kernel_size", kernel_size, kind=self.kind)
        self.beta = opt.check_non_negative_float("beta", beta, kind=self.kind)
        output_activation = default_output_activation(self.input_shape)
        self.loss_name = opt.check_choice(
            "loss", loss or ("bce" if output_activation == "sigmoid" else "mse"),
            opt.RECONSTRUCTION_LOSSES, kind=self.kind)
        opt.check_loss_fits_output(self.loss_name, output_activation, kind=self.kind)

        inits = SeededInitializers(self.seed)
        if architecture == "conv":
            inputs, features = build_conv_features(self.input_shape, self.filters,
                                                   self.kernel_size, "strided", inits)
            self.decoder = build_conv_decoder(self.input_shape, self.filters, self.kernel_size,
                                              "transpose", self.latent_dim, inits)
        else:
            inputs = keras.Input(shape=self.input_shape, name="x")
            features = keras.layers.Flatten(name="flatten")(inputs)
            for i, units in enumerate(self.hidden_units):
                features = keras.layers.Dense(units, activation="relu",
                                              kernel_initializer=inits.next(),
                                              name=f"hidden_{i}")(features)
            self.decoder = build_dense_decoder(self.input_shape, self.hidden_units, "relu",
                                               self.latent_dim, output_activation, inits)
        z_mean = keras.layers.Dense(self.latent_dim, kernel_initializer=inits.next(),
                                    name="z_mean")(features)
        z_log_var = keras.layers.Dense(self.latent_dim, kernel_initializer="zeros",
                                       name="z_log_var")(features)
        self.encoder = keras.Model(inputs, [z_mean, z_log_var], name="encoder")
        self.sampling_seed = keras.random.SeedGenerator(self.seed, name="sampling_seed")
        self.total_loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")
        self.built = True

    @property
    def options(self) -> dict:
        return {**super().options, "loss": self.loss_name}

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def _loss_terms(self, x, training: bool):
        ops = keras.ops
        z_mean, z_log_var = self.encoder(x, training=training)
        eps = keras.random.normal(ops.shape(z_mean), seed=self.sampling_seed)
        z = z_mean + ops.exp(0.5 * z_log_var) * eps
        outputs = self.decoder(z, training=training)
        reconstruction = ops.mean(reconstruction_error(x, outputs, self.loss_name, reduction="sum"))
        kl = ops.mean(-0.5 * ops.sum(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=1))
        return reconstruction, kl

    def _record(self, reconstruction, kl):
        self.total_loss_tracker.update_state(reconstruction + self.beta * kl)
        self.reconstruction_loss_tracker.update_state(reconstruction)
        self.kl_loss_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        with tf.GradientTape() as tape:
            reconstruction, kl = self._loss_terms(x, training=True)
            total = reconstruction + self.beta * kl
        gradients = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return self._record(reconstruction, kl)

    def test_step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        return self._record(*self._loss_terms(x, training=False))
