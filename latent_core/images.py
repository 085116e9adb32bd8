"""Pictures in and out: uploads read safely, arrays shown as crisp PNGs and montages, error heatmaps.

Pages show many small images; composing them into one picture here keeps the browser
fast (one image element instead of hundreds) and keeps the pixels crisp (nearest
neighbour upscaling, never the browser's blur). Error heatmaps (:func:`error_heatmaps`)
colour |x − x̂| on one fixed scale (:data:`ERROR_SCALE_TOP`, drawn by :func:`error_scale_bar`),
so the same colour means the same error on every page.

Uploaded pictures (on the Latent map page, and inside zipped datasets) go through
:func:`read_picture`, which parses them in a sandboxed child process
(``latent_core.sandbox``): only PNG and JPEG parsers ever see them, their size is checked
against our own pixel limit from the header before a pixel is decoded (Pillow's
decompression-bomb check only trips far higher), and whatever their mode (palette,
transparency, 16-bit, CMYK) they come out as 8-bit grey or RGB. :func:`decode_picture` is
the same parse in this process, for code already inside the sandbox (a zip's pictures);
:func:`picture_size` reads only a picture's header. A drawing canvas's pixels arrive from
the browser as a PNG, decoded in the sandbox too (:func:`read_canvas`).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import Image, UnidentifiedImageError

from latent_core import sandbox
from latent_core.uploads import (
    MAX_PICTURE_BYTES,
    ParseLimits,
    UploadRefused,
    check_size,
    parse_limits,
)

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
                 max_bytes: int = MAX_PICTURE_BYTES, limits: ParseLimits | None = None) -> Picture:
    """Decode an uploaded PNG or JPEG in the sandbox, refusing with a ``PictureError`` what
    cannot be used (see :func:`decode_picture`), or what costs more than ``limits`` (default:
    ``uploads.parse_limits()``) to decode."""
    check_size(payload, max_bytes, PictureError, name)
    limit = MAX_PICTURE_PIXELS if max_pixels is None else max_pixels
    metadata, arrays = sandbox.run("picture", payload, {"name": name, "max_pixels": limit, "max_bytes": max_bytes},
                                   name=name, limits=parse_limits() if limits is None else limits, error=PictureError)
    pixels = arrays.get("pixels")
    colour = metadata.get("is_colour")
    mode = metadata.get("original_mode")
    if (pixels is None or pixels.dtype != np.uint8 or not isinstance(colour, bool) or not isinstance(mode, str)
            or pixels.ndim != (3 if colour else 2)
            or (colour and pixels.shape[2] != 3) or pixels.shape[0] * pixels.shape[1] > limit):
        raise PictureError(f"{name} is not a readable image: its decoding went wrong.", "damaged_picture", name=name)
    return Picture(Image.fromarray(pixels, "RGB" if colour else "L"), mode[:16], is_colour=colour)


def decode_in_child(payload: bytes, options: dict) -> tuple[dict, dict[str, np.ndarray]]:
    """The sandbox's "picture" task: :func:`decode_picture`'s result as plain values."""
    picture = decode_picture(payload, name=str(options["name"]), max_pixels=int(options["max_pixels"]),
                             max_bytes=int(options["max_bytes"]))
    return ({"original_mode": picture.original_mode, "is_colour": picture.is_colour},
            {"pixels": np.asarray(picture.image, dtype=np.uint8)})


def read_canvas(payload: bytes, *, max_side: int, limits: ParseLimits | None = None) -> np.ndarray:
    """A drawing canvas's PNG, as the browser sent it, decoded in the sandbox to RGBA pixels
    ``(h, w, 4)`` uint8. The browser is not trusted either: anything but a PNG of at most
    ``max_side`` pixels a side is refused with a ``PictureError``."""
    name = "the drawing"
    _, arrays = sandbox.run("canvas", payload, {"max_side": max_side}, name=name,
                            limits=parse_limits() if limits is None else limits, error=PictureError)
    pixels = arrays.get("pixels")
    if pixels is None or pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 4 \
            or max(pixels.shape[:2]) > max_side:
        raise PictureError(f"{name} is not a readable image: its decoding went wrong.", "damaged_picture", name=name)
    return pixels


def canvas_in_child(payload: bytes, options: dict) -> tuple[dict, dict[str, np.ndarray]]:
    """The sandbox's "canvas" task: a PNG of at most ``max_side`` a side as RGBA pixels."""
    name, max_side = "the drawing", int(options["max_side"])
    check_size(payload, MAX_PICTURE_BYTES, PictureError, name)
    try:
        image = Image.open(io.BytesIO(payload), formats=("PNG",))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise PictureError(f"{name} is not a readable image: not a PNG file.", "not_picture", name=name) from None
    if max(image.size) > max_side:
        raise _too_many_pixels(name, max_side * max_side, f"is {image.width}×{image.height} pixels")
    try:
        pixels = np.asarray(image.convert("RGBA"), dtype=np.uint8)
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise PictureError(f"{name} is not a readable image: the file is damaged or cut short ({error}).",
                           "damaged_picture", name=name) from None
    return {}, {"pixels": pixels}


def picture_size(handle: BinaryIO, name: str) -> tuple[int, int]:
    """A PNG's or JPEG's width and height, from its header alone (Pillow opens lazily).

    Refused with a ``PictureError``: an empty file, anything that is not a PNG or JPEG, and
    a picture beyond Pillow's own decompression-bomb limit.
    """
    if not handle.read(1):
        raise PictureError(f"{name} is empty.", "empty", name=name)
    handle.seek(0)
    try:
        with Image.open(handle, formats=PICTURE_FORMATS) as image:
            return image.width, image.height
    except Image.DecompressionBombError as error:  # Pillow's own check, far above ours
        raise _too_many_pixels(name, MAX_PICTURE_PIXELS, f"is beyond even Pillow's decompression-bomb limit ({error})") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise PictureError(f"{name} is not a readable image: not a PNG or JPEG file.",
                           "not_picture", name=name) from None


