"""What users upload as a dataset: an ``.npz`` of arrays or a zip of pictures, one folder per class.

``load_user_dataset(source)`` reads either into a :class:`latent_core.data.Dataset`. The
file is parsed in a sandboxed child process (``latent_core.sandbox``, task "dataset",
:func:`parse_in_child`) under ``uploads.ParseLimits``, lowered on a hosted server; what
comes back is the images, the labels and the class names, checked again here.

An ``.npz`` must hold exactly the members ``x.npy`` and, optionally, ``y.npy``. Each is
read from its own zip member in one pass: its ``.npy`` header (dtype, shape, unpacked size)
is checked, then exactly those bytes fill an array of that dtype and shape, never
unpickled. A zip is read in memory, never extracted: every picture's size is read from its
header first and the pixels of all of them are capped together before any is decoded;
decoding then stops at a byte budget or a time limit, and each picture goes through
``latent_core.images.decode_picture``. Anything malformed raises :class:`DataFormatError`
whose ``code`` names the problem, so the interface can say it in any language; nothing is
returned until the whole file passed.
"""

from __future__ import annotations

import io
import logging
import math
import re
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from latent_core import sandbox
from latent_core.data import Dataset
from latent_core.images import (
    MAX_PICTURE_PIXELS,
    PictureError,
    decode_picture,
    picture_size,
)
from latent_core.uploads import (
    MAX_DATASET_BYTES,
    MAX_PICTURE_BYTES,
    ParseLimits,
    UploadRefused,
    check_size,
    megabytes,
    parse_limits,
    read_file_within,
)

logger = logging.getLogger(__name__)

# Limits for user uploads: enough for any classroom dataset, small enough that a
# hostile file cannot exhaust the server. What they may unpack to is in ``ParseLimits``.
MAX_USER_IMAGES = 20_000
MAX_USER_CLASSES = 1_000
MAX_IMAGE_PIXELS = MAX_PICTURE_PIXELS
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
NPZ_MEMBERS = ("x.npy", "y.npy")
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError)


class DataFormatError(UploadRefused, ValueError):
    """An uploaded data file is malformed; the message says what is wrong and what was
    expected, and ``code`` names the problem so the interface can say it in any language."""


