"""``conv_ae``: a convolutional encoder to a flat latent vector, and a decoder back.

Each encoder stage halves the image (a strided Conv2D, or Conv2D + MaxPooling2D) with
one of ``filters`` and ``activation``; the last feature map is flattened to a Dense code
of ``latent_dim`` values. The decoder mirrors it with a Dense layer back to the feature
map, then Conv2DTranspose (or UpSampling2D + Conv2D) stages, and a sigmoid Conv2D to the
image's channels. With ``dense_code=False`` there is no Dense layer either way: the code
is the last feature map itself, flattened (the course's pooling autoencoder), so its
size follows from the image and the filters (``fixed_latent_dim``).
"""

from __future__ import annotations

from latent_core.frameworks import keras

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


def feature_map_shape(input_shape, filters) -> tuple[int, int, int]:
    """Height, width and channels of the last feature map (each stage halves the image)."""
    factor = 2 ** len(filters)
    return input_shape[0] // factor, input_shape[1] // factor, filters[-1]


def check_feature_map_code(kind, input_shape, filters, latent_dim) -> None:
    """Without a Dense code layer the code is the last feature map: ``latent_dim`` must be its
    size, and that size within ``MAX_LATENT_DIM``."""
    height, width, channels = feature_map_shape(input_shape, filters)
    size = height * width * channels
    if size > opt.MAX_LATENT_DIM:
        raise opt.SettingsRefused(
            f"{kind}: without a Dense code layer the code is the last feature map, {height}x{width}x{channels} "
            f"= {size} values, over the {opt.MAX_LATENT_DIM} a code may have; use fewer filters in the last "
            f"stage, more stages, or a Dense code layer.", "code_too_big",
            size=size, shape=f"{height}×{width}×{channels}", limit=opt.MAX_LATENT_DIM)
    if latent_dim != size:
        raise opt.SettingsRefused(
            f"{kind}: without a Dense code layer the code is the last feature map, {height}x{width}x{channels} "
            f"= {size} values, so latent_dim must be {size}; got {latent_dim}.", "code_is_feature_map",
            size=size, shape=f"{height}×{width}×{channels}")


CONV_SAVED_OPTIONS = (
    opt.SavedOption("filters", "int_list", minimum=1, maximum=opt.MAX_FILTERS, min_length=1,
                    max_length=opt.MAX_CONV_STAGES),
    opt.int_option("kernel_size", opt.MAX_KERNEL_SIZE),
)


def conv_feature_count(input_shape, filters, kernel_size) -> tuple[int, int]:
    """Weights of the down-sampling stages and the length of the flattened features they
    give (each stage halves height and width)."""
    height, width, channels = feature_map_shape(input_shape, filters)
    return opt.conv_parameters(kernel_size, (input_shape[2], *filters)), height * width * channels


def conv_decoder_count(input_shape, filters, kernel_size, latent_dim, *, dense_code: bool = True) -> int:
    """Weights of ``build_conv_decoder``: Dense to the feature map (with a Dense code), the
    up-sampling stages and the output convolution."""
    _, flat = conv_feature_count(input_shape, filters, kernel_size)
    stages = opt.conv_parameters(kernel_size, (filters[-1], *filters[::-1], input_shape[2]))
    return (opt.dense_parameters((latent_dim, flat)) if dense_code else 0) + stages


def conv_activation_values(input_shape, filters) -> int:
    """Bound on the values of one example's largest feature map: every stage runs at most at
    full resolution (a max-pooled stage convolves before halving) with at most the most filters."""
    height, width, channels = input_shape
    return height * width * max(*filters, channels)


def build_conv_features(input_shape, filters, kernel_size, downsample, inits, *,
                        activation: str = "relu", flatten_name: str = "flatten") -> tuple:
    """Image input and its flattened feature vector after the down-sampling stages."""
    inputs = keras.Input(shape=input_shape, name="image")
    h = inputs
    for i, n in enumerate(filters):
        if downsample == "strided":
            h = keras.layers.Conv2D(n, kernel_size, strides=2, padding="same", activation=activation,
                                    kernel_initializer=inits.next(), name=f"conv_{i}")(h)
        else:
            h = keras.layers.Conv2D(n, kernel_size, padding="same", activation=activation,
                                    kernel_initializer=inits.next(), name=f"conv_{i}")(h)
            h = keras.layers.MaxPooling2D(2, name=f"pool_{i}")(h)
    return inputs, keras.layers.Flatten(name=flatten_name)(h)


