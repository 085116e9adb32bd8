"""A factory of bad uploads, each made in memory by the test that uses it.

Every :class:`BadFile` names the reader it is meant for (``dataset``: the Data page's
.npz/.zip upload, ``picture``: the Latent map's PNG/JPEG upload, ``model``: the Model
library's .keras upload), the file name it arrives under, how to make its bytes and the
``UploadRefused.code`` it must be refused with. Payloads are built on first use and kept
for the test process, so page tests and unit tests share them.
"""

from __future__ import annotations

import functools
import io
import json
import pickle
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from latent_core.uploads import MAX_DATASET_BYTES, MAX_MODEL_BYTES, MAX_PICTURE_BYTES

HUGE_SIDE = 20_000


@dataclass(frozen=True)
class BadFile:
    """One bad upload: where it goes, its name, its bytes and the refusal it must get."""

    id: str
    target: str
    filename: str
    make: Callable[[], bytes]
    code: str

    @property
    def payload(self) -> bytes:
        return _payload(self.id)


# --------------------------------------------------------------------------- building blocks


def png(pixels: np.ndarray, **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", **save_options)
    return buffer.getvalue()


def image_bytes(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    return buffer.getvalue()


def npz(compressed: bool = False, **arrays) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def zip_of(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def digit_png(seed: int = 0) -> bytes:
    """A small valid grey PNG."""
    return png(np.random.default_rng(seed).integers(0, 256, (12, 12), dtype=np.uint8))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@functools.cache
def huge_png(side: int = HUGE_SIDE) -> bytes:
    """A valid 1-bit PNG of ``side``×``side`` pixels: about 50 KB on disk, 400 million pixels
    decoded (a decompression bomb), written by hand so the test never holds it decoded."""
    row = b"\x00" + bytes((side + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


def truncated_png() -> bytes:
    """A noisy 64×64 PNG cut in the middle of its pixel data: the header still reads."""
    full = png(np.random.default_rng(1).integers(0, 256, (64, 64), dtype=np.uint8))
    return full[: len(full) // 2]


def npz_with_header_only(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    """An .npz whose x.npy declares ``shape`` but holds no data: what a compressed bomb
    looks like from its header, without anyone allocating it."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": dtype, "fortran_order": False, "shape": shape})
    return zip_of({"x.npy": header.getvalue()})


def npz_members(members: dict[str, np.ndarray]) -> bytes:
    """An .npz written member by member, so names np.savez would never write (``x`` beside
    ``x.npy``) can be made."""
    return zip_of({name: _npy(array) for name, array in members.items()})


def npz_with_duplicate_x() -> bytes:
    """An .npz with two members named x.npy: a small one first, then one of 40,002 images."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns of the duplicate name
        archive.writestr("x.npy", _npy(_ones))
        archive.writestr("x.npy", _npy(np.zeros((40_002, 8, 8), np.uint8)))
    return buffer.getvalue()


def npz_cut_short() -> bytes:
    """An .npz whose x.npy header declares 4 images of 8×8 but whose data stops after one."""
    return zip_of({"x.npy": _npy(_ones)[: -3 * 64]})


@functools.cache
def pixel_bomb_zip(count: int = 20_000, side: int = 4096) -> bytes:
    """``count`` one-bit ``side``×``side`` PNGs in one class folder: a few MB zipped, each
    picture within the per-picture limit, together 335 billion pixels (about 17 CPU-minutes
    of decoding)."""
    picture = huge_png(side)
    return zip_of({f"cats/{index}.png": picture for index in range(count)})


def over(limit: int) -> bytes:
    """A zip-looking payload one byte over ``limit``."""
    return b"PK\x03\x04" + bytes(limit - 3)


# --------------------------------------------------------------------------- models


def keras_bytes(model) -> bytes:
    """Any Keras model as the bytes of a .keras file."""
    import tempfile

    import keras

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        keras.saving.save_model(model, path)
        return path.read_bytes()


def good_model(input_shape=(8, 8, 1)):
    from latent_core.models import build_model

    return build_model("dense_ae", input_shape=input_shape, latent_dim=3, seed=0)


def good_model_bytes(input_shape=(8, 8, 1)) -> bytes:
    from latent_core import store

    return store.model_archive_bytes(good_model(input_shape))


def replace_members(archive_bytes: bytes, **replacements: bytes) -> bytes:
    """A copy of a zip archive with some members' contents replaced (``model_weights_h5``
    stands for ``model.weights.h5``)."""
    names = {key.replace("_json", ".json").replace("_weights_h5", ".weights.h5"): value
             for key, value in replacements.items()}
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as source:
        entries = {info.filename: names.get(info.filename, source.read(info)) for info in source.infolist()}
    return zip_of(entries)


def lambda_model_bytes(marker: Path) -> bytes:
    """A model whose Lambda layer creates ``marker`` when it runs. Building the model runs it
    once, so the marker is removed again: if it reappears, a load executed the code."""
    import keras

    # A lambda, not a named function: Keras stores a lambda's bytecode in the file.
    leave_marker = lambda tensor, path: (__import__("pathlib").Path(path).touch(), tensor)[1]
    inputs = keras.Input((8, 8, 1))
    layer = keras.layers.Lambda(leave_marker, arguments={"path": str(marker)})
    payload = keras_bytes(keras.Model(inputs, layer(inputs)))
    marker.unlink(missing_ok=True)
    return payload


@functools.cache
def _doubler_class():
    import keras

    @keras.saving.register_keras_serializable(package="someone_elses")
    class BadInputsDoubler(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    return BadInputsDoubler


def custom_class_model_bytes() -> bytes:
    import keras

    return keras_bytes(keras.Sequential([keras.Input((8, 8, 1)), _doubler_class()()]))


def plain_keras_model_bytes() -> bytes:
    import keras

    return keras_bytes(keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2)]))


def nan_weights_model_bytes() -> bytes:
    from latent_core import store

    model = good_model()
    model.set_weights([np.full_like(weights, np.nan) for weights in model.get_weights()])
    return store.model_archive_bytes(model)


def config_with(archive_bytes: bytes, **options) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as source:
        config = json.loads(source.read("config.json"))
    config["config"].update(options)
    return replace_members(archive_bytes, config_json=json.dumps(config).encode())


# --------------------------------------------------------------------------- the suite

_ones = np.ones((4, 8, 8), np.uint8)


def _dataset_cases() -> list[BadFile]:
    cases = [
        ("empty_npz", "empty.npz", lambda: b"", "empty"),
        ("dataset_over_the_limit", "huge.npz", lambda: over(MAX_DATASET_BYTES), "too_large"),
        ("csv_file", "table.csv", lambda: b"a,b\n1,2\n", "wrong_type"),
        ("npz_that_is_text", "notes.npz", lambda: b"just some text, not an archive", "npz_unreadable"),
        ("npz_that_is_a_pickle", "evil.npz", lambda: pickle.dumps({"x": [1, 2]}), "pickled"),
        ("npy_named_npz", "single.npz", lambda: _npy(_ones), "npz_single_array"),
        ("npz_without_x", "noimages.npz", lambda: npz(images=_ones), "npz_no_x"),
        ("npz_object_images", "objects.npz", lambda: npz(x=np.array([{"evil": 1}, None], dtype=object)), "pickled"),
        ("npz_object_labels", "objlabels.npz",
         lambda: npz(x=_ones, y=np.array([0, "a", None, 1], dtype=object)), "pickled"),
        ("npz_1d_images", "flat.npz", lambda: npz(x=np.zeros(64)), "bad_shape"),
        ("npz_5d_images", "deep.npz", lambda: npz(x=np.zeros((2, 8, 8, 1, 1))), "bad_shape"),
        ("npz_zero_images", "none.npz", lambda: npz(x=np.zeros((0, 8, 8))), "no_images"),
        ("npz_zero_width_images", "thin.npz", lambda: npz(x=np.zeros((3, 8, 0))), "bad_shape"),
        ("npz_mismatched_lengths", "mismatch.npz", lambda: npz(x=_ones, y=np.array([0, 1])), "labels_mismatch"),
        ("npz_2d_labels", "grid.npz", lambda: npz(x=_ones, y=np.zeros((4, 2), int)), "labels_mismatch"),
        ("npz_string_images", "words.npz", lambda: npz(x=np.array([["a", "b"], ["c", "d"]])), "bad_dtype"),
        ("npz_complex_images", "complex.npz", lambda: npz(x=np.zeros((2, 8, 8), complex)), "bad_dtype"),
        ("npz_bool_images", "mask.npz", lambda: npz(x=np.zeros((2, 8, 8), bool)), "bad_dtype"),
        ("npz_nan_images", "nan.npz", lambda: npz(x=np.full((2, 8, 8), np.nan)), "not_finite"),
        ("npz_inf_images", "inf.npz", lambda: npz(x=np.full((2, 8, 8), np.inf)), "not_finite"),
        ("npz_negative_values", "negative.npz", lambda: npz(x=np.full((2, 8, 8), -3.0)), "out_of_range"),
        ("npz_values_over_255", "bright.npz", lambda: npz(x=np.full((2, 8, 8), 300.0)), "out_of_range"),
        ("npz_fractional_labels", "halves.npz", lambda: npz(x=_ones, y=np.array([0.5, 1.5, 0, 1])),
         "labels_not_integers"),
        ("npz_string_labels", "names.npz", lambda: npz(x=_ones, y=np.array(["a", "b", "a", "b"])),
         "labels_not_integers"),
        ("npz_negative_labels", "minus.npz", lambda: npz(x=_ones, y=np.array([0, -1, 0, 1])), "labels_negative"),
        ("npz_huge_label", "billion.npz", lambda: npz(x=_ones, y=np.array([0, 10**9, 0, 1])), "too_many_classes"),
        ("npz_seven_channels", "seven.npz", lambda: npz(x=np.zeros((2, 8, 8, 7))), "bad_channels"),
        ("npz_bomb_header", "bomb.npz", lambda: npz_with_header_only((20_000, 2048, 2048)), "npz_too_big"),
        ("npz_too_many_images", "many.npz", lambda: npz_with_header_only((20_001, 8, 8)), "too_many_images"),
        ("npz_huge_images", "wide.npz", lambda: npz_with_header_only((1, HUGE_SIDE, HUGE_SIDE)),
         "npz_images_too_big"),
        ("npz_shadow_member", "shadow.npz",
         lambda: npz_members({"x.npy": _ones, "x": np.zeros((40_002, 8, 8), np.uint8)}), "npz_extra_members"),
        ("npz_structured_shadow", "shadow2.npz",
         lambda: npz_members({"x.npy": _ones, "x": np.zeros(4, dtype=[("a", "<f4"), ("b", "<i4")])}),
         "npz_extra_members"),
        ("npz_duplicate_x", "twice.npz", npz_with_duplicate_x, "npz_extra_members"),
        ("npz_extra_array", "extra.npz", lambda: npz(x=_ones, y=np.arange(4), notes=np.arange(3)),
         "npz_extra_members"),
        ("npz_structured_images", "records.npz", lambda: npz(x=np.zeros((4, 8), dtype=[("a", "<f4"), ("b", "<i4")])),
         "bad_dtype"),
        ("npz_structured_labels", "recordlabels.npz",
         lambda: npz(x=_ones, y=np.zeros(4, dtype=[("label", "<i8")])), "labels_not_integers"),
        ("npz_cut_short", "cut.npz", npz_cut_short, "npz_unreadable"),
        ("zip_that_is_text", "archive.zip", lambda: b"just some text, not an archive", "zip_unreadable"),
        ("empty_zip", "empty.zip", lambda: zip_of({}), "zip_no_images"),
        ("zip_without_images", "docs.zip", lambda: zip_of({"docs/readme.txt": b"hi", "docs/data.csv": b"1,2"}),
         "zip_no_images"),
        ("zip_image_outside_folders", "loose.zip", lambda: zip_of({"loose.png": digit_png()}),
         "zip_no_class_folder"),
        ("zip_nested_folders", "nested.zip",
         lambda: zip_of({"pets/cats/1.png": digit_png(1), "pets/cats/kittens/2.png": digit_png(2),
                         "pets/dogs/3.png": digit_png(3)}), "zip_nested_folders"),
        ("zip_path_traversal", "climb.zip", lambda: zip_of({"cats/1.png": digit_png(), "../../evil.png": digit_png()}),
         "zip_unsafe_path"),
        ("zip_backslash_traversal", "climb2.zip", lambda: zip_of({"cats\\..\\..\\evil.png": digit_png()}),
         "zip_unsafe_path"),
        ("zip_absolute_path", "absolute.zip", lambda: zip_of({"/tmp/cats/evil.png": digit_png()}), "zip_unsafe_path"),
        ("zip_drive_letter", "drive.zip", lambda: zip_of({"C:/cats/evil.png": digit_png()}), "zip_unsafe_path"),
        ("zip_bomb_member", "bomb.zip", lambda: zip_of({"cats/bomb.png": bytes(MAX_PICTURE_BYTES + 1)}),
         "zip_member_too_large"),
        ("zip_text_named_png", "fake.zip", lambda: zip_of({"cats/1.png": digit_png(), "cats/2.png": b"not a picture"}),
         "not_picture"),
        ("zip_truncated_png", "cut.zip", lambda: zip_of({"cats/1.png": truncated_png()}), "damaged_picture"),
        ("zip_huge_png", "huge.zip", lambda: zip_of({"cats/1.png": huge_png()}), "too_many_pixels"),
        ("zip_empty_png", "blank.zip", lambda: zip_of({"cats/1.png": b""}), "empty"),
        ("zip_pixel_bomb", "pixels.zip", pixel_bomb_zip, "zip_too_many_pixels"),
    ]
    return [BadFile(id, "dataset", filename, make, code) for id, filename, make, code in cases]


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _picture_cases() -> list[BadFile]:
    gif = image_bytes(Image.new("L", (8, 8), 255), "GIF")
    cases = [
        ("picture_empty", "blank.png", lambda: b"", "empty"),
        ("picture_over_the_limit", "big.png", lambda: over(MAX_PICTURE_BYTES), "too_large"),
        ("picture_that_is_text", "notes.png", lambda: b"hello, this is not a picture", "not_picture"),
        ("picture_that_is_a_gif", "animation.png", lambda: gif, "not_picture"),
        ("picture_truncated", "cut.png", truncated_png, "damaged_picture"),
        ("picture_20000_square", "huge.png", huge_png, "too_many_pixels"),
    ]
    return [BadFile(id, "picture", filename, make, code) for id, filename, make, code in cases]


def _model_cases() -> list[BadFile]:
    cases = [
        ("model_empty", "empty.keras", lambda: b"", "empty"),
        ("model_over_the_limit", "huge.keras", lambda: over(MAX_MODEL_BYTES), "too_large"),
        ("model_not_a_zip", "text.keras", lambda: b"definitely not a zip archive", "not_keras"),
        ("model_zip_without_config", "other.keras", lambda: zip_of({"readme.txt": b"hello"}), "no_config"),
        ("model_config_not_json", "broken.keras",
         lambda: replace_members(good_model_bytes(), config_json=b"{not json"), "bad_config"),
        ("model_config_not_an_object", "list.keras",
         lambda: replace_members(good_model_bytes(), config_json=b"[1, 2, 3]"), "bad_config"),
        ("model_custom_class", "custom.keras", custom_class_model_bytes, "custom_code"),
        ("model_plain_keras", "plain.keras", plain_keras_model_bytes, "not_ours"),
        ("model_huge_layers", "giant.keras", lambda: config_with(good_model_bytes(), hidden_units=[10**7]),
         "too_big_model"),
        ("model_huge_input", "wide.keras", lambda: config_with(good_model_bytes(), input_shape=[HUGE_SIDE, HUGE_SIDE, 1]),
         "too_big_model"),
        ("model_wrong_input_shape", "mnist.keras", lambda: good_model_bytes((28, 28, 1)), "wrong_shape"),
        ("model_corrupt_weights", "corrupt.keras",
         lambda: replace_members(good_model_bytes(), model_weights_h5=b"\x89HDF\r\n\x1a\n garbage"), "damaged"),
        ("model_nan_weights", "nan.keras", nan_weights_model_bytes, "weights_not_finite"),
    ]
    return [BadFile(id, "model", filename, make, code) for id, filename, make, code in cases]


DATASET_CASES = _dataset_cases()
PICTURE_CASES = _picture_cases()
MODEL_CASES = _model_cases()
ALL_CASES = DATASET_CASES + PICTURE_CASES + MODEL_CASES
BY_ID = {case.id: case for case in ALL_CASES}


@functools.cache
def _payload(case_id: str) -> bytes:
    return BY_ID[case_id].make()


def ids(cases: list[BadFile]) -> list[str]:
    return [case.id for case in cases]


# --------------------------------------------------------------------------- pictures that are fine but unusual


def colour_picture() -> bytes:
    """A red square on blue: a colour picture for a grey model."""
    pixels = np.zeros((40, 40, 3), np.uint8)
    pixels[..., 2] = 200
    pixels[10:30, 10:30] = (220, 20, 20)
    return png(pixels)


def unusual_pictures() -> dict[str, tuple[bytes, float, float]]:
    """Pictures in modes Pillow's plain conversion gets wrong or that need care, each with
    the grey value expected at its centre and at its corner (0–1)."""
    sixteen = np.zeros((20, 20), np.uint16)
    sixteen[5:15, 5:15] = 32768  # mid-grey in 16 bits; a plain conversion clips it to white
    alpha = np.zeros((20, 20, 4), np.uint8)  # black ink on a fully transparent sheet
    alpha[5:15, 5:15, 3] = 255
    palette = Image.new("P", (20, 20), 0)
    palette.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    palette.paste(1, (5, 5, 15, 15))
    cmyk = Image.new("CMYK", (20, 20), (0, 0, 0, 0))
    cmyk.paste((0, 0, 0, 255), (5, 5, 15, 15))
    grey_la = np.zeros((20, 20, 2), np.uint8)
    grey_la[..., 0] = 255
    grey_la[5:15, 5:15] = (0, 255)
    return {
        "sixteen_bit": (png(sixteen), 128 / 255, 0.0),
        "alpha": (png(alpha), 0.0, 1.0),
        "palette": (image_bytes(palette, "PNG"), 0.0, 1.0),
        "cmyk_jpeg": (image_bytes(cmyk, "JPEG"), 0.0, 1.0),
        "grey_alpha": (png(grey_la), 0.0, 1.0),
    }