def load_user_dataset(source: str | Path | bytes, *, filename: str | None = None,
                      image_size: tuple[int, int] = (28, 28), channels: int = 1,
                      test_fraction: float = 0.2, seed: int = 0,
                      max_bytes: int = MAX_DATASET_BYTES, limits: ParseLimits | None = None) -> Dataset:
    """Read an uploaded ``.npz`` or zip of images into a :class:`Dataset`.

    ``source`` is a path or the file's bytes (then ``filename`` tells the format), at
    most ``max_bytes`` long. Images are resized to ``image_size`` and converted to
    ``channels`` (1 grey, 3 RGB). The file is parsed in the sandbox under ``limits``
    (default: ``uploads.parse_limits()``, lower when hosted).
    Anything unusable raises :class:`DataFormatError` whose ``code`` names the problem;
    nothing is returned until the whole file has been checked.
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (colour), got {channels}.")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}.")
    if isinstance(source, (str, Path)):
        filename = filename or Path(source).name
        payload = read_file_within(Path(source), max_bytes, DataFormatError, filename)
    else:
        payload = bytes(source)
    if not filename:
        raise ValueError("Pass filename= with raw bytes so the format (.npz or .zip) is known.")
    check_size(payload, max_bytes, DataFormatError, filename)
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in (".npz", ".zip"):
        raise DataFormatError(f"{filename}: expected an .npz file or a .zip of images, not '{suffix or 'no extension'}'.",
                              "wrong_type", name=filename, suffix=suffix or "—")
    limits = parse_limits() if limits is None else limits
    options = {"filename": filename, "image_size": [int(side) for side in image_size], "channels": channels,
               "max_array_bytes": limits.max_array_bytes, "max_pixels": limits.max_pixels,
               "max_seconds": limits.max_seconds}
    metadata, arrays = sandbox.run("dataset", payload, options, name=filename, limits=limits, error=DataFormatError)
    images, labels, class_names = _checked_result(metadata, arrays, filename, tuple(image_size), channels)
    return _split_user_data(PurePosixPath(filename).stem, images, labels, class_names,
                            f"uploaded file {filename}", test_fraction, seed)


def parse_in_child(payload: bytes, options: dict) -> tuple[dict, dict[str, np.ndarray]]:
    """The sandbox's "dataset" task: float32 images ``(n, h, w, c)`` in [0, 1], int64 labels
    and the class names of an ``.npz`` or a zip of pictures."""
    filename, channels = str(options["filename"]), int(options["channels"])
    image_size = tuple(int(side) for side in options["image_size"])
    limits = ParseLimits(max_array_bytes=int(options["max_array_bytes"]), max_pixels=int(options["max_pixels"]),
                         max_seconds=float(options["max_seconds"]))
    if PurePosixPath(filename).suffix.lower() == ".npz":
        images, labels, class_names = _read_user_npz(payload, filename, limits.max_array_bytes)
        images = _conform_images(images, image_size, channels)
    else:
        images, labels, class_names = _read_image_zip(payload, filename, image_size, channels, limits)
    return {"class_names": list(class_names)}, {"images": images.astype(np.float32, copy=False), "labels": labels}


def _checked_result(metadata: dict, arrays: dict[str, np.ndarray], filename: str, image_size: tuple[int, int],
                    channels: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The sandbox's answer, refused unless it is what a parse can produce."""
    images, labels, names = arrays.get("images"), arrays.get("labels"), metadata.get("class_names")
    wellformed = (
        images is not None and labels is not None and isinstance(names, list)
        and all(isinstance(name, str) and len(name) <= 255 for name in names)
        and 1 <= len(names) <= MAX_USER_CLASSES and images.dtype == np.float32 and labels.dtype == np.int64
        and images.shape[1:] == (*image_size, channels) and 1 <= len(images) <= MAX_USER_IMAGES
        and labels.shape == (len(images),) and labels.min() >= 0 and labels.max() < len(names)
        and float(images.min()) >= 0.0 and float(images.max()) <= 1.0)
    if not wellformed:
        logger.warning("The sandbox's parse of %s returned something no parse produces: %s", filename,
                       {name: (array.dtype, array.shape) for name, array in arrays.items()})
        code = "npz_unreadable" if filename.lower().endswith(".npz") else "zip_unreadable"
        raise DataFormatError(f"{filename} could not be read: its parse returned something unexpected.", code,
                              name=filename)
    return images, labels, tuple(names)


def _refuse(filename: str, message: str, code: str, **details: object) -> DataFormatError:
    """A ``DataFormatError`` about ``filename``: "x.npz is …", "x.npz: y has …"."""
    verb = message.split(" ", 1)[0] in ("is", "has", "holds", "contains", "unpacks")
    return DataFormatError(f"{filename}{' ' if verb else ': '}{message}", code, name=filename, **details)


def _npy_header(handle, member: str, filename: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """An array's shape, order and dtype read from its ``.npy`` header, before any data is
    read, so a compressed bomb or a pickled object array is refused without unpacking it."""
    try:
        version = np.lib.format.read_magic(handle)
        reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran_order, dtype = reader(handle)
    except (*ZIP_ERRORS, SyntaxError, TypeError) as error:
        raise _refuse(filename, f"array '{member}' is not a readable .npy array ({error}).",
                      "npz_unreadable") from None
    if dtype.hasobject:
        raise _refuse(filename, f"'{member}' stores Python objects, which are refused for safety; save plain numeric "
                      "arrays.", "pickled")
    return tuple(int(side) for side in shape), bool(fortran_order), dtype


def _read_npy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str,
                     check: Callable[[tuple[int, ...], np.dtype], None]) -> np.ndarray:
    """The array stored in one member: its header is checked by ``check(shape, dtype)``,
    then exactly its bytes, read on from the same stream, fill an array of that header's
    dtype and shape (nothing unpickled, nothing looked up by name)."""
    try:
        with archive.open(info) as handle:
            shape, fortran_order, dtype = _npy_header(handle, info.filename, filename)
            check(shape, dtype)
            array = np.empty(math.prod(shape), dtype=dtype)
            view = memoryview(array.view(np.uint8))
            filled = 0
            while filled < len(view):
                count = handle.readinto(view[filled:])
                if not count:
                    raise EOFError(f"'{info.filename}' ends after {filled:,} of its {len(view):,} bytes")
                filled += count
    except DataFormatError:
        raise
    except ZIP_ERRORS as error:
        raise _refuse(filename, f"is not a readable .npz archive: {error}", "npz_unreadable") from None
    return array.reshape(shape[::-1]).T if fortran_order else array.reshape(shape)


