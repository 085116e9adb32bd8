"""Drawings become dataset-like inputs: cropped, scaled into the 20/28 box, centred by mass."""

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from latent_core import data, drawing, sources

CANVAS = 280


def black_canvas() -> np.ndarray:
    canvas = np.zeros((CANVAS, CANVAS, 4), dtype=np.uint8)
    canvas[..., 3] = 255
    return canvas


def with_rectangle(canvas: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    canvas[top : top + height, left : left + width, :3] = 255
    canvas[top : top + height, left : left + width, 3] = 255
    return canvas


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(image > 0.05)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def mnist_digits(count: int) -> np.ndarray:
    with np.load(sources.BUNDLED_SAMPLES_DIR / "mnist.npz", allow_pickle=False) as sample:
        return sample["x"][:count].astype(np.float32) / 255.0


def test_ink_reads_opaque_black_and_transparent_canvases_alike():
    opaque = with_rectangle(black_canvas(), 10, 10, 5, 5)
    transparent = np.zeros_like(opaque)
    transparent[10:15, 10:15] = 255
    assert np.array_equal(drawing.ink(opaque), drawing.ink(transparent))
    assert drawing.ink(opaque).max() == 1.0 and drawing.ink(opaque)[0, 0] == 0.0


@pytest.mark.parametrize("canvas", [None, black_canvas(), np.zeros((CANVAS, CANVAS, 4), np.uint8)],
                         ids=["not-sent-yet", "black", "transparent"])
def test_an_empty_canvas_is_a_specific_error(canvas):
    with pytest.raises(drawing.EmptyDrawingError):
        drawing.to_dataset_style(canvas)


def test_faint_specks_below_the_threshold_count_as_empty():
    canvas = black_canvas()
    canvas[100, 100, :3] = 10
    with pytest.raises(drawing.EmptyDrawingError):
        drawing.ink(canvas)


@pytest.mark.parametrize("shape", [(5,), (4, 4, 2), (0, 4, 4)])
def test_pixels_of_the_wrong_shape_are_refused_with_the_shape(shape):
    with pytest.raises(ValueError, match="Expected canvas pixels"):
        drawing.ink(np.ones(shape, np.uint8))


def test_a_drawing_fills_the_twenty_pixel_box_keeping_its_aspect():
    tall = drawing.to_dataset_style(with_rectangle(black_canvas(), 20, 200, 200, 50))
    assert tall.shape == (28, 28, 1) and tall.dtype == np.float32
    assert tall.max() == pytest.approx(1.0) and tall.min() >= 0.0
    assert ink_box(tall[..., 0]) == (20, 5)


def test_the_centre_of_mass_lands_in_the_middle_wherever_it_was_drawn():
    corner = drawing.to_dataset_style(with_rectangle(black_canvas(), 0, 0, 60, 90))
    elsewhere = drawing.to_dataset_style(with_rectangle(black_canvas(), 150, 80, 120, 180))
    row, col = ndimage.center_of_mass(corner[..., 0])
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    np.testing.assert_allclose(corner, elsewhere, atol=1e-6)


def test_small_inputs_keep_the_mnist_proportion():
    digit = drawing.to_dataset_style(with_rectangle(black_canvas(), 40, 40, 200, 200), (8, 8, 1))
    assert digit.shape == (8, 8, 1)
    assert ink_box(digit[..., 0]) == (6, 6)
    assert drawing.box_size((8, 8, 1)) == 6 and drawing.box_size((28, 28)) == 20


def test_centring_by_mass_never_cuts_ink_off_a_small_field():
    top_heavy = with_rectangle(with_rectangle(black_canvas(), 20, 20, 80, 240), 100, 130, 160, 20)
    seven = drawing.to_dataset_style(top_heavy, (8, 8, 1))[..., 0]
    assert ink_box(seven) == (6, 6)
    assert ink_box(drawing.to_dataset_style(top_heavy)[..., 0]) == (20, 20)
    slightly_top_heavy = with_rectangle(with_rectangle(black_canvas(), 20, 60, 40, 120), 60, 100, 200, 30)
    mnist_sized = drawing.to_dataset_style(slightly_top_heavy)[..., 0]
    assert abs(ndimage.center_of_mass(mnist_sized)[0] - 14) <= 0.5


def test_dark_ink_data_gets_dark_strokes_on_white_and_colour_inputs_get_three_channels():
    canvas = with_rectangle(black_canvas(), 50, 50, 100, 100)
    bright = drawing.to_dataset_style(canvas, (28, 28, 3))
    dark = drawing.to_dataset_style(canvas, (28, 28), bright_ink=False)
    assert bright.shape == (28, 28, 3) and np.array_equal(bright[..., 0], bright[..., 2])
    assert dark.shape == (28, 28)
    np.testing.assert_allclose(dark, 1.0 - bright[..., 0])
    assert dark[0, 0] == 1.0


def test_enlarged_mnist_digits_drawn_off_centre_come_back_close_to_the_originals():
    digits = mnist_digits(40)
    errors, naive_errors = [], []
    for digit in digits:
        canvas = black_canvas()
        enlarged = Image.fromarray((digit * 255).astype(np.uint8)).resize((196, 196), Image.Resampling.BILINEAR)
        canvas[30:226, 60:256, :3] = np.asarray(enlarged)[..., np.newaxis]
        prepared = drawing.to_dataset_style(canvas)[..., 0]
        shrunk = Image.fromarray(canvas[..., 0].astype(np.float32) / 255).resize((28, 28), Image.Resampling.BOX)
        errors.append(np.mean((prepared - digit) ** 2))
        naive_errors.append(np.mean((np.asarray(shrunk) - digit) ** 2))
    assert np.mean(errors) < 0.02
    assert np.mean(errors) < np.mean(naive_errors) / 5


def test_datasets_of_the_app_have_bright_ink():
    digits = data.load_dataset("digits", max_train=50, max_test=10)
    assert drawing.has_bright_ink(digits.x_train)
    assert drawing.has_bright_ink(mnist_digits(50))
    assert not drawing.has_bright_ink(1.0 - mnist_digits(50))


def test_strokes_drawn_over_an_image_are_shrunk_onto_it_in_the_ink_colour():
    image = np.full((28, 28, 1), 0.3, dtype=np.float32)
    canvas = np.zeros((CANVAS, CANVAS, 4), np.uint8)
    canvas[0:100, 0:100] = 255
    noisy = drawing.draw_over(image, canvas)
    assert noisy.shape == image.shape
    assert np.all(noisy[:10, :10] == 1.0)
    assert np.all(noisy[11:, :] == pytest.approx(0.3)) and np.all(noisy[:, 11:] == pytest.approx(0.3))
    darkened = drawing.draw_over(image, canvas, bright_ink=False)
    assert np.all(darkened[:10, :10] == 0.0) and darkened[20, 20, 0] == pytest.approx(0.3)


def test_no_strokes_over_an_image_is_the_empty_drawing_error():
    with pytest.raises(drawing.EmptyDrawingError):
        drawing.draw_over(np.zeros((8, 8)), np.zeros((CANVAS, CANVAS, 4), np.uint8))
