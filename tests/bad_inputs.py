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


def unsupported_layer_model_bytes() -> bytes:
    """A plain autoencoder with a layer outside the allow-list (GaussianNoise)."""
    import keras

    layers = keras.layers
    return keras_bytes(keras.Sequential([keras.Input((8, 8, 1)), layers.Flatten(), layers.GaussianNoise(0.1),
                                         layers.Dense(4), layers.Dense(64), layers.Reshape((8, 8, 1))]))


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


def heavy_model_bytes() -> bytes:
    """A legal dense autoencoder for 28×28 images with 7.4 M weights: a 28 MB file, whose
    reading needs about three times that in memory."""
    from latent_core import store
    from latent_core.models import build_model

    return store.model_archive_bytes(build_model("dense_ae", input_shape=(28, 28, 1), latent_dim=2,
                                                 hidden_units=(2048, 1024)))


def conv_model_bytes() -> bytes:
    from latent_core import store
    from latent_core.models import build_model

    return store.model_archive_bytes(build_model("conv_ae", input_shape=(8, 8, 1), latent_dim=3, filters=(4, 8)))


def keras_function(name: str, module: str = "keras.config") -> dict:
    """A config entry that Keras would deserialise into the function ``module.name``."""
    return {"module": module, "class_name": "function", "config": name, "registered_name": "function"}


def with_members(archive_bytes: bytes, *extra: tuple[str, bytes]) -> bytes:
    """A copy of a zip archive with members appended (a name may repeat one already there)."""
    import warnings

    buffer = io.BytesIO(archive_bytes)
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "a") as archive:
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name, which is the point
        for name, payload in extra:
            archive.writestr(name, payload)
    return buffer.getvalue()


