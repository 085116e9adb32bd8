"""Datasets users upload: an .npz of arrays or a zip of pictures, one folder per class, and
the specific message each malformed file gets."""

import io
import pickle
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

from latent_core import user_data
from latent_core.images import decode_picture
from latent_core.uploads import ParseLimits


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in entries.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def test_user_npz_with_labels(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (40, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "mine.npz", x=images, y=np.arange(40) % 4)
    dataset = user_data.load_user_dataset(tmp_path / "mine.npz")
    assert dataset.name == "mine" and dataset.input_shape == (28, 28, 1)
    assert len(dataset.x_train) == 32 and len(dataset.x_test) == 8
    assert dataset.num_classes == 4 and dataset.x_train.max() <= 1.0
    assert "mine.npz" in dataset.source


def test_user_npz_is_resized_to_the_asked_size():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.random.default_rng(0).random((6, 32, 32, 3)).astype(np.float32))
    dataset = user_data.load_user_dataset(buffer.getvalue(), filename="colour.npz", image_size=(28, 28), channels=1)
    assert dataset.input_shape == (28, 28, 1) and dataset.num_classes == 1


def test_pickled_npz_is_refused():
    buffer = io.BytesIO()
    np.savez(buffer, x=np.array([{"evil": 1}, None], dtype=object))
    with pytest.raises(user_data.DataFormatError, match="refused for safety"):
        user_data.load_user_dataset(buffer.getvalue(), filename="pickled.npz")


def test_a_pickle_named_npz_is_refused():
    with pytest.raises(user_data.DataFormatError, match="not a readable .npz"):
        user_data.load_user_dataset(pickle.dumps({"x": [1, 2]}), filename="evil.npz")


@pytest.mark.parametrize("arrays, message", [
    ({"images": np.zeros((2, 8, 8))}, "no 'x'"),
    ({"x": np.zeros((8, 8))}, "expected \\(n, height, width\\)"),
    ({"x": np.full((2, 8, 8), np.nan)}, "NaN or infinite"),
    ({"x": np.full((2, 8, 8), 300.0)}, "ranges over"),
    ({"x": np.array(["a", "b"])}, "dtype"),
    ({"x": np.zeros((3, 8, 8)), "y": np.array([0, 1])}, "expected 3 integer labels"),
    ({"x": np.zeros((2, 8, 8)), "y": np.array([0.5, 1.5])}, "integer labels"),
    ({"x": np.zeros((2, 8, 8, 7))}, "channels"),
])
def test_bad_user_npz_gets_a_specific_message(arrays, message):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with pytest.raises(user_data.DataFormatError, match=message):
        user_data.load_user_dataset(buffer.getvalue(), filename="bad.npz")


def test_zip_of_images_one_folder_per_class():
    rng = np.random.default_rng(0)
    entries = {f"shapes/{cls}/{i}.png": png_bytes(rng.integers(0, 256, (40, 30), dtype=np.uint8))
               for cls in ("circle", "square") for i in range(5)}
    entries["shapes/square/extra.jpg"] = _jpeg(rng.integers(0, 256, (20, 20, 3), dtype=np.uint8))
    entries["__MACOSX/shapes/._x.png"] = b"resource fork"
    entries["shapes/readme.txt"] = b"ignored"
    dataset = user_data.load_user_dataset(make_zip(entries), filename="shapes.zip")
    assert dataset.class_names() == ["circle", "square"]
    assert dataset.input_shape == (28, 28, 1)
    assert len(dataset.x_train) + len(dataset.x_test) == 11
    assert np.bincount(np.concatenate([dataset.y_train, dataset.y_test])).tolist() == [5, 6]


