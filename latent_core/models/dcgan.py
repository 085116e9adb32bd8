"""``dcgan``: the course's MNIST GAN, trained by an overridden ``train_step``.

Generator: Dense to (h/4, w/4, 128) -> UpSampling2D + Conv2D(64) -> UpSampling2D +
Conv2D(channels, tanh). Discriminator: Conv2D(64, stride 2) LeakyReLU Dropout ->
Conv2D(128, stride 2) LeakyReLU Dropout -> Dense(1, sigmoid). Each step trains the
discriminator on real and generated images, then the generator to fool it (shaped
after keras-io's ``dcgan_overriding_train_step.py``); ``d_loss`` and ``g_loss`` are
the metrics. Images are [0, 1] outside and [-1, 1] (tanh) inside. A GAN has no
encoder: ``encode`` and ``reconstruct`` raise ``NoEncoderError``.
"""

from __future__ import annotations

from latent_core.frameworks import keras
import numpy as np
from latent_core.frameworks import tf

from latent_core.models import options as opt
from latent_core.models.base import (
    SERIALIZATION_PACKAGE,
    LatentModel,
    NoEncoderError,
    SeededInitializers,
)


class _GeneratorOptimizer:
    """Holds the generator's optimizer outside Keras tracking: it is training state,
    not part of a saved model."""

    def __init__(self, optimizer=None):
        self.optimizer = optimizer


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class DCGAN(LatentModel):
    """Deep convolutional GAN for (height, width, channels) images, h and w multiples of 4."""

    kind = "dcgan"
    title = "DCGAN"
    generative = True
    has_encoder = False
    image_only = True
    latent_dim_from_data = False
    training_ms_per_image = 5.4  # CPU ms per image-epoch, benchmarks/bench_training_cost.py
    option_names = ("dropout",)
    saved_options = LatentModel.saved_options + (
        opt.SavedOption("dropout", "float", minimum=0.0, maximum=0.95),
    )

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """Generator: Dense to a (h/4, w/4, 128) map with batch normalisation (four values
        per unit), two 5×5 convolutions; discriminator: two strided 5×5 convolutions and a
        Dense judgement."""
        height, width, channels = options["input_shape"]
        units = 128 * (height // 4) * (width // 4)
        generator = (opt.dense_parameters((cls.saved_value(options, "latent_dim"), units)) + 4 * units
                     + opt.conv_parameters(5, (128, 64)) + 4 * 64 + opt.conv_parameters(5, (64, channels)))
        discriminator = opt.conv_parameters(5, (channels, 64, 128)) + opt.dense_parameters((units, 1))
        return generator + discriminator

    @classmethod
    def activation_values(cls, options: dict) -> int:
        """The generator's last up-sampled map: full resolution, 64 channels."""
        height, width, channels = options["input_shape"]
        return max(height * width * max(64, channels), super().activation_values(options))

    def __init__(self, *, input_shape, latent_dim: int = 100, dropout: float = 0.3,
                 seed: int = 0, **kwargs):
        shape = opt.check_input_shape(input_shape, kind=self.kind, image_only=True)
        opt.check_divisible(shape, 4, kind=self.kind, why="the generator up-samples twice")
        super().__init__(input_shape=shape, latent_dim=latent_dim, seed=seed, **kwargs)
        self.dropout = opt.check_non_negative_float("dropout", dropout, kind=self.kind)
        if self.dropout >= 1:
            raise ValueError(f"{self.kind}: dropout must be below 1; got {dropout!r}.")
        inits = SeededInitializers(self.seed)
        height, width, channels = shape
        layers = keras.layers

        codes = keras.Input(shape=(self.latent_dim,), name="z")
        h = layers.Dense(128 * (height // 4) * (width // 4), kernel_initializer=inits.next())(codes)
        h = layers.LeakyReLU(0.2)(layers.BatchNormalization(momentum=0.8)(h))
        h = layers.Reshape((height // 4, width // 4, 128))(h)
        h = layers.UpSampling2D()(h)
        h = layers.Conv2D(64, 5, padding="same", kernel_initializer=inits.next())(h)
        h = layers.LeakyReLU(0.2)(layers.BatchNormalization(momentum=0.8)(h))
        h = layers.UpSampling2D()(h)
        fake = layers.Conv2D(channels, 5, padding="same", activation="tanh",
                             kernel_initializer=inits.next())(h)
        self.generator = keras.Model(codes, fake, name="generator")

        images = keras.Input(shape=shape, name="image")
        h = images
        for i, filters in enumerate((64, 128)):
            h = layers.Conv2D(filters, 5, strides=2, padding="same",
                              kernel_initializer=inits.next())(h)
            h = layers.LeakyReLU(0.2)(h)
            h = layers.Dropout(self.dropout, seed=self.seed * 1009 + 500 + i)(h)
        h = layers.Flatten()(h)
        real = layers.Dense(1, activation="sigmoid", kernel_initializer=inits.next())(h)
        self.discriminator = keras.Model(images, real, name="discriminator")

        self.noise_seed = keras.random.SeedGenerator(self.seed, name="noise_seed")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self._generator_optimizer = _GeneratorOptimizer()
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def submodels(self) -> list[keras.Model]:
        return [self.generator, self.discriminator]

    def call(self, codes, training=False):
        return self.generator(codes, training=training)

    def configure_training(self, learning_rate: float) -> None:
        """Adam(learning_rate, beta_1=0.5) for each network, as DCGAN recommends."""
        self.compile(optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5), jit_compile=False)
        generator_optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)
        generator_optimizer.build(self.generator.trainable_variables)
        self._generator_optimizer = _GeneratorOptimizer(generator_optimizer)

    def preview(self, x_preview, *, count: int):
        """Samples from fixed noise, so successive epochs are comparable."""
        return self.sample(count, seed=0)

    def encode(self, x):
        raise NoEncoderError(
            "A DCGAN has no encoder: it maps noise to images, not images to codes. Use "
            "sample(n) or decode(z); to get codes of images, train an autoencoder or a VAE."
        )

    def reconstruct(self, x):
        return self.encode(x)

    def _decode_tensor(self, z):
        return (self.generator(z, training=False) + 1.0) / 2.0

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """Images generated from ``n`` standard normal noise vectors."""
        return self.decode(self._prior_codes(n, seed))

    def train_step(self, data):
        ops = keras.ops
        real_images = (data[0] if isinstance(data, (tuple, list)) else data) * 2.0 - 1.0
        batch = ops.shape(real_images)[0]
        bce = keras.losses.binary_crossentropy

        noise = keras.random.normal((batch, self.latent_dim), seed=self.noise_seed)
        fake_images = self.generator(noise, training=True)
        images = ops.concatenate([real_images, fake_images], axis=0)
        labels = ops.concatenate([ops.ones((batch, 1)), ops.zeros((batch, 1))], axis=0)
        with tf.GradientTape() as tape:
            d_loss = ops.mean(bce(labels, self.discriminator(images, training=True)))
        variables = self.discriminator.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))

        noise = keras.random.normal((batch, self.latent_dim), seed=self.noise_seed)
        with tf.GradientTape() as tape:
            judged = self.discriminator(self.generator(noise, training=True), training=True)
            g_loss = ops.mean(bce(ops.ones((batch, 1)), judged))
        variables = self.generator.trainable_weights
        self._generator_optimizer.optimizer.apply_gradients(
            zip(tape.gradient(g_loss, variables), variables))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        real_images = (data[0] if isinstance(data, (tuple, list)) else data) * 2.0 - 1.0
        ops = keras.ops
        batch = ops.shape(real_images)[0]
        bce = keras.losses.binary_crossentropy
        noise = keras.random.normal((batch, self.latent_dim), seed=self.noise_seed)
        fake_judged = self.discriminator(self.generator(noise, training=False), training=False)
        real_judged = self.discriminator(real_images, training=False)
        d_loss = (ops.mean(bce(ops.ones((batch, 1)), real_judged))
                  + ops.mean(bce(ops.zeros((batch, 1)), fake_judged))) / 2.0
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(ops.mean(bce(ops.ones((batch, 1)), fake_judged)))
        return {m.name: m.result() for m in self.metrics}
