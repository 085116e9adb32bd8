"""Image corruptions for denoising: Gaussian noise, salt-and-pepper, random strokes.

One implementation in backend ops serves both the denoising autoencoder's training
step (a ``keras.random.SeedGenerator`` gives fresh noise every batch) and the app
(``add_noise`` on NumPy images with an int seed gives the same noise every time).
Images are (n, height, width, channels) in [0, 1]; ``strength`` is in [0, 1]: the noise
standard deviation, the fraction of flipped pixels, or each stroke's chance to appear.
"""

from __future__ import annotations

from latent_core.frameworks import keras
import numpy as np

NOISE_KINDS = ("gaussian", "salt_pepper", "strokes")
MAX_STROKES = 4


def _per_image(strength, x):
    return keras.ops.reshape(strength, (-1,) + (1,) * (len(x.shape) - 1))


def gaussian(x, strength, seed):
    """Add N(0, strength²) noise per pixel, clipped back to [0, 1]."""
    noise = keras.random.normal(keras.ops.shape(x), seed=seed)
    return keras.ops.clip(x + _per_image(strength, x) * noise, 0.0, 1.0)


def salt_pepper(x, strength, seed):
    """Set a ``strength`` fraction of pixels to 0 or 1 at random."""
    shape = keras.ops.shape(x)
    hit = keras.random.uniform(shape, seed=seed) < _per_image(strength, x)
    salt = keras.ops.cast(keras.random.uniform(shape, seed=seed) < 0.5, x.dtype)
    return keras.ops.where(hit, salt, x)


def strokes(x, strength, seed):
    """Draw up to ``MAX_STROKES`` random white line segments; each appears with
    probability ``strength``. Mimics scribbles drawn over an image."""
    ops = keras.ops
    batch = ops.shape(x)[0]
    height, width = int(x.shape[1]), int(x.shape[2])
    scale = ops.convert_to_tensor([height, width], dtype="float32")
    start = keras.random.uniform((batch, MAX_STROKES, 1, 1, 2), seed=seed) * scale
    end = keras.random.uniform((batch, MAX_STROKES, 1, 1, 2), seed=seed) * scale
    present = keras.random.uniform((batch, MAX_STROKES, 1, 1), seed=seed) < ops.reshape(
        strength, (-1, 1, 1, 1))
    rows, cols = ops.meshgrid(ops.arange(height, dtype="float32") + 0.5,
                              ops.arange(width, dtype="float32") + 0.5, indexing="ij")
    pixels = ops.reshape(ops.stack([rows, cols], axis=-1), (1, 1, height, width, 2))
    direction = end - start
    along = ops.sum((pixels - start) * direction, axis=-1) / ops.maximum(
        ops.sum(direction * direction, axis=-1), 1e-6)
    nearest = start + ops.expand_dims(ops.clip(along, 0.0, 1.0), -1) * direction
    distance = ops.sqrt(ops.sum(ops.square(pixels - nearest), axis=-1))
    radius = max(0.5, 0.05 * min(height, width))
    on_stroke = ops.any(ops.logical_and(distance <= radius, present), axis=1)
    return ops.where(ops.expand_dims(on_stroke, -1), ops.ones_like(x), x)


_CORRUPTIONS = {"gaussian": gaussian, "salt_pepper": salt_pepper, "strokes": strokes}


def corrupt(x, *, kinds, strength_range, seed):
    """Corrupt each image with one of ``kinds`` (picked at random per image) at a
    strength drawn uniformly from ``strength_range`` (low, high)."""
    ops = keras.ops
    batch = ops.shape(x)[0]
    low, high = strength_range
    strength = keras.random.uniform((batch,), minval=low, maxval=high + 1e-12, seed=seed)
    if len(kinds) == 1:
        return _CORRUPTIONS[kinds[0]](x, strength, seed)
    choice = keras.random.randint((batch,), 0, len(kinds), seed=seed)
    result = x
    for index, kind in enumerate(kinds):
        picked = _per_image(ops.equal(choice, index), x)
        result = ops.where(picked, _CORRUPTIONS[kind](x, strength, seed), result)
    return result


def add_noise(images, *, kind: str = "gaussian", strength: float = 0.2, seed: int = 0) -> np.ndarray:
    """NumPy images (n, h, w, c) in [0, 1] with one kind of noise at a fixed strength."""
    if kind not in _CORRUPTIONS:
        raise ValueError(f"noise kind must be one of {', '.join(NOISE_KINDS)}; got {kind!r}.")
    if not 0.0 <= float(strength) <= 1.0:
        raise ValueError(f"noise strength must be in [0, 1]; got {strength!r}.")
    array = np.asarray(images, dtype=np.float32)
    if array.ndim != 4:
        raise ValueError(f"add_noise expects images of shape (n, h, w, c); got {array.shape}.")
    generator = keras.random.SeedGenerator(seed)
    strength_per_image = np.full((len(array),), float(strength), dtype=np.float32)
    noisy = _CORRUPTIONS[kind](keras.ops.convert_to_tensor(array), strength_per_image, generator)
    return np.asarray(keras.ops.convert_to_numpy(noisy), dtype=np.float32)
