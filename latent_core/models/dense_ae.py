"""``dense_ae``: Flatten -> Dense encoder -> latent -> Dense decoder.

The TensorFlow tutorial's Fashion-MNIST model is one setting of it:
``DenseAutoencoder(input_shape=(28, 28, 1), latent_dim=64, hidden_units=(),
latent_activation="relu")``. Flat inputs such as the 3-D swiss roll work too:
``input_shape=(3,)`` gives a linear output layer by default.
"""

from __future__ import annotations

import math

from latent_core.frameworks import keras

from latent_core.models import options as opt
from latent_core.models.autoencoder import AutoencoderModel
from latent_core.models.base import SERIALIZATION_PACKAGE, SeededInitializers


def default_output_activation(input_shape) -> str:
    """Images live in [0, 1] (sigmoid); flat vectors are unbounded (linear)."""
    return "sigmoid" if len(tuple(input_shape)) == 3 else "linear"


def build_dense_encoder(input_shape, hidden_units, activation, latent_dim, latent_activation,
                        inits: SeededInitializers, *, name="encoder", use_bias=True) -> keras.Model:
    """Flatten, hidden Dense layers, then a Dense code layer."""
    inputs = keras.Input(shape=input_shape, name="image" if len(input_shape) == 3 else "x")
    h = keras.layers.Flatten()(inputs)
    for i, units in enumerate(hidden_units):
        h = keras.layers.Dense(units, activation=activation, kernel_initializer=inits.next(),
                               use_bias=use_bias, name=f"hidden_{i}")(h)
    code = keras.layers.Dense(latent_dim, activation=latent_activation,
                              kernel_initializer=inits.next(), use_bias=use_bias, name="code")(h)
    return keras.Model(inputs, code, name=name)


def build_dense_decoder(input_shape, hidden_units, activation, latent_dim, output_activation,
                        inits: SeededInitializers, *, name="decoder", use_bias=True) -> keras.Model:
    """Dense layers mirroring the encoder, reshaped to ``input_shape``."""
    codes = keras.Input(shape=(latent_dim,), name="z")
    h = codes
    for i, units in enumerate(reversed(tuple(hidden_units))):
        h = keras.layers.Dense(units, activation=activation, kernel_initializer=inits.next(),
                               use_bias=use_bias, name=f"hidden_{i}")(h)
    h = keras.layers.Dense(math.prod(input_shape), activation=output_activation,
                           kernel_initializer=inits.next(), use_bias=use_bias, name="output")(h)
    outputs = keras.layers.Reshape(input_shape, name="reshape")(h)
    return keras.Model(codes, outputs, name=name)


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class DenseAutoencoder(AutoencoderModel):
    """Fully connected autoencoder for images or flat vectors."""

    kind = "dense_ae"
    title = "dense AE"
    training_ms_per_image = 0.08  # CPU ms per image-epoch, benchmarks/bench_training_cost.py
    option_names = ("hidden_units", "activation", "latent_activation", "output_activation")
    saved_options = AutoencoderModel.saved_options + (
        opt.SavedOption("hidden_units", "int_list", minimum=1, maximum=opt.MAX_LAYER_WIDTH,
                        max_length=opt.MAX_LAYERS),
        opt.activation_option("activation"),
        opt.activation_option("latent_activation"),
        opt.activation_option("output_activation", optional=True),
    )
    train_options = (
        opt.TrainOption("hidden_units", "int_list", minimum=1, maximum=opt.BUILDER_MAX_WIDTH,
                        max_length=opt.BUILDER_MAX_LAYERS, layers=True),
        opt.TrainOption("activation", "one_of", choices=opt.BUILDER_ACTIVATIONS, layers=True),
    )

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """Dense layers from the flattened input through the hidden widths to the code, and back."""
        widths = (math.prod(options["input_shape"]), *cls.saved_value(options, "hidden_units"),
                  cls.saved_value(options, "latent_dim"))
        return opt.dense_parameters(widths) + opt.dense_parameters(widths[::-1])

    def __init__(self, *, input_shape, latent_dim: int = 32, hidden_units=(256,),
                 activation: str = "relu", latent_activation: str = "linear",
                 output_activation: str | None = None, loss: str = "mse", seed: int = 0,
                 **kwargs):
        super().__init__(input_shape=input_shape, latent_dim=latent_dim, loss=loss, seed=seed,
                         **kwargs)
        self.hidden_units = opt.check_int_tuple("hidden_units", hidden_units, kind=self.kind,
                                                allow_empty=True)
        self.activation = opt.check_activation("activation", activation, kind=self.kind)
        self.latent_activation = opt.check_activation("latent_activation", latent_activation,
                                                      kind=self.kind)
        self.output_activation = opt.check_activation(
            "output_activation", output_activation or default_output_activation(self.input_shape),
            kind=self.kind)
        opt.check_loss_fits_output(self.loss_name, self.output_activation, kind=self.kind)
        inits = SeededInitializers(self.seed)
        self.encoder = build_dense_encoder(self.input_shape, self.hidden_units, self.activation,
                                           self.latent_dim, self.latent_activation, inits)
        self.decoder = build_dense_decoder(self.input_shape, self.hidden_units, self.activation,
                                           self.latent_dim, self.output_activation, inits)
        self.built = True