def _too_many_pixels(name: str, limit: int, particulars: str) -> PictureError:
    return PictureError(f"{name} {particulars}; pictures may have at most {limit:,} pixels.", "too_many_pixels",
                        name=name, limit=f"{limit:,}", side=f"{math.isqrt(limit):,}")


def decode_picture(payload: bytes, *, name: str = "the picture", max_pixels: int | None = None,
                   max_bytes: int = MAX_PICTURE_BYTES) -> Picture:
    """Decode a PNG or JPEG in this process, refusing with a ``PictureError`` what cannot be used.

    Refused: an empty file or one over ``max_bytes``; anything that is not a PNG or JPEG
    (whatever its name); a picture of more than ``max_pixels`` pixels (default
    ``MAX_PICTURE_PIXELS``), judged from its header before decoding; a damaged or
    truncated one. Transparency is flattened onto white, as image viewers show it.
    Untrusted bytes belong in :func:`read_picture`, which runs this in the sandbox.
    """
    check_size(payload, max_bytes, PictureError, name)
    limit = MAX_PICTURE_PIXELS if max_pixels is None else max_pixels
    width, height = picture_size(io.BytesIO(payload), name)
    if width * height > limit:
        raise _too_many_pixels(name, limit, f"is {width}×{height} pixels")
    try:
        image = Image.open(io.BytesIO(payload), formats=PICTURE_FORMATS)
        image.load()
    except (OSError, ValueError, SyntaxError, EOFError, UnidentifiedImageError) as error:
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


def png_bytes(image: Image.Image, *, compress_level: int = 6) -> bytes:
    """A PIL image encoded as PNG (zlib ``compress_level``, PIL's default 6), for downloads."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


SHOWN_PNG_LEVEL = 1
"""The zlib level of the pictures pages show: about a third of level 6's encoding time for files
15-40% larger (a few KB each). A page encodes its pictures again on every run, for every student
of a class on one server, while a browser fetches each distinct picture once."""


def shown_png(image: Image.Image) -> bytes:
    """A picture for ``st.image``, encoded as PNG at ``SHOWN_PNG_LEVEL``: Streamlit passes PNG bytes
    through as they are, where it would encode a PIL image at level 6 itself."""
    return png_bytes(image, compress_level=SHOWN_PNG_LEVEL)


ERROR_SCALE_TOP = 1.0
"""The top of every error heatmap's colour scale: pixels lie in [0, 1], so an error of 1
(black where white should be) is the brightest colour on every page, and two heatmaps
with the same colour have the same error."""

# Anchors of a black → purple → red → orange → pale-yellow scale (matplotlib's "inferno"
# at 0, ¼, ½, ¾ and 1): dark where the reconstruction is right, bright where it is wrong.
_ERROR_COLOURS = np.array([(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)],
                          dtype=np.float32) / 255.0


def absolute_error(originals: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """|x − x̂| per pixel of images shaped ``(..., h, w, c)``, averaged over colour channels: ``(..., h, w)``."""
    originals = np.asarray(originals, dtype=np.float32)
    reconstructions = np.asarray(reconstructions, dtype=np.float32)
    if originals.shape != reconstructions.shape or originals.ndim < 3:
        raise ValueError(f"originals and reconstructions must be images of one shape (..., h, w, c); got "
                         f"{originals.shape} and {reconstructions.shape}.")
    return np.abs(np.nan_to_num(originals) - np.nan_to_num(reconstructions)).mean(axis=-1)


def error_colours(errors: np.ndarray) -> np.ndarray:
    """Errors ``(..., h, w)`` as RGB ``(..., h, w, 3)`` in [0, 1] on the fixed scale 0 … ``ERROR_SCALE_TOP``."""
    position = np.clip(np.asarray(errors, dtype=np.float32) / ERROR_SCALE_TOP, 0.0, 1.0) * (len(_ERROR_COLOURS) - 1)
    below = np.minimum(position.astype(np.int64), len(_ERROR_COLOURS) - 2)
    weight = (position - below)[..., np.newaxis]
    return (1.0 - weight) * _ERROR_COLOURS[below] + weight * _ERROR_COLOURS[below + 1]


def error_heatmaps(originals: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Where reconstructions differ from their originals, as RGB images ``(..., h, w, 3)`` on the fixed
    scale, ready for :func:`upscale` and :func:`montage` (crisp, nearest-neighbour)."""
    return error_colours(absolute_error(originals, reconstructions))


def as_rgb(images: np.ndarray) -> np.ndarray:
    """Images ``(..., h, w, 1)`` or ``(..., h, w, 3)`` as three-channel images, to lay beside heatmaps."""
    images = np.asarray(images)
    return np.repeat(images, 3, axis=-1) if images.shape[-1] == 1 else images


def error_scale_bar(width: int = 240, height: int = 14) -> Image.Image:
    """The heatmaps' colour scale from error 0 (left) to ``ERROR_SCALE_TOP`` (right), as a picture."""
    row = error_colours(np.linspace(0.0, ERROR_SCALE_TOP, width, dtype=np.float32))
    return Image.fromarray(to_uint8(np.repeat(row[np.newaxis], height, axis=0)))
