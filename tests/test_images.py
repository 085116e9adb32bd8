"""Image helpers: conversion, crisp upscaling, montages and error heatmaps."""

import numpy as np
import pytest
from PIL import Image

from latent_core.images import (
    ERROR_SCALE_TOP,
    absolute_error,
    as_rgb,
    error_colours,
    error_heatmaps,
    error_scale_bar,
    montage,
    png_bytes,
    shown_png,
    to_uint8,
    upscale,
)


def test_to_uint8_clips_and_rounds():
    pixels = to_uint8(np.array([[-1.0, 0.0], [0.5, 2.0]])[..., None])
    assert pixels.tolist() == [[0, 0], [128, 255]]


def test_to_uint8_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"\(h, w\)"):
        to_uint8(np.zeros((4, 4, 2)))


def test_upscale_keeps_pixels_crisp():
    image = upscale(np.eye(2), 8)
    assert image.size == (8, 8)
    assert np.asarray(image)[:4, :4].min() == 255 and np.asarray(image)[:4, 4:].max() == 0


def test_montage_lays_out_rows_and_columns():
    sheet = montage(np.ones((5, 4, 4, 1)), columns=3, cell=8, padding=1)
    assert sheet.size == (3 * 9 + 1, 2 * 9 + 1)
    pixels = np.asarray(sheet)
    assert pixels[1:9, 1:9].min() == 255  # first tile
    assert Image.open(__import__("io").BytesIO(png_bytes(sheet))).size == sheet.size


def test_montage_of_colour_images():
    assert montage(np.zeros((2, 4, 4, 3)), columns=2, cell=4).mode == "RGB"


def test_montage_needs_images():
    with pytest.raises(ValueError, match="at least one image"):
        montage(np.zeros((0, 4, 4, 1)), columns=2)


def test_absolute_error_is_per_pixel_and_averages_colour_channels():
    original = np.zeros((2, 2, 3), np.float32)
    rebuilt = original.copy()
    rebuilt[0, 1] = (0.3, 0.6, 0.9)
    rebuilt[1, 0, 0] = -0.6  # errors count both ways
    np.testing.assert_allclose(absolute_error(original, rebuilt), [[0.0, 0.6], [0.2, 0.0]], atol=1e-6)


def test_absolute_error_needs_images_of_one_shape():
    with pytest.raises(ValueError, match="one shape"):
        absolute_error(np.zeros((2, 2, 1)), np.zeros((2, 3, 1)))


def test_the_colour_scale_is_fixed_so_equal_errors_get_equal_colours_on_any_image():
    small_errors = np.array([[0.0, 0.1]])
    large_errors = np.array([[0.1, 0.9]])
    # the 0.1 pixel has one colour whatever else its image holds: the scale is not stretched per image
    np.testing.assert_allclose(error_colours(small_errors)[0, 1], error_colours(large_errors)[0, 0], atol=1e-6)
    ends = error_colours(np.array([0.0, ERROR_SCALE_TOP, 5.0]))
    assert ends[0].max() < 0.05  # no error: black
    assert ends[1].min() > 0.6  # the whole range: pale yellow
    np.testing.assert_allclose(ends[2], ends[1], atol=1e-6)  # beyond the top: clipped to it


def test_the_colour_scale_brightens_as_the_error_grows():
    brightness = error_colours(np.linspace(0.0, ERROR_SCALE_TOP, 50)).sum(axis=-1)
    assert np.all(np.diff(brightness) > 0)


def test_error_heatmaps_are_rgb_images_that_show_where_the_error_is():
    originals = np.zeros((2, 4, 4, 1), np.float32)
    rebuilt = originals.copy()
    rebuilt[1, 2, 3] = 1.0
    maps = error_heatmaps(originals, rebuilt)
    assert maps.shape == (2, 4, 4, 3)
    bright = maps.sum(axis=-1)
    assert np.unravel_index(np.argmax(bright), bright.shape) == (1, 2, 3)
    assert bright[0].max() == pytest.approx(bright[1, 0, 0])  # every exact pixel has the same dark colour


def test_heatmaps_lay_out_in_a_montage_beside_grey_images():
    grey = np.full((1, 4, 4, 1), 0.5, np.float32)
    sheet = montage(np.concatenate([as_rgb(grey), error_heatmaps(grey, grey * 0)]), columns=2, cell=8)
    assert sheet.mode == "RGB"
    assert np.asarray(sheet)[4, 4].tolist() == [128, 128, 128]


def test_the_scale_bar_runs_from_no_error_to_the_top_of_the_scale():
    bar = np.asarray(error_scale_bar(width=100, height=5))
    assert bar.shape == (5, 100, 3)
    assert bar[0, 0].tolist() == to_uint8(error_colours(np.array([[0.0]]))[0])[0].tolist()
    assert bar[0, -1].tolist() == to_uint8(error_colours(np.array([[ERROR_SCALE_TOP]]))[0])[0].tolist()


def test_a_shown_picture_is_the_same_pixels_encoded_at_the_fast_zlib_level():
    import io

    images = np.random.default_rng(0).random((16, 28, 28, 1)).astype(np.float32)
    picture = montage(images, columns=4, cell=56)
    shown = shown_png(picture)
    decoded = Image.open(io.BytesIO(shown))
    assert decoded.format == "PNG" and np.array_equal(np.asarray(decoded), np.asarray(picture))
    # a PNG's pixels are one zlib stream; the top bits of its header's second byte name the level used:
    # 0 for levels 0-1 (the fastest), 2 for PIL's default 6
    def zlib_level_bits(png: bytes) -> int:
        return png[png.index(b"IDAT") + 5] >> 6

    assert zlib_level_bits(shown) == 0 and zlib_level_bits(png_bytes(picture)) == 2
