"""Turning a drawing into an input that looks like the training data.

MNIST digits were made by cropping each handwritten digit to its ink, scaling it to fit
a 20×20 box while keeping its aspect ratio (anti-aliased, so edges turn grey) and
pasting it into a 28×28 field so that its centre of mass sits in the middle. A digit
drawn on a 280×280 canvas and merely shrunk to 28×28 looks nothing like that, so a
model reconstructs it badly. :func:`to_dataset_style` repeats those steps for any input
size (the 20/28 box proportion is kept, e.g. a 6×6 box in an 8×8 field) and matches the
data's polarity: bright ink on a dark ground, like MNIST, or the reverse.

Canvas pixels are RGBA arrays ``(H, W, 4)`` as ``streamlit-drawable-canvas`` returns
them; ink is the brightness of the strokes times their opacity, so both a black canvas
and a transparent one (drawn over a background image) work.
"""

from __future__ import annotations

import numpy as np
from PIL import Image
from scipy import ndimage

MNIST_BOX_FRACTION = 20 / 28
INK_THRESHOLD = 0.1


class EmptyDrawingError(ValueError):
    """The canvas holds no ink (nothing drawn yet, or everything erased)."""


def ink(rgba) -> np.ndarray:
    """The ink of canvas pixels as a float array ``(H, W)`` in [0, 1] (1 = full stroke).

    Accepts ``(H, W, 4)`` RGBA, ``(H, W, 3)`` RGB or ``(H, W)`` grey, uint8 in 0–255 or
    float in [0, 1]. ``None`` (a canvas that has not sent its pixels yet) counts as empty.
    Raises ``EmptyDrawingError`` when no pixel reaches ``INK_THRESHOLD``.
    """
    if rgba is None:
        raise EmptyDrawingError("Nothing has been drawn yet.")
    pixels = np.asarray(rgba)
    if pixels.ndim == 2:
        pixels = pixels[..., np.newaxis]
    if pixels.ndim != 3 or pixels.shape[-1] not in (1, 3, 4) or min(pixels.shape[:2]) == 0:
        raise ValueError(f"Expected canvas pixels shaped (H, W), (H, W, 3) or (H, W, 4); got {np.shape(rgba)}.")
    values = pixels.astype(np.float32) / (255.0 if np.issubdtype(pixels.dtype, np.integer) else 1.0)
    brightness = values[..., :3].mean(axis=-1) if values.shape[-1] >= 3 else values[..., 0]
    opacity = values[..., 3] if values.shape[-1] == 4 else 1.0
    strokes = np.clip(np.nan_to_num(brightness * opacity), 0.0, 1.0)
    if not np.any(strokes >= INK_THRESHOLD):
        raise EmptyDrawingError("The drawing is empty: draw something on the canvas.")
    return strokes


def has_bright_ink(images) -> bool:
    """True when ``images`` (n, h, w[, c]) draw bright shapes on a dark ground, as MNIST,
    Fashion-MNIST and the 8×8 digits do: the median of their border pixels is below 0.5."""
    array = np.asarray(images, dtype=np.float32)
    border = np.concatenate([array[:, 0, :].ravel(), array[:, -1, :].ravel(),
                             array[:, :, 0].ravel(), array[:, :, -1].ravel()])
    return bool(np.median(border) < 0.5)


def box_size(input_shape, box_fraction: float = MNIST_BOX_FRACTION) -> int:
    """Side of the square a drawing is scaled into: 20 for 28×28 inputs, 6 for 8×8."""
    return max(1, round(box_fraction * min(int(input_shape[0]), int(input_shape[1]))))


def _resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area-average when shrinking (anti-aliased like MNIST), bilinear when enlarging."""
    shrinking = height < image.shape[0] or width < image.shape[1]
    resample = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    resized = Image.fromarray(image.astype(np.float32)).resize((width, height), resample)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def _as_input(grey: np.ndarray, input_shape, bright_ink: bool) -> np.ndarray:
    """A grey ``(h, w)`` ink image as one model input of ``input_shape`` in the data's polarity."""
    pixels = grey if bright_ink else 1.0 - grey
    channels = input_shape[2] if len(input_shape) == 3 else 1
    return np.repeat(pixels[..., np.newaxis], channels, axis=-1).reshape(input_shape).astype(np.float32)


def _check_image_shape(input_shape) -> tuple[int, ...]:
    shape = tuple(int(d) for d in input_shape)
    if len(shape) not in (2, 3) or min(shape) < 1 or (len(shape) == 3 and shape[2] not in (1, 3)):
        raise ValueError(f"Drawings become images shaped (h, w), (h, w, 1) or (h, w, 3); got {shape}.")
    return shape


def to_dataset_style(rgba, input_shape=(28, 28, 1), *, bright_ink: bool = True,
                     box_fraction: float = MNIST_BOX_FRACTION) -> np.ndarray:
    """A canvas drawing prepared the way MNIST was made, shaped ``input_shape``, in [0, 1].

    Crop to the ink's bounding box, scale it into a box of ``box_fraction`` of the field
    keeping its aspect ratio, place it so its centre of mass is the field's centre (as
    near as the field allows without cutting ink off), and stretch its values so the
    strongest ink is 1. ``bright_ink=False`` gives dark ink on a
    light ground. Raises ``EmptyDrawingError`` for an empty drawing.
    """
    shape = _check_image_shape(input_shape)
    if not 0.0 < box_fraction <= 1.0:
        raise ValueError(f"box_fraction must be in (0, 1]; got {box_fraction!r}.")
    strokes = ink(rgba)
    rows, cols = np.nonzero(strokes >= INK_THRESHOLD)
    cropped = strokes[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]

    height, width = shape[:2]
    box = box_size(shape, box_fraction)
    scale = box / max(cropped.shape)
    scaled = _resize(cropped, max(1, round(cropped.shape[0] * scale)), max(1, round(cropped.shape[1] * scale)))
    scaled /= max(float(scaled.max()), 1e-6)

    field = np.zeros((height, width), dtype=np.float32)
    top, left = (height - scaled.shape[0]) // 2, (width - scaled.shape[1]) // 2
    field[top : top + scaled.shape[0], left : left + scaled.shape[1]] = scaled
    centre_row, centre_col = ndimage.center_of_mass(field)
    # Shift no further than the field's edges: small fields (8×8) have too thin a margin
    # for a top-heavy shape such as a 7 to be centred by mass without losing ink.
    offset = (int(np.clip(round(height / 2 - centre_row), -top, height - top - scaled.shape[0])),
              int(np.clip(round(width / 2 - centre_col), -left, width - left - scaled.shape[1])))
    centred = ndimage.shift(field, offset, order=0, mode="constant", cval=0.0)
    return _as_input(centred, shape, bright_ink)


def draw_over(image, rgba, *, bright_ink: bool = True) -> np.ndarray:
    """``image`` (h, w[, c]) with canvas strokes drawn over it as noise.

    The strokes were drawn on a canvas showing ``image`` stretched to the canvas size, so
    they are shrunk to the image's size (area average) and painted in the ink colour:
    bright on bright-ink data, dark otherwise. Raises ``EmptyDrawingError`` when there are
    no strokes.
    """
    base = np.asarray(image, dtype=np.float32)
    shape = _check_image_shape(base.shape)
    strokes = _resize(ink(rgba), shape[0], shape[1])
    if len(shape) == 3:
        strokes = strokes[..., np.newaxis]
    return np.maximum(base, strokes) if bright_ink else np.minimum(base, 1.0 - strokes)