def _read_user_npz(payload: bytes, filename: str,
                   max_array_bytes: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    if payload.startswith(b"\x93NUMPY"):
        raise _refuse(filename, "holds a single array; save an .npz with np.savez(path, x=images, y=labels).",
                      "npz_single_array")
    if payload[:1] == b"\x80":
        raise _refuse(filename, "is a Python pickle, not a readable .npz archive; pickles can run code and are refused "
                      "for safety.", "pickled")
    if not payload.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise _refuse(filename, "is not a readable .npz archive (it is not a zip of .npy arrays).", "npz_unreadable")
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except ZIP_ERRORS as error:
        raise _refuse(filename, f"is not a readable .npz archive: {error}", "npz_unreadable") from None
    with archive:
        names = [info.filename for info in archive.infolist()]
        members = {info.filename: info for info in archive.infolist()}
        if "x.npy" not in members:
            arrays = [name.removesuffix(".npy") for name in names]
            raise _refuse(filename, f"has arrays {arrays} but no 'x': save images as x= (and labels as y=).",
                          "npz_no_x", found=", ".join(arrays) or "—")
        if len(members) != len(names) or set(names) - set(NPZ_MEMBERS):
            raise _refuse(filename, f"holds the members {names}; an .npz for this app holds exactly x.npy and, "
                          "optionally, y.npy.", "npz_extra_members", found=", ".join(names))
        image_shape: list[int] = []

        def check_images(shape: tuple[int, ...], dtype: np.dtype) -> None:
            _check_image_array(shape, dtype, filename, max_array_bytes)
            image_shape.extend(shape)

        images = _read_npy_member(archive, members["x.npy"], filename, check_images)
        labels = None
        if "y.npy" in members:
            labels = _read_npy_member(archive, members["y.npy"], filename,
                                      lambda shape, dtype: _check_label_array(shape, dtype, image_shape[0], filename))
    images = images.astype(np.float32)
    if not np.isfinite(images).all():
        raise _refuse(filename, "x contains NaN or infinite values.", "not_finite")
    low, high = float(images.min()), float(images.max())
    if low < 0 or high > 255:
        raise _refuse(filename, f"x ranges over [{low:g}, {high:g}]; expected 0–255 or 0–1.", "out_of_range",
                      low=f"{low:g}", high=f"{high:g}")
    if high > 1.0:
        images /= 255.0
    if labels is None:
        labels = np.zeros(len(images), dtype=np.int64)
    else:
        labels = _integer_labels(labels, filename)
    class_count = int(labels.max()) + 1
    return images, labels, tuple(str(c) for c in range(class_count))


def _check_image_array(shape: tuple[int, ...], dtype: np.dtype, filename: str, max_array_bytes: int) -> None:
    """Refuse an ``x`` that cannot be images, judged from its header alone."""
    if dtype.kind not in "uif" or dtype.names is not None or dtype.subdtype is not None:
        raise _refuse(filename, f"x has dtype {dtype}; expected numbers (uint8 0–255 or floats 0–1).",
                      "bad_dtype", array="x", dtype=str(dtype))
    if len(shape) not in (3, 4) or 0 in shape[1:]:
        raise _refuse(filename, f"x has shape {shape}; expected (n, height, width) or (n, height, width, channels) "
                      "with n ≥ 1.", "bad_shape", shape=str(shape))
    if shape[0] == 0:
        raise _refuse(filename, f"x has shape {shape}: it holds no images.", "no_images", shape=str(shape))
    if len(shape) == 4 and shape[3] not in (1, 3, 4):
        raise _refuse(filename, f"images have {shape[3]} channels; expected 1 (grey), 3 (RGB) or 4 (RGBA).",
                      "bad_channels", channels=shape[3])
    if shape[0] > MAX_USER_IMAGES:
        raise _refuse(filename, f"holds {shape[0]:,} images; the limit is {MAX_USER_IMAGES:,}.", "too_many_images",
                      count=f"{shape[0]:,}", limit=f"{MAX_USER_IMAGES:,}")
    if shape[1] * shape[2] > MAX_IMAGE_PIXELS:
        raise _refuse(filename, f"images are {shape[2]}×{shape[1]} pixels; images must have at most "
                      f"{MAX_IMAGE_PIXELS:,} pixels.", "npz_images_too_big", width=shape[2], height=shape[1],
                      limit=f"{MAX_IMAGE_PIXELS:,}")
    size = math.prod(shape) * max(dtype.itemsize, 4)  # converted to float32
    if size > max_array_bytes:
        raise _refuse(filename, f"x unpacks to {megabytes(size)}; the limit is {megabytes(max_array_bytes)}.",
                      "npz_too_big", size=megabytes(size), limit=megabytes(max_array_bytes))


def _check_label_array(shape: tuple[int, ...], dtype: np.dtype, count: int, filename: str) -> None:
    if dtype.kind not in "iuf" or dtype.names is not None or dtype.subdtype is not None:
        raise _refuse(filename, f"y has dtype {dtype}; expected {count} integer labels.",
                      "labels_not_integers", dtype=str(dtype))
    if shape != (count,):
        raise _refuse(filename, f"y has shape {shape} and dtype {dtype}; expected {count} integer labels.",
                      "labels_mismatch", shape=str(shape), count=f"{count:,}")


def _integer_labels(labels: np.ndarray, filename: str) -> np.ndarray:
    """Labels as int64 class indices; whole-number floats (0.0, 1.0, …) count as integers."""
    if labels.dtype.kind == "f" and not (np.isfinite(labels).all() and (labels == np.round(labels)).all()):
        raise _refuse(filename, f"y holds values such as {labels[labels != np.round(labels)][:1]} that are not "
                      f"whole numbers; expected {len(labels)} integer labels.", "labels_not_integers",
                      dtype=str(labels.dtype))
    if labels.min() < 0:
        raise _refuse(filename, "y has negative labels; expected class indices 0, 1, 2, …", "labels_negative")
    if labels.max() >= MAX_USER_CLASSES:
        raise _refuse(filename, f"y has a label {int(labels.max()):,}; class indices must be below {MAX_USER_CLASSES}.",
                      "too_many_classes", label=f"{int(labels.max()):,}", limit=MAX_USER_CLASSES)
    return labels.astype(np.int64)


def _conform_images(images: np.ndarray, image_size: tuple[int, int], channels: int) -> np.ndarray:
    """Float images in [0, 1] resized and converted to ``image_size`` × ``channels``."""
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.shape[1:3] == tuple(image_size) and images.shape[-1] == channels:
        return images.astype(np.float32)
    converted = [_to_model_pixels(Image.fromarray(_as_uint8(image)), image_size, channels) for image in images]
    return np.stack(converted)


def _as_uint8(image: np.ndarray) -> np.ndarray:
    pixels = (image * 255.0).round().astype(np.uint8)
    return pixels[..., 0] if pixels.shape[-1] == 1 else pixels


def _to_model_pixels(image: Image.Image, image_size: tuple[int, int], channels: int) -> np.ndarray:
    mode = "L" if channels == 1 else "RGB"
    image = image.convert(mode).resize((image_size[1], image_size[0]), Image.Resampling.LANCZOS)
    pixels = np.asarray(image, dtype=np.float32) / 255.0
    return pixels[..., np.newaxis] if channels == 1 else pixels


def _unsafe_member(name: str) -> bool:
    """Absolute paths, drive letters and ``..`` would point outside a folder if extracted."""
    normal = name.replace("\\", "/")
    return normal.startswith("/") or bool(re.match(r"^[A-Za-z]:", normal)) or ".." in PurePosixPath(normal).parts


def _read_image_zip(payload: bytes, filename: str, image_size: tuple[int, int], channels: int,
                    limits: ParseLimits) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    deadline = time.monotonic() + limits.max_seconds
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DataFormatError(f"{filename} is not a valid zip archive.", "zip_unreadable", name=filename) from error
    with archive:
        for info in archive.infolist():
            if _unsafe_member(info.filename):
                raise _refuse(filename, f"contains the unsafe path '{info.filename}'; refusing the archive.",
                              "zip_unsafe_path", member=info.filename)
        members = [info for info in archive.infolist()
                   if not info.is_dir() and not _is_hidden(info.filename)
                   and PurePosixPath(info.filename).suffix.lower() in IMAGE_SUFFIXES]
        if not members:
            raise DataFormatError(f"{filename} holds no PNG or JPEG images; put them in one folder per class.",
                                  "zip_no_images", name=filename)
        if len(members) > MAX_USER_IMAGES:
            raise _refuse(filename, f"holds {len(members):,} images; the limit is {MAX_USER_IMAGES:,}.",
                          "too_many_images", count=f"{len(members):,}", limit=f"{MAX_USER_IMAGES:,}")
        class_of = _class_folders(members, filename)
        class_names = tuple(sorted(set(class_of.values())))
        _check_pixel_budget(archive, members, filename, limits.max_pixels)
        images, labels, budget = [], [], limits.max_array_bytes
        for info in members:
            if time.monotonic() > deadline:
                seconds = f"{limits.max_seconds:g}"
                raise _refuse(filename, f"took longer than {seconds} s to read; it was stopped.", "parse_too_slow",
                              seconds=seconds)
            pixels, used = _decode_member(archive, info, filename, image_size, channels, budget,
                                          limits.max_array_bytes)
            budget -= used
            images.append(pixels)
            labels.append(class_names.index(class_of[info.filename]))
    return np.stack(images), np.asarray(labels, dtype=np.int64), class_names


def _check_pixel_budget(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], filename: str,
                        max_pixels: int) -> None:
    """Refuse, before any picture is decoded, one too large (as its member declares) or
    over the pixel limit, or all of them together over ``max_pixels``: sizes read from each
    picture's header, which costs microseconds where decoding costs up to seconds."""
    total = 0
    for info in members:
        if info.file_size > MAX_PICTURE_BYTES:  # as declared; _decode_member caps what is really read
            raise _refuse(filename, f"'{info.filename}' unpacks to more than {megabytes(MAX_PICTURE_BYTES)}; images "
                          "must be smaller.", "zip_member_too_large", member=info.filename,
                          limit=megabytes(MAX_PICTURE_BYTES))
        try:
            with archive.open(info) as handle:
                width, height = picture_size(handle, f"'{info.filename}'")
        except PictureError as error:
            raise DataFormatError(f"{filename}: {error}", error.code, **error.details) from None
        except ZIP_ERRORS as error:
            raise _refuse(filename, f"'{info.filename}' cannot be unpacked ({error}).", "zip_member_damaged",
                          member=info.filename) from None
        if width * height > MAX_IMAGE_PIXELS:
            raise DataFormatError(f"{filename}: '{info.filename}' is {width}×{height} pixels; pictures may have at "
                                  f"most {MAX_IMAGE_PIXELS:,} pixels.", "too_many_pixels", name=f"'{info.filename}'",
                                  limit=f"{MAX_IMAGE_PIXELS:,}", side=f"{math.isqrt(MAX_IMAGE_PIXELS):,}")
        total += width * height
    if total > max_pixels:
        raise _refuse(filename, f"holds {len(members):,} pictures of {total:,} pixels in all; the limit is "
                      f"{max_pixels:,}.", "zip_too_many_pixels", count=f"{len(members):,}", pixels=f"{total:,}",
                      limit=f"{max_pixels:,}")


