"""Turning model arrays into pictures: uint8 conversion, upscaling and montages.

Pages show many small images; composing them into one picture here keeps the browser
fast (one image element instead of hundreds) and keeps the pixels crisp (nearest
neighbour upscaling, never the browser's blur).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def to_uint8(image: np.ndarray) -> np.ndarray:
    """A float image in [0, 1] (``(h, w)``, ``(h, w, 1)`` or ``(h, w, 3)``) as uint8 pixels."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(f"Expected an image shaped (h, w), (h, w, 1) or (h, w, 3), got {image.shape}.")
    return (np.clip(np.nan_to_num(image), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def upscale(image: np.ndarray, size: int) -> Image.Image:
    """A float image as a PIL image whose longer side is ``size`` pixels, nearest-neighbour scaled."""
    pixels = to_uint8(image)
    height, width = pixels.shape[:2]
    factor = max(1, round(size / max(height, width)))
    return Image.fromarray(pixels).resize((width * factor, height * factor), Image.Resampling.NEAREST)


def montage(images: np.ndarray, *, columns: int, cell: int = 56, padding: int = 2,
            background: int = 255) -> Image.Image:
    """Lay float images out in a grid, each upscaled to ``cell`` pixels, as one PIL image."""
    images = np.asarray(images)
    if len(images) == 0:
        raise ValueError("montage needs at least one image.")
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}.")
    tiles = [upscale(image, cell) for image in images]
    tile_w, tile_h = tiles[0].size
    rows = -(-len(tiles) // columns)
    mode = tiles[0].mode
    fill = background if mode == "L" else (background,) * 3
    sheet = Image.new(mode, (columns * (tile_w + padding) + padding, rows * (tile_h + padding) + padding), fill)
    for index, tile in enumerate(tiles):
        row, column = divmod(index, columns)
        sheet.paste(tile, (padding + column * (tile_w + padding), padding + row * (tile_h + padding)))
    return sheet


def png_bytes(image: Image.Image) -> bytes:
    """A PIL image encoded as PNG, for downloads."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
