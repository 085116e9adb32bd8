"""``denoising_ae``: a convolutional autoencoder trained to undo corruption.

During training the encoder sees a corrupted copy of each image (Gaussian noise by
default, optionally salt-and-pepper or random strokes, one kind per image) at a
strength drawn per image from ``noise_strength``; the loss compares the output with
the clean image. At inference ``reconstruct(noisy)`` returns the denoised image.
"""

from __future__ import annotations

from latent_core.frameworks import keras

from latent_core.models import noise
from latent_core.models import options as opt
from latent_core.models.base import SERIALIZATION_PACKAGE
from latent_core.models.conv_ae import ConvAutoencoder


def check_noise_options(kind, noise_kinds, noise_strength):
    """Return (tuple of noise kinds, (low, high) strength range) after validation."""
    if isinstance(noise_kinds, str):
        noise_kinds = (noise_kinds,)
    kinds = tuple(noise_kinds)
    if not kinds:
        raise ValueError(f"{kind}: noise_kinds needs at least one of {', '.join(noise.NOISE_KINDS)}.")
    for name in kinds:
        opt.check_choice("every entry of noise_kinds", name, noise.NOISE_KINDS, kind=kind)
    if isinstance(noise_strength, (int, float)):
        noise_strength = (noise_strength, noise_strength)
    try:
        low, high = (float(v) for v in noise_strength)
    except (TypeError, ValueError):
        raise ValueError(
            f"{kind}: noise_strength must be a number or a (low, high) pair in [0, 1], "
            f"such as 0.2 or (0.1, 0.5); got {noise_strength!r}."
        ) from None
    if not 0.0 <= low <= high <= 1.0:
        raise ValueError(
            f"{kind}: noise_strength needs 0 <= low <= high <= 1; got ({low}, {high})."
        )
    return kinds, (low, high)


@keras.saving.register_keras_serializable(package=SERIALIZATION_PACKAGE)
class DenoisingAutoencoder(ConvAutoencoder):
    """Conv autoencoder whose training inputs are corrupted and targets clean."""

    kind = "denoising_ae"
    title = "denoising AE"
    option_names = ConvAutoencoder.option_names + ("noise_kinds", "noise_strength")
    saved_options = ConvAutoencoder.saved_options + (
        opt.SavedOption("noise_kinds", "some_of", choices=noise.NOISE_KINDS, min_length=1,
                        max_length=len(noise.NOISE_KINDS)),
        opt.SavedOption("noise_strength", "float_pair", minimum=0.0, maximum=1.0),
    )
    train_options = (
        opt.TrainOption("noise_kinds", "some_of", choices=noise.NOISE_KINDS),
        opt.TrainOption("noise_strength", "range", minimum=0.0, maximum=1.0, step=0.05),
    )

    def __init__(self, *, input_shape, latent_dim: int = 32, noise_kinds=("gaussian",),
                 noise_strength=(0.1, 0.5), seed: int = 0, **kwargs):
        kinds, strength_range = check_noise_options(self.kind, noise_kinds, noise_strength)
        super().__init__(input_shape=input_shape, latent_dim=latent_dim, seed=seed, **kwargs)
        self.noise_kinds, self.noise_strength = kinds, strength_range
        self.noise_seed = keras.random.SeedGenerator(self.seed, name="noise_seed")

    def corrupt(self, x):
        return noise.corrupt(x, kinds=self.noise_kinds, strength_range=self.noise_strength,
                             seed=self.noise_seed)
