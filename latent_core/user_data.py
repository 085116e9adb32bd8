"""What users upload as a dataset: an ``.npz`` of arrays or a zip of pictures, one folder per class.

``load_user_dataset(source)`` reads either into a :class:`latent_core.data.Dataset`. An
``.npz`` loads with ``allow_pickle=False`` after each array's header (dtype, shape,
unpacked size) is checked; a zip is read in memory, never extracted, each member with a
byte cap, and its pictures go through ``latent_core.images.read_picture``. Anything
malformed raises :class:`DataFormatError` whose ``code`` names the problem, so the
interface can say it in any language; nothing is returned until the whole file passed.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image

from latent_core.data import Dataset
from latent_core.images import MAX_PICTURE_PIXELS, PictureError, read_picture
from latent_core.uploads import MAX_DATASET_BYTES, MAX_PICTURE_BYTES, UploadRefused, check_size, megabytes

# Limits for user uploads: enough for any classroom dataset, small enough that a
# hostile file cannot exhaust the server.
MAX_USER_IMAGES = 20_000
MAX_USER_CLASSES = 1_000
MAX_USER_ARRAY_BYTES = 512 * 2**20
MAX_IMAGE_PIXELS = MAX_PICTURE_PIXELS
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class DataFormatError(UploadRefused, ValueError):
    """An uploaded data file is malformed; the message says what is wrong and what was
    expected, and ``code`` names the problem so the interface can say it in any language."""


def load_user_dataset(source: str | Path | bytes, *, filename: str | None = None,
                      image_size: tuple[int, int] = (28, 28), channels: int = 1,
                      test_fraction: float = 0.2, seed: int = 0,
                      max_bytes: int = MAX_DATASET_BYTES) -> Dataset:
    """Read an uploaded ``.npz`` or zip of images into a :class:`Dataset`.

    ``source`` is a path or the file's bytes (then ``filename`` tells the format), at
    most ``max_bytes`` long. Images are resized to ``image_size`` and converted to
    ``channels`` (1 grey, 3 RGB).
    Anything unusable raises :class:`DataFormatError` whose ``code`` names the problem;
    nothing is returned until the whole file has been checked.
    """
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey) or 3 (colour), got {channels}.")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}.")
    if isinstance(source, (str, Path)):
        filename = filename or Path(source).name
        payload = Path(source).read_bytes()
    else:
        payload = bytes(source)
    if not filename:
        raise ValueError("Pass filename= with raw bytes so the format (.npz or .zip) is known.")
    check_size(payload, max_bytes, DataFormatError, filename)
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix == ".npz":
        images, labels, class_names = _read_user_npz(payload, filename)
        images = _conform_images(images, image_size, channels, filename)
    elif suffix == ".zip":
        images, labels, class_names = _read_image_zip(payload, filename, image_size, channels)
    else:
        raise DataFormatError(f"{filename}: expected an .npz file or a .zip of images, not '{suffix or 'no extension'}'.",
                              "wrong_type", name=filename, suffix=suffix or "—")
    return _split_user_data(PurePosixPath(filename).stem, images, labels, class_names,
                            f"uploaded file {filename}", test_fraction, seed)


def _refuse(filename: str, message: str, code: str, **details: object) -> DataFormatError:
    """A ``DataFormatError`` about ``filename``: "x.npz is …", "x.npz: y has …"."""
    verb = message.split(" ", 1)[0] in ("is", "has", "holds", "contains", "unpacks")
    return DataFormatError(f"{filename}{' ' if verb else ': '}{message}", code, name=filename, **details)


def _npy_header(archive: np.lib.npyio.NpzFile, key: str, filename: str) -> tuple[tuple[int, ...], np.dtype]:
    """An array's shape and dtype read from its ``.npy`` header, before any data is read,
    so a compressed bomb or a pickled object array is refused without unpacking it."""
    try:
        with archive.zip.open(f"{key}.npy") as handle:
            version = np.lib.format.read_magic(handle)
            reader = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = reader(handle)
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError, SyntaxError) as error:
        raise _refuse(filename, f"array '{key}' is not a readable .npy array ({error}).",
                      "npz_unreadable") from None
    if dtype.hasobject:
        raise _refuse(filename, f"'{key}' stores Python objects, which are refused for safety; save plain numeric arrays.",
                      "pickled")
    return tuple(int(d) for d in shape), dtype


def _read_user_npz(payload: bytes, filename: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    if payload.startswith(b"\x93NUMPY"):
        raise _refuse(filename, "holds a single array; save an .npz with np.savez(path, x=images, y=labels).",
                      "npz_single_array")
    if payload[:1] == b"\x80":
        raise _refuse(filename, "is a Python pickle, not a readable .npz archive; pickles can run code and are refused "
                      "for safety.", "pickled")
    if not payload.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise _refuse(filename, "is not a readable .npz archive (it is not a zip of .npy arrays).", "npz_unreadable")
    try:
        archive = np.load(io.BytesIO(payload), allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise _refuse(filename, f"is not a readable .npz archive: {error}", "npz_unreadable") from None
    with archive:
        if "x" not in archive.files:
            raise _refuse(filename, f"has arrays {archive.files} but no 'x': save images as x= (and labels as y=).",
                          "npz_no_x", found=", ".join(archive.files) or "—")
        shape, dtype = _npy_header(archive, "x", filename)
        _check_image_array(shape, dtype, filename)
        label_shape = None
        if "y" in archive.files:
            label_shape, label_dtype = _npy_header(archive, "y", filename)
            _check_label_array(label_shape, label_dtype, shape[0], filename)
        try:
            images = archive["x"]
            labels = archive["y"] if label_shape is not None else None
        except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
            raise _refuse(filename, f"is not a readable .npz archive: {error}", "npz_unreadable") from None
    images = images.astype(np.float32)
    if not np.isfinite(images).all():
        raise _refuse(filename, "x contains NaN or infinite values.", "not_finite")
    low, high = float(images.min()), float(images.max())
    if low < 0 or high > 255:
        raise _refuse(filename, f"x ranges over [{low:g}, {high:g}]; expected 0–255 or 0–1.", "out_of_range",
                      low=f"{low:g}", high=f"{high:g}")
    if high > 1.0:
        images = images / 255.0
    if labels is None:
        labels = np.zeros(len(images), dtype=np.int64)
    else:
        labels = _integer_labels(labels, filename)
    class_count = int(labels.max()) + 1
    return images, labels, tuple(str(c) for c in range(class_count))


def _check_image_array(shape: tuple[int, ...], dtype: np.dtype, filename: str) -> None:
    """Refuse an ``x`` that cannot be images, judged from its header alone."""
    if dtype.kind not in "uif":
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
    if size > MAX_USER_ARRAY_BYTES:
        raise _refuse(filename, f"x unpacks to {megabytes(size)}; the limit is {megabytes(MAX_USER_ARRAY_BYTES)}.",
                      "npz_too_big", size=megabytes(size), limit=megabytes(MAX_USER_ARRAY_BYTES))


def _check_label_array(shape: tuple[int, ...], dtype: np.dtype, count: int, filename: str) -> None:
    if dtype.kind not in "iuf":
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


def _conform_images(images: np.ndarray, image_size: tuple[int, int], channels: int, filename: str) -> np.ndarray:
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


def _read_image_zip(payload: bytes, filename: str, image_size: tuple[int, int],
                    channels: int) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
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
        images, labels, budget = [], [], MAX_USER_ARRAY_BYTES
        for info in members:
            pixels, used = _decode_member(archive, info, filename, image_size, channels, budget)
            budget -= used
            images.append(pixels)
            labels.append(class_names.index(class_of[info.filename]))
    return np.stack(images), np.asarray(labels, dtype=np.int64), class_names


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


def _decode_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, filename: str,
                   image_size: tuple[int, int], channels: int, budget: int) -> tuple[np.ndarray, int]:
    """One image of the zip as model pixels, and how many bytes it unpacked to.

    Reads at most ``MAX_PICTURE_BYTES`` (and what is left of the archive's ``budget``)
    whatever the member's header claims, so a zip bomb stops early.
    """
    limit = min(MAX_PICTURE_BYTES, budget)
    try:
        with archive.open(info) as handle:
            payload = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as error:
        raise _refuse(filename, f"'{info.filename}' cannot be unpacked ({error}).", "zip_member_damaged",
                      member=info.filename) from None
    if len(payload) > limit:
        if limit < MAX_PICTURE_BYTES:
            raise _refuse(filename, f"unpacks to more than {megabytes(MAX_USER_ARRAY_BYTES)}.", "zip_too_much_data",
                          limit=megabytes(MAX_USER_ARRAY_BYTES))
        raise _refuse(filename, f"'{info.filename}' unpacks to more than {megabytes(limit)}; images must be smaller.",
                      "zip_member_too_large", member=info.filename, limit=megabytes(limit))
    try:
        picture = read_picture(payload, name=f"'{info.filename}'", max_pixels=MAX_IMAGE_PIXELS)
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
    arrays = [images[train_index].astype(np.float32), labels[train_index],
              images[test_index].astype(np.float32), labels[test_index]]
    for array in arrays:
        array.flags.writeable = False
    notes = () if len(images) > 1 else ("Only one image: it serves as both train and test set.",)
    return Dataset(name=name, x_train=arrays[0], y_train=arrays[1],
                   x_test=arrays[2], y_test=arrays[3], source=source,
                   class_names_en=class_names, class_names_ko=class_names, notes=notes)