def with_weights(archive_bytes: bytes, write: Callable) -> bytes:
    """A copy of a model archive whose weights file is rewritten: ``write(file, path, array)``
    puts each original dataset into the new HDF5 file, as it likes."""
    import h5py

    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as source:
        original = h5py.File(io.BytesIO(source.read("model.weights.h5")), "r")
    datasets = {}
    original.visititems(lambda name, item: datasets.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as target:
        for path, array in datasets.items():
            write(target, path, array)
    return replace_members(archive_bytes, model_weights_h5=buffer.getvalue())


FIRST_KERNEL = "encoder/layers/dense/vars/0"


def one_dataset_changed(write_first: Callable) -> Callable:
    """A ``with_weights`` writer that copies every dataset but the encoder's first kernel,
    which ``write_first(file, path, array)`` writes instead."""
    def write(target, path, array):
        if path == FIRST_KERNEL:
            write_first(target, path, array)
        else:
            target.create_dataset(path, data=array)
    return write


def declared_not_stored_weights(shape=(1, 2**27)) -> bytes:
    """The good model with its first kernel declared as ``shape`` float32 (512 MB by default)
    and nothing stored: an HDF5 file of a few KB."""
    return with_weights(good_model_bytes(),
                        one_dataset_changed(lambda file, path, array: file.create_dataset(path, shape, "<f4")))


def gzip_zero_weights() -> bytes:
    """A model of 1024 hidden units whose weights are all zero, gzip-compressed about 1000-fold."""
    from latent_core import store
    from latent_core.models import build_model

    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=3, hidden_units=(1024,), seed=0)
    return with_weights(store.model_archive_bytes(model), lambda file, path, array: file.create_dataset(
        path, data=np.zeros_like(array), compression="gzip", chunks=True))


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
        ("model_plain_not_an_autoencoder", "plain.keras", plain_keras_model_bytes, "plain_not_autoencoder"),
        ("model_plain_unsupported_layer", "noise.keras", unsupported_layer_model_bytes, "plain_unsupported_layer"),
        ("model_huge_layers", "giant.keras", lambda: config_with(good_model_bytes(), hidden_units=[10**7]),
         "too_big_model"),
        ("model_huge_input", "wide.keras", lambda: config_with(good_model_bytes(), input_shape=[HUGE_SIDE, HUGE_SIDE, 1]),
         "too_big_model"),
        ("model_wrong_input_shape", "mnist.keras", lambda: good_model_bytes((28, 28, 1)), "wrong_shape"),
        ("model_corrupt_weights", "corrupt.keras",
         lambda: replace_members(good_model_bytes(), model_weights_h5=b"\x89HDF\r\n\x1a\n garbage"), "damaged"),
        ("model_nan_weights", "nan.keras", nan_weights_model_bytes, "weights_not_finite"),
        # Options that are objects, or sizes beyond the kind's declared range.
        ("model_option_sets_epsilon", "epsilon.keras",
         lambda: config_with(good_model_bytes(), latent_activation=keras_function("set_epsilon")), "bad_option"),
        ("model_option_sets_max_epochs", "epochs.keras",
         lambda: config_with(good_model_bytes(), activation=keras_function("set_max_epochs")), "bad_option"),
        ("model_option_is_a_layer", "layer.keras",
         lambda: config_with(good_model_bytes(), output_activation={
             "module": "keras.layers", "class_name": "Dense", "config": {"units": 10**6}, "registered_name": None}),
         "bad_option"),
        ("model_option_unknown_activation", "wiggle.keras",
         lambda: config_with(good_model_bytes(), activation="keras.config.set_epsilon"), "bad_option"),
        ("model_option_unknown", "extra.keras", lambda: config_with(good_model_bytes(), dtype="float64"),
         "bad_option"),
        ("model_option_bad_name", "named.keras", lambda: config_with(good_model_bytes(), name="../../etc"),
         "bad_option"),
        ("model_conv_huge_filters", "filters.keras", lambda: config_with(conv_model_bytes(), filters=[4096, 4096]),
         "too_big_model"),
        ("model_conv_huge_kernel", "kernel.keras", lambda: config_with(conv_model_bytes(), kernel_size=4096),
         "too_big_model"),
        ("model_huge_latent", "latent.keras", lambda: config_with(good_model_bytes(), latent_dim=4096),
         "too_big_model"),
        ("model_too_many_weights", "weights.keras",
         lambda: config_with(good_model_bytes(), hidden_units=[4096] * 8), "too_big_model"),
        ("model_huge_feature_maps", "maps.keras",  # few weights, but 33 M values per image at full resolution
         lambda: config_with(conv_model_bytes(), input_shape=[256, 256, 3], filters=[512, 1], downsample="maxpool"),
         "too_big_model"),
        # The archive itself.
        ("model_unexpected_member", "assets.keras",
         lambda: with_members(good_model_bytes(), ("assets/run.py", b"print('hi')")), "model_unexpected_member"),
        ("model_config_twice", "twice.keras",
         lambda: with_members(good_model_bytes(), ("config.json", b"{}")), "model_unexpected_member"),
        ("model_config_too_large", "long.keras",
         lambda: replace_members(good_model_bytes(), config_json=b" " * 2**21 + b"{}"), "model_member_too_large"),
        ("model_without_weights", "noweights.keras",
         lambda: zip_of({"config.json": b'{"class_name": "DenseAutoencoder"}'}), "no_weights"),
        # The weights file, against what the options build.
        ("model_weights_declared_512mb", "declared.keras", declared_not_stored_weights, "too_big_model"),
        ("model_weights_not_stored", "unstored.keras",
         lambda: declared_not_stored_weights((64, 256)), "weights_not_stored"),
        ("model_weights_gzip_zeros", "zeros.keras", gzip_zero_weights, "weights_compressed"),
        ("model_weights_lzf", "lzf.keras", lambda: with_weights(good_model_bytes(), one_dataset_changed(
            lambda file, path, array: file.create_dataset(path, data=array, compression="lzf"))),
         "weights_odd_storage"),
        ("model_weights_float64", "double.keras", lambda: with_weights(good_model_bytes(), one_dataset_changed(
            lambda file, path, array: file.create_dataset(path, data=array.astype(np.float64)))),
         "weights_odd_storage"),
        ("model_weights_transposed", "transposed.keras", lambda: with_weights(good_model_bytes(), one_dataset_changed(
            lambda file, path, array: file.create_dataset(path, data=array.T.copy()))), "weights_mismatch"),
        ("model_weights_extra", "extra_weights.keras", lambda: with_weights(good_model_bytes(), one_dataset_changed(
            lambda file, path, array: (file.create_dataset(path, data=array),
                                       file.create_dataset("encoder/layers/dense/vars/9", data=array)))),
         "weights_mismatch"),
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
