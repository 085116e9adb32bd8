"""Image helpers: conversion, crisp upscaling and montages."""

import numpy as np
import pytest
from PIL import Image

from latent_core.images import montage, png_bytes, to_uint8, upscale


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
