"""Pictures in and out: uploads read safely, arrays shown as crisp PNGs and montages.

Pages show many small images; composing them into one picture here keeps the browser
fast (one image element instead of hundreds) and keeps the pixels crisp (nearest
neighbour upscaling, never the browser's blur).

Uploaded pictures (on the Latent map page, and inside zipped datasets) go through
:func:`read_picture`: only PNG and JPEG parsers ever see them, their size is checked
against our own pixel limit from the header before a pixel is decoded (Pillow's
decompression-bomb check only trips far higher), and whatever their mode (palette,
transparency, 16-bit, CMYK) they come out as 8-bit grey or RGB.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from latent_core.uploads import MAX_PICTURE_BYTES, UploadRefused, check_size

MAX_PICTURE_PIXELS = 4096 * 4096
PICTURE_FORMATS = ("PNG", "JPEG")
SIXTEEN_BIT_MODES = ("I;16", "I;16B", "I;16L", "I;16N")


class PictureError(UploadRefused, ValueError):
    """An uploaded picture cannot be used; ``code`` says why (see ``UploadRefused``)."""


@dataclass(frozen=True)
class Picture:
    """An uploaded picture decoded to 8-bit ``"L"`` or ``"RGB"``, with what it was before."""

    image: Image.Image
    original_mode: str
    is_colour: bool


def read_picture(payload: bytes, *, name: str = "the picture", max_pixels: int | None = None,
                 max_bytes: int = MAX_PICTURE_BYTES) -> Picture:
    """Decode an uploaded PNG or JPEG, refusing with a ``PictureError`` what cannot be used.

    Refused: an empty file or one over ``max_bytes``; anything that is not a PNG or JPEG
    (whatever its name); a picture of more than ``max_pixels`` pixels (default
    ``MAX_PICTURE_PIXELS``), judged from its header before decoding; a damaged or
    truncated one. Transparency is flattened onto white, as image viewers show it.
    """
    check_size(payload, max_bytes, PictureError, name)
    limit = MAX_PICTURE_PIXELS if max_pixels is None else max_pixels
    side = math.isqrt(limit)
    too_big = {"name": name, "limit": f"{limit:,}", "side": f"{side:,}"}
    try:
        image = Image.open(io.BytesIO(payload), formats=PICTURE_FORMATS)
    except Image.DecompressionBombError as error:  # Pillow's own check, far above ours
        raise PictureError(f"{name} is far larger than {limit:,} pixels ({error})", "too_many_pixels",
                           **too_big) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PictureError(f"{name} is not a readable image: not a PNG or JPEG file.",
                           "not_picture", name=name) from None
    if image.width * image.height > limit:
        raise PictureError(f"{name} is {image.width}×{image.height} pixels; pictures may have at most "
                           f"{limit:,} pixels.", "too_many_pixels", **too_big)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise PictureError(f"{name} is not a readable image: the file is damaged or cut short ({error}).",
                           "damaged_picture", name=name) from None
    return _normalised(image)


def _normalised(image: Image.Image) -> Picture:
    """8-bit grey or RGB. Pillow's own conversion clips 16-bit values to white, so those are
    scaled; palettes and transparency become RGBA first and are laid on white."""
    mode = image.mode
    if mode in SIXTEEN_BIT_MODES or mode in ("I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode in SIXTEEN_BIT_MODES or values.max() > 255 else 255.0
        grey = Image.fromarray((np.clip(values / top, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))
        return Picture(grey, mode, is_colour=False)
    if mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flattened = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flattened.alpha_composite(rgba)
        image = flattened.convert("RGB")
    elif mode not in ("L", "RGB"):
        image = image.convert("RGB" if mode in ("P", "CMYK", "YCbCr", "LAB", "HSV") else "L")
    if image.mode == "RGB":
        pixels = np.asarray(image)
        if (pixels == pixels[..., :1]).all():
            return Picture(image.convert("L"), mode, is_colour=False)
        return Picture(image, mode, is_colour=True)
    return Picture(image, mode, is_colour=False)


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