def _is_hidden(name: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in PurePosixPath(name).parts)


def _class_folders(members: list[zipfile.ZipInfo], filename: str) -> dict[str, str]:
    """Map each image's path to its class: the folder right above the image.

    Every image must sit at the same depth (``cats/1.png``, or ``pets/cats/1.png`` inside
    one top folder); images at different depths mean folders nested inside class folders,
    whose class would be a guess.
    """
    class_of, depth_of = {}, {}
    for info in members:
        parts = PurePosixPath(info.filename.replace("\\", "/")).parts
        if len(parts) < 2:
            raise _refuse(filename, f"'{info.filename}' is not inside a class folder; put images in one "
                          "sub-folder per class (e.g. cats/1.png, dogs/2.png).", "zip_no_class_folder",
                          member=info.filename)
        depth_of.setdefault(len(parts), info.filename)
        class_of[info.filename] = parts[-2]
    if len(depth_of) > 1:
        shallow, deep = depth_of[min(depth_of)], depth_of[max(depth_of)]
        raise _refuse(filename, f"has images at different folder depths ('{shallow}' and '{deep}'); put each class's "
                      "images directly in its own folder, with no folders inside class folders.",
                      "zip_nested_folders", shallow=shallow, deep=deep)
    return class_of


def _decode_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str, image_size: tuple[int, int],
                   channels: int, budget: int, max_array_bytes: int) -> tuple[np.ndarray, int]:
    """One image of the zip as model pixels, and how many bytes it unpacked to.

    Reads at most ``MAX_PICTURE_BYTES`` (and what is left of the archive's ``budget`` of
    ``max_array_bytes``) whatever the member's header claims, so a zip bomb stops early.
    """
    limit = min(MAX_PICTURE_BYTES, budget)
    try:
        with archive.open(info) as handle:
            payload = handle.read(limit + 1)
    except ZIP_ERRORS as error:
        raise _refuse(filename, f"'{info.filename}' cannot be unpacked ({error}).", "zip_member_damaged",
                      member=info.filename) from None
    if len(payload) > limit:
        if limit < MAX_PICTURE_BYTES:
            raise _refuse(filename, f"unpacks to more than {megabytes(max_array_bytes)}.", "zip_too_much_data",
                          limit=megabytes(max_array_bytes))
        raise _refuse(filename, f"'{info.filename}' unpacks to more than {megabytes(limit)}; images must be smaller.",
                      "zip_member_too_large", member=info.filename, limit=megabytes(limit))
    try:
        picture = decode_picture(payload, name=f"'{info.filename}'", max_pixels=MAX_IMAGE_PIXELS)
    except PictureError as error:
        raise DataFormatError(f"{filename}: {error}", error.code, **error.details) from None
    return _to_model_pixels(picture.image, image_size, channels), len(payload)


def _split_user_data(name: str, images: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...],
                     source: str, test_fraction: float, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    test_count = max(1, round(len(images) * test_fraction)) if len(images) > 1 else 0
    test_index, train_index = np.sort(order[:test_count]), np.sort(order[test_count:])
    if test_count == 0:
        test_index = train_index
    # Indexing copies; a further astype copy would hold the images a third time.
    arrays = [images[train_index].astype(np.float32, copy=False), labels[train_index],
              images[test_index].astype(np.float32, copy=False), labels[test_index]]
    for array in arrays:
        array.flags.writeable = False
    notes = () if len(images) > 1 else ("Only one image: it serves as both train and test set.",)
    return Dataset(name=name, x_train=arrays[0], y_train=arrays[1],
                   x_test=arrays[2], y_test=arrays[3], source=source,
                   class_names_en=class_names, class_names_ko=class_names, notes=notes)