def build_conv_decoder(input_shape, filters, kernel_size, upsample, latent_dim, inits,
                       *, activation: str = "relu", dense_code: bool = True, name="decoder") -> keras.Model:
    """Dense to the smallest feature map (or, without a Dense code, the code reshaped to
    it), then up-sampling stages back to the image."""
    height, width, channels = input_shape
    feature_map = feature_map_shape(input_shape, filters)
    codes = keras.Input(shape=(latent_dim,), name="z")
    h = codes
    if dense_code:
        h = keras.layers.Dense(feature_map[0] * feature_map[1] * feature_map[2], activation=activation,
                               kernel_initializer=inits.next(), name="expand")(h)
    h = keras.layers.Reshape(feature_map, name="reshape")(h)
    for i, n in enumerate(reversed(filters)):
        if upsample == "transpose":
            h = keras.layers.Conv2DTranspose(n, kernel_size, strides=2, padding="same",
                                             activation=activation, kernel_initializer=inits.next(),
                                             name=f"deconv_{i}")(h)
        else:
            h = keras.layers.UpSampling2D(2, name=f"upsample_{i}")(h)
            h = keras.layers.Conv2D(n, kernel_size, padding="same", activation=activation,
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
    training_ms_per_image = 0.85  # CPU ms per image-epoch, benchmarks/bench_training_cost.py
    option_names = ("filters", "kernel_size", "downsample", "upsample", "activation", "dense_code")
    added_options = ("activation", "dense_code")
    saved_options = AutoencoderModel.saved_options + CONV_SAVED_OPTIONS + (
        opt.SavedOption("downsample", "one_of", choices=DOWNSAMPLING),
        opt.SavedOption("upsample", "one_of", choices=UPSAMPLING),
        opt.activation_option("activation"),
        opt.SavedOption("dense_code", "bool"),
    )
    train_options = (
        opt.TrainOption("filters", "int_list", minimum=1, maximum=opt.BUILDER_MAX_FILTERS, min_length=1,
                        max_length=opt.MAX_CONV_STAGES, layers=True),
        opt.TrainOption("activation", "one_of", choices=opt.BUILDER_ACTIVATIONS, layers=True),
        opt.TrainOption("downsample", "one_of", choices=DOWNSAMPLING, layers=True),
        opt.TrainOption("upsample", "one_of", choices=UPSAMPLING, layers=True),
        opt.TrainOption("dense_code", "flag", layers=True),
    )

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """Convolutions down, a Dense code and a Dense back up (unless the code is the
        feature map), convolutions up (pooling and up-sampling layers hold no weights)."""
        shape, latent = options["input_shape"], cls.saved_value(options, "latent_dim")
        filters, kernel = cls.saved_value(options, "filters"), cls.saved_value(options, "kernel_size")
        dense_code = cls.saved_value(options, "dense_code")
        features, flat = conv_feature_count(shape, filters, kernel)
        return (features + (opt.dense_parameters((flat, latent)) if dense_code else 0)
                + conv_decoder_count(shape, filters, kernel, latent, dense_code=dense_code))

    @classmethod
    def activation_values(cls, options: dict) -> int:
        return max(conv_activation_values(options["input_shape"], cls.saved_value(options, "filters")),
                   super().activation_values(options))

    @classmethod
    def fixed_latent_dim(cls, input_shape, options: dict) -> int | None:
        """Without a Dense code layer, the size of the last feature map (None while the
        image and filters do not fit together)."""
        if cls.saved_value(options, "dense_code"):
            return None
        filters = tuple(cls.saved_value(options, "filters"))
        if len(input_shape) != 3 or not filters or input_shape[0] % 2 ** len(filters) or input_shape[1] % 2 ** len(filters):
            return None
        height, width, channels = feature_map_shape(input_shape, filters)
        return height * width * channels

    def __init__(self, *, input_shape, latent_dim: int = 32, filters=(32, 64),
                 kernel_size: int = 3, downsample: str = "strided",
                 upsample: str = "transpose", activation: str = "relu", dense_code: bool = True,
                 loss: str = "mse", seed: int = 0, **kwargs):
        shape, filters, kernel_size = check_conv_options(
            self.kind, input_shape, filters, kernel_size, downsample, upsample)
        if not isinstance(dense_code, bool):
            raise ValueError(f"{self.kind}: dense_code must be True or False; got {dense_code!r}.")
        if not dense_code:
            check_feature_map_code(self.kind, shape, filters, latent_dim)
        super().__init__(input_shape=shape, latent_dim=latent_dim, loss=loss, seed=seed, **kwargs)
        self.filters, self.kernel_size = filters, kernel_size
        self.downsample, self.upsample = downsample, upsample
        self.activation = opt.check_activation("activation", activation, kind=self.kind)
        self.dense_code = dense_code
        inits = SeededInitializers(self.seed)
        inputs, features = build_conv_features(shape, filters, kernel_size, downsample, inits,
                                               activation=self.activation,
                                               flatten_name="flatten" if dense_code else "code")
        code = features
        if dense_code:
            code = keras.layers.Dense(self.latent_dim, kernel_initializer=inits.next(), name="code")(features)
        self.encoder = keras.Model(inputs, code, name="encoder")
        self.decoder = build_conv_decoder(shape, filters, kernel_size, upsample, self.latent_dim, inits,
                                          activation=self.activation, dense_code=dense_code)
        self.built = True
