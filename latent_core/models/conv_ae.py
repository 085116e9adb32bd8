"""``conv_ae``: a convolutional encoder to a flat latent vector, and a decoder back.

Each encoder stage halves the image (a strided Conv2D, or Conv2D + MaxPooling2D); the
last feature map is flattened to a Dense code of ``latent_dim`` values. The decoder
mirrors it with a Dense layer back to the feature map, then Conv2DTranspose (or
UpSampling2D + Conv2D) stages, and a sigmoid Conv2D to the image's channels.
"""

from __future__ import annotations

import keras

from latent_core.models import options as opt
from latent_core.models.autoencoder import AutoencoderModel
from latent_core.models.base import SERIALIZATION_PACKAGE, SeededInitializers

DOWNSAMPLING = ("strided", "maxpool")
UPSAMPLING = ("transpose", "upsampling")


def check_conv_options(kind, input_shape, filters, kernel_size, downsample, upsample):
    """Validate the options shared by the convolutional kinds; return them normalised."""
    shape = opt.check_input_shape(input_shape, kind=kind, image_only=True)
    filters = opt.check_int_tuple("filters", filters, kind=kind, allow_empty=False)
    kernel_size = opt.check_positive_int("kernel_size", kernel_size, kind=kind)
    opt.check_choice("downsample", downsample, DOWNSAMPLING, kind=kind)
    opt.check_choice("upsample", upsample, UPSAMPLING, kind=kind)
    opt.check_divisible(shape, 2 ** len(filters), kind=kind,
                        why=f"{len(filters)} stages each halve the image")
    return shape, filters, kernel_size


CONV_SAVED_OPTIONS = (
    opt.SavedOption("filters", "int_list", minimum=1, maximum=opt.MAX_FILTERS, min_length=1,
                    max_length=opt.MAX_CONV_STAGES),
    opt.int_option("kernel_size", opt.MAX_KERNEL_SIZE),
)


def conv_feature_count(input_shape, filters, kernel_size) -> tuple[int, int]:
    """Weights of the down-sampling stages and the length of the flattened features they
    give (each stage halves height and width)."""
    height, width, channels = input_shape
    factor = 2 ** len(filters)
    flat = (height // factor) * (width // factor) * filters[-1]
    return opt.conv_parameters(kernel_size, (channels, *filters)), flat


def conv_decoder_count(input_shape, filters, kernel_size, latent_dim) -> int:
    """Weights of ``build_conv_decoder``: Dense to the feature map, the up-sampling
    stages and the output convolution."""
    _, flat = conv_feature_count(input_shape, filters, kernel_size)
    stages = opt.conv_parameters(kernel_size, (filters[-1], *filters[::-1], input_shape[2]))
    return opt.dense_parameters((latent_dim, flat)) + stages


def conv_activation_values(input_shape, filters) -> int:
    """Bound on the values of one example's largest feature map: every stage runs at most at
    full resolution (a max-pooled stage convolves before halving) with at most the most filters."""
    height, width, channels = input_shape
    return height * width * max(*filters, channels)


def build_conv_features(input_shape, filters, kernel_size, downsample, inits) -> tuple:
    """Image input and its flattened feature vector after the down-sampling stages."""
    inputs = keras.Input(shape=input_shape, name="image")
    h = inputs
    for i, n in enumerate(filters):
        if downsample == "strided":
            h = keras.layers.Conv2D(n, kernel_size, strides=2, padding="same", activation="relu",
                                    kernel_initializer=inits.next(), name=f"conv_{i}")(h)
        else:
            h = keras.layers.Conv2D(n, kernel_size, padding="same", activation="relu",
                                    kernel_initializer=inits.next(), name=f"conv_{i}")(h)
            h = keras.layers.MaxPooling2D(2, name=f"pool_{i}")(h)
    return inputs, keras.layers.Flatten(name="flatten")(h)


def build_conv_decoder(input_shape, filters, kernel_size, upsample, latent_dim, inits,
                       *, name="decoder") -> keras.Model:
    """Dense to the smallest feature map, then up-sampling stages back to the image."""
    factor = 2 ** len(filters)
    height, width, channels = input_shape
    codes = keras.Input(shape=(latent_dim,), name="z")
    h = keras.layers.Dense((height // factor) * (width // factor) * filters[-1],
                           activation="relu", kernel_initializer=inits.next(), name="expand")(codes)
    h = keras.layers.Reshape((height // factor, width // factor, filters[-1]), name="reshape")(h)
    for i, n in enumerate(reversed(filters)):
        if upsample == "transpose":
            h = keras.layers.Conv2DTranspose(n, kernel_size, strides=2, padding="same",
                                             activation="relu", kernel_initializer=inits.next(),
                                             name=f"deconv_{i}")(h)
        else:
            h = keras.layers.UpSampling2D(2, name=f"upsample_{i}")(h)
            h = keras.layers.Conv2D(n, kernel_size, padding="same", activation="relu",
                                    kernel_initializer=inits.next(), name=f"conv_{i}")(h)
    outputs = keras.layers.Conv2D(channels, kernel_size, padding="same", activation="sigmoid",
                                  kernel_initializer=inits.next(), name="output")(h)
    return keras.Model(codes, outputs, name=name)


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class ConvAutoencoder(AutoencoderModel):
    """Convolutional autoencoder for (height, width, channels) images in [0, 1]."""

    kind = "conv_ae"
    title = "conv AE"
    image_only = True
    training_ms_per_image = 0.75  # 45 s per 60,000-image epoch
    option_names = ("filters", "kernel_size", "downsample", "upsample")
    saved_options = AutoencoderModel.saved_options + CONV_SAVED_OPTIONS + (
        opt.SavedOption("downsample", "one_of", choices=DOWNSAMPLING),
        opt.SavedOption("upsample", "one_of", choices=UPSAMPLING),
    )

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """Convolutions down, a Dense code, a Dense back up, convolutions up (pooling and
        up-sampling layers hold no weights)."""
        shape, latent = options["input_shape"], cls.saved_value(options, "latent_dim")
        filters, kernel = cls.saved_value(options, "filters"), cls.saved_value(options, "kernel_size")
        features, flat = conv_feature_count(shape, filters, kernel)
        return (features + opt.dense_parameters((flat, latent))
                + conv_decoder_count(shape, filters, kernel, latent))

    @classmethod
    def activation_values(cls, options: dict) -> int:
        return max(conv_activation_values(options["input_shape"], cls.saved_value(options, "filters")),
                   super().activation_values(options))

    def __init__(self, *, input_shape, latent_dim: int = 32, filters=(32, 64),
                 kernel_size: int = 3, downsample: str = "strided",
                 upsample: str = "transpose", loss: str = "mse", seed: int = 0, **kwargs):
        shape, filters, kernel_size = check_conv_options(
            self.kind, input_shape, filters, kernel_size, downsample, upsample)
        super().__init__(input_shape=shape, latent_dim=latent_dim, loss=loss, seed=seed, **kwargs)
        self.filters, self.kernel_size = filters, kernel_size
        self.downsample, self.upsample = downsample, upsample
        inits = SeededInitializers(self.seed)
        inputs, features = build_conv_features(shape, filters, kernel_size, downsample, inits)
        code = keras.layers.Dense(self.latent_dim, kernel_initializer=inits.next(),
                                  name="code")(features)
        self.encoder = keras.Model(inputs, code, name="encoder")
        self.decoder = build_conv_decoder(shape, filters, kernel_size, upsample,
                                          self.latent_dim, inits)
        self.built = True
