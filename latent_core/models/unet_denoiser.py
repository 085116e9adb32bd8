"""``unet_denoiser``: a convolutional autoencoder with skip connections (U-Net style),
trained to undo corruption.

The encoder is a stack of levels: at each one a 3×3 convolution with ``filters[i]``
filters, then ``MaxPooling2D`` halves the image; the last entry of ``filters`` is the
bottleneck's convolution, at the smallest size. The decoder climbs back level by level:
``UpSampling2D`` doubles the map, a **skip connection** concatenates the encoder's
feature map of the same size, and a 3×3 convolution with that level's filters mixes
the two. ``convs_per_level`` (1 or 2) stacks that many 3×3 convolutions wherever there
is one (the classic U-Net has two: each sees a 5×5 neighbourhood instead of 3×3). A 3×3 convolution to the image's channels gives the output: a sigmoid, or with
``residual`` the noisy input plus a correction, clipped to [0, 1] (the network learns
the noise, ``x + f(x)``).

Training corrupts each input as ``denoising_ae`` does (``noise_kinds``,
``noise_strength``) and compares the output with the clean image. The skip
connections carry full-resolution detail past the bottleneck, which is why it
denoises better than a bottleneck autoencoder, and also why it has no latent code:
``encode`` and ``decode`` raise ``NoLatentError`` and only ``reconstruct`` (image in,
image out) works. ``latent_dim`` is the size of the bottleneck's feature map, shown as
a description only.
"""

from __future__ import annotations

import math

from latent_core.frameworks import keras

from latent_core.models import noise
from latent_core.models import options as opt
from latent_core.models.autoencoder import AutoencoderModel
from latent_core.models.base import (
    SERIALIZATION_PACKAGE,
    NoLatentError,
    SeededInitializers,
    reconstruction_error,
)
from latent_core.models.denoising_ae import check_noise_options

MAX_UNET_LEVELS = 4  # up to three poolings: 28×28 images halve twice, 32×32 three times
MAX_CONVS_PER_LEVEL = 2  # one (the simplest) or two (the classic U-Net's) 3×3 convolutions per level
# The bottleneck's size can exceed a code's ``MAX_LATENT_DIM``; it is only described.
MAX_BOTTLENECK_VALUES = opt.MAX_INPUT_VALUES * opt.MAX_FILTERS


def check_convs_per_level(kind, convs_per_level) -> int:
    """Validate how many 3×3 convolutions each level stacks: 1 or 2."""
    if (isinstance(convs_per_level, bool) or not isinstance(convs_per_level, int)
            or not 1 <= convs_per_level <= MAX_CONVS_PER_LEVEL):
        raise ValueError(f"{kind}: convs_per_level must be 1 or {MAX_CONVS_PER_LEVEL} (convolutions per level); "
                         f"got {convs_per_level!r}.")
    return convs_per_level


def check_unet_options(kind, input_shape, filters):
    """Validate the image shape and the filters per level; return them normalised."""
    shape = opt.check_input_shape(input_shape, kind=kind, image_only=True)
    filters = opt.check_int_tuple("filters", filters, kind=kind, allow_empty=False)
    if len(filters) < 2:
        raise ValueError(f"{kind}: filters needs at least two levels (one pooling and the bottleneck); "
                         f"got {list(filters)}.")
    if len(filters) > MAX_UNET_LEVELS:
        raise ValueError(f"{kind}: filters has at most {MAX_UNET_LEVELS} levels; got {len(filters)}.")
    opt.check_divisible(shape, 2 ** (len(filters) - 1), kind=kind,
                        why=f"{len(filters) - 1} poolings each halve the image")
    return shape, filters