def _jpeg(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_zip_in_colour_when_asked():
    entries = {"a/1.png": png_bytes(np.zeros((10, 10), dtype=np.uint8)), "b/1.png": png_bytes(np.zeros((10, 10), dtype=np.uint8))}
    dataset = user_data.load_user_dataset(make_zip(entries), filename="c.zip", image_size=(16, 16), channels=3)
    assert dataset.input_shape == (16, 16, 3)


@pytest.mark.parametrize("entries, message", [
    ({}, "holds no PNG or JPEG images"),
    ({"notes.txt": b"hello"}, "holds no PNG or JPEG images"),
    ({"loose.png": png_bytes(np.zeros((5, 5), dtype=np.uint8))}, "not inside a class folder"),
    ({"../../etc/evil.png": png_bytes(np.zeros((5, 5), dtype=np.uint8))}, "unsafe path"),
    ({"cls/broken.png": b"\x89PNG\r\n\x1a\n not really"}, "not a readable image"),
    ({"cls/truncated.png": png_bytes(np.zeros((64, 64), dtype=np.uint8))[:60]}, "not a readable image"),
])
def test_bad_zip_gets_a_specific_message(entries, message):
    with pytest.raises(user_data.DataFormatError, match=message):
        user_data.load_user_dataset(make_zip(entries), filename="bad.zip")


def parse_here(payload: bytes, filename: str, limits: ParseLimits | None = None):
    """The sandbox's dataset parse run in this process, so a test can patch what it calls."""
    limits = limits or ParseLimits()
    options = {"filename": filename, "image_size": [28, 28], "channels": 1, "max_array_bytes": limits.max_array_bytes,
               "max_pixels": limits.max_pixels, "max_seconds": limits.max_seconds}
    return user_data.parse_in_child(payload, options)


def test_huge_image_in_zip_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(user_data, "MAX_IMAGE_PIXELS", 100 * 100)
    monkeypatch.setattr(user_data, "decode_picture", lambda *args, **kwargs: pytest.fail("a picture was decoded"))
    entries = {"small/1.png": png_bytes(np.zeros((20, 20), dtype=np.uint8)),
               "big/1.png": png_bytes(np.zeros((200, 200), dtype=np.uint8))}
    with pytest.raises(user_data.DataFormatError, match="200×200 pixels"):
        parse_here(make_zip(entries), "big.zip")


def test_a_zip_over_the_pixel_budget_is_refused_from_its_headers_before_decoding(monkeypatch):
    monkeypatch.setattr(user_data, "decode_picture", lambda *args, **kwargs: pytest.fail("a picture was decoded"))
    entries = {f"cls/{i}.png": png_bytes(np.zeros((100, 100), dtype=np.uint8)) for i in range(5)}
    with pytest.raises(user_data.DataFormatError, match="50,000 pixels in all; the limit is 49,999") as refused:
        parse_here(make_zip(entries), "many.zip", ParseLimits(max_pixels=49_999))
    assert refused.value.code == "zip_too_many_pixels"


def test_decoding_a_zip_stops_at_its_time_limit(monkeypatch):
    decoded = []

    def slow_decode(*args, **kwargs):  # each picture takes a tenth of a second
        decoded.append(1)
        time.sleep(0.1)
        return decode_picture(*args, **kwargs)

    monkeypatch.setattr(user_data, "decode_picture", slow_decode)
    entries = {f"cls/{i}.png": png_bytes(np.zeros((10, 10), dtype=np.uint8)) for i in range(40)}
    with pytest.raises(user_data.DataFormatError, match="took longer than 0.25 s") as refused:
        parse_here(make_zip(entries), "slow.zip", ParseLimits(max_seconds=0.25))
    assert refused.value.code == "parse_too_slow"
    assert 2 <= len(decoded) <= 10  # stopped near the limit, long before the 40th picture


@pytest.mark.parametrize("payload, filename, message", [
    (b"not a zip", "x.zip", "not a valid zip"),
    (b"", "x.npz", "is empty"),
    (b"abc", "x.csv", "expected an .npz file or a .zip"),
])
def test_wrong_files_get_a_specific_message(payload, filename, message):
    with pytest.raises(user_data.DataFormatError, match=message):
        user_data.load_user_dataset(payload, filename=filename)


def test_a_file_over_the_limit_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "huge.npz"
    with path.open("wb") as file:
        file.truncate(3 * 2**20)  # 3 MB of holes: cheap to make, and over a 1 MB limit
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("the whole file was read"))
    opened = []
    real_open = type(path).open
    monkeypatch.setattr(type(path), "open", lambda self, *args, **kwargs: opened.append(self) or real_open(self, *args,
                                                                                                        **kwargs))
    with pytest.raises(user_data.DataFormatError) as refused:
        user_data.load_user_dataset(path, max_bytes=2**20)
    assert refused.value.code == "too_large" and refused.value.details["size"] == "3.0 MB"
    assert opened == []  # refused from its size alone