def bottleneck_values(input_shape, filters) -> int:
    """Values in the bottleneck's feature map: the image halved once per pooling, times its filters."""
    factor = 2 ** (len(filters) - 1)
    return (input_shape[0] // factor) * (input_shape[1] // factor) * filters[-1]


def _conv_stack(h, n, count, inits, name):
    """``count`` 3×3 ReLU convolutions with ``n`` filters; the first is called ``name``, the
    second ``name_2`` (so models with one convolution per level keep their layer names)."""
    for j in range(count):
        h = keras.layers.Conv2D(n, 3, padding="same", activation="relu", kernel_initializer=inits.next(),
                                name=name if j == 0 else f"{name}_{j + 1}")(h)
    return h


def build_unet(input_shape, filters, inits, *, residual: bool, convs_per_level: int = 1) -> keras.Model:
    """The functional network: image in, denoised image out, with one skip per level."""
    inputs = keras.Input(shape=input_shape, name="image")
    h, skips = inputs, []
    for i, n in enumerate(filters[:-1]):
        h = _conv_stack(h, n, convs_per_level, inits, f"down_{i}")
        skips.append(h)
        h = keras.layers.MaxPooling2D(2, name=f"pool_{i}")(h)
    h = _conv_stack(h, filters[-1], convs_per_level, inits, "bottleneck")
    for i in reversed(range(len(skips))):
        h = keras.layers.UpSampling2D(2, name=f"upsample_{i}")(h)
        h = keras.layers.Concatenate(name=f"skip_{i}")([h, skips[i]])
        h = _conv_stack(h, filters[i], convs_per_level, inits, f"up_{i}")
    if residual:
        correction = keras.layers.Conv2D(input_shape[2], 3, padding="same", activation="linear",
                                         kernel_initializer=inits.next(), name="correction")(h)
        added = keras.layers.Add(name="input_plus_correction")([inputs, correction])
        outputs = keras.layers.ReLU(max_value=1.0, name="output")(added)  # clipped to [0, 1]
    else:
        outputs = keras.layers.Conv2D(input_shape[2], 3, padding="same", activation="sigmoid",
                                      kernel_initializer=inits.next(), name="output")(h)
    return keras.Model(inputs, outputs, name="unet")


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class UNetDenoiser(AutoencoderModel):
    """Conv autoencoder with skip connections, trained on corrupted inputs and clean targets."""

    kind = "unet_denoiser"
    title = "U-Net denoiser"
    has_latent = False
    image_only = True
    training_ms_per_image = 1.4  # CPU ms per image-epoch, benchmarks/bench_training_cost.py
    option_names = ("filters", "convs_per_level", "residual", "noise_kinds", "noise_strength")
    added_options = ("convs_per_level",)  # left out at its default: bundles saved before it still match
    saved_options = tuple(option for option in AutoencoderModel.saved_options if option.name != "latent_dim") + (
        opt.int_option("latent_dim", MAX_BOTTLENECK_VALUES),
        opt.SavedOption("filters", "int_list", minimum=1, maximum=opt.MAX_FILTERS, min_length=2,
                        max_length=MAX_UNET_LEVELS),
        opt.int_option("convs_per_level", MAX_CONVS_PER_LEVEL),
        opt.SavedOption("residual", "bool"),
        opt.SavedOption("noise_kinds", "some_of", choices=noise.NOISE_KINDS, min_length=1,
                        max_length=len(noise.NOISE_KINDS)),
        opt.SavedOption("noise_strength", "float_pair", minimum=0.0, maximum=1.0),
    )
    train_options = (
        opt.TrainOption("filters", "int_list", minimum=1, maximum=opt.BUILDER_MAX_FILTERS, min_length=2,
                        max_length=MAX_UNET_LEVELS, layers=True),
        opt.TrainOption("convs_per_level", "one_of", choices=tuple(range(1, MAX_CONVS_PER_LEVEL + 1)), layers=True),
        opt.TrainOption("residual", "flag", layers=True),
        opt.TrainOption("noise_kinds", "some_of", choices=noise.NOISE_KINDS),
        opt.TrainOption("noise_strength", "range", minimum=0.0, maximum=1.0, step=0.05),
    )

    @classmethod
    def weight_count(cls, options: dict) -> int:
        """3×3 convolutions per level down, the bottleneck's, those per level up (the first over
        the up-sampled map and its skip), and the output convolution."""
        channels = options["input_shape"][2]
        filters = tuple(cls.saved_value(options, "filters"))
        repeat = cls.saved_value(options, "convs_per_level") - 1
        down = sum(opt.conv_parameters(3, (before, n, *[n] * repeat))
                   for before, n in zip((channels, *filters), filters))
        up = sum(opt.conv_parameters(3, (filters[i + 1] + filters[i], filters[i], *[filters[i]] * repeat))
                 for i in range(len(filters) - 1))
        return down + up + opt.conv_parameters(3, (filters[0], channels))

    @classmethod
    def activation_values(cls, options: dict) -> int:
        """The top level's concatenated map: full resolution, its filters twice over."""
        height, width, channels = options["input_shape"]
        filters = cls.saved_value(options, "filters")
        return max(height * width * max(filters[0] + filters[1], channels), math.prod(options["input_shape"]))

    @classmethod
    def fixed_latent_dim(cls, input_shape, options: dict) -> int | None:
        """The bottleneck's size (None while the image and filters do not fit together)."""
        filters = tuple(cls.saved_value(options, "filters"))
        if len(input_shape) != 3 or len(filters) < 2:
            return None
        factor = 2 ** (len(filters) - 1)
        if input_shape[0] % factor or input_shape[1] % factor:
            return None
        return bottleneck_values(input_shape, filters)

    def __init__(self, *, input_shape, latent_dim: int | None = None, filters=(32, 64),
                 convs_per_level: int = 1, residual: bool = False, noise_kinds=("gaussian",), noise_strength=(0.1, 0.5),
                 loss: str = "mse", seed: int = 0, **kwargs):
        shape, filters = check_unet_options(self.kind, input_shape, filters)
        convs_per_level = check_convs_per_level(self.kind, convs_per_level)
        if not isinstance(residual, bool):
            raise ValueError(f"{self.kind}: residual must be True or False; got {residual!r}.")
        kinds, strength_range = check_noise_options(self.kind, noise_kinds, noise_strength)
        size = bottleneck_values(shape, filters)
        if latent_dim is not None and latent_dim != size:
            raise opt.SettingsRefused(
                f"{self.kind}: latent_dim is the bottleneck's size, {size} values for these filters; "
                f"got {latent_dim}.", "code_is_feature_map", size=size, shape=f"{filters[-1]} filters")
        super().__init__(input_shape=shape, latent_dim=size, loss=loss, seed=seed, **kwargs)
        self.filters, self.convs_per_level, self.residual = filters, convs_per_level, residual
        self.noise_kinds, self.noise_strength = kinds, strength_range
        self.noise_seed = keras.random.SeedGenerator(self.seed, name="noise_seed")
        self.network = build_unet(shape, filters, SeededInitializers(self.seed), residual=residual,
                                  convs_per_level=convs_per_level)
        self.built = True

    def submodels(self) -> list[keras.Model]:
        return [self.network]

    def corrupt(self, x):
        return noise.corrupt(x, kinds=self.noise_kinds, strength_range=self.noise_strength,
                             seed=self.noise_seed)

    def call(self, inputs, training=False):
        return self.network(inputs, training=training)

    def _loss_terms(self, x, training: bool):
        outputs = self.network(self.corrupt(x), training=training)
        return keras.ops.mean(reconstruction_error(x, outputs, self.loss_name)), 0.0

    def _reconstruct_tensor(self, x):
        return self.network(x, training=False)

    def encode(self, x):
        raise NoLatentError(
            f"{self.kind} has no latent code: its skip connections carry the image past the "
            "bottleneck, so the bottleneck alone does not describe it. Use reconstruct(x).")

    def decode(self, z):
        raise NoLatentError(
            f"{self.kind} has no latent code to decode: its output needs the skip connections' "
            "feature maps of an input image. Use reconstruct(x).")

