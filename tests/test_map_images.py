"""Thumbnails chosen to cover a map, their size, and the mean code of each region of a map."""

import base64
import io

import numpy as np
import pytest
from PIL import Image

from latent_core.map_images import (THUMBNAIL_PIXELS, region_codes, region_layer, spread_points, thumbnail_layer,
                                    thumbnail_size)


def test_spread_points_reach_every_cluster_before_a_second_point_of_any():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0], [5.0, 5.0]])
    crowded = np.repeat(np.arange(5), [500, 20, 20, 20, 20])  # one cluster holds most points
    points = centres[crowded] + rng.normal(scale=0.1, size=(len(crowded), 2))
    chosen = spread_points(points, 5)
    assert sorted(crowded[chosen]) == [0, 1, 2, 3, 4]


def test_spread_points_cover_the_map_better_than_a_random_subset():
    points = np.random.default_rng(1).normal(size=(3000, 2)) ** 3  # dense middle, sparse tails
    chosen = spread_points(points, 100)
    random = np.random.default_rng(2).choice(len(points), 100, replace=False)

    def covering_radius(subset):
        return np.sqrt(((points[:, None, :] - points[subset][None]) ** 2).sum(-1)).min(axis=1).max()

    assert len(np.unique(chosen)) == 100
    assert covering_radius(chosen) < covering_radius(random) / 2


def test_spread_points_cap_and_duplicates():
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    assert sorted(spread_points(points, 10)) == [0, 2]  # two distinct places, each picked once
    assert len(spread_points(np.random.default_rng(0).random((50, 2)), 7)) == 7
    assert np.array_equal(spread_points(points, 10), spread_points(points, 10))
    with pytest.raises(ValueError):
        spread_points(points, 0)
    with pytest.raises(ValueError):
        spread_points(np.zeros((3, 3)), 2)


def test_thumbnails_are_as_large_as_the_closest_two_chosen_points_are_apart():
    points = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 3.0], [9.0, 9.0]])
    assert thumbnail_size(points, np.array([0, 1, 2])) == pytest.approx(3.0)
    assert thumbnail_size(points, np.array([0, 3])) == pytest.approx(np.hypot(9, 9))
    assert thumbnail_size(points, np.array([3])) == pytest.approx(0.9)  # a tenth of the map's extent


def test_a_cells_code_is_the_mean_of_the_codes_of_the_points_nearest_it():
    coordinates = np.array([[0.1, 0.1], [0.2, 0.3], [1.9, 1.9], [1.8, 0.2], [0.0, 2.0]])
    codes = np.array([[1.0, 0, 0], [3.0, 0, 0], [0, 5.0, 0], [0, 0, 7.0], [2.0, 2.0, 2.0]])
    grid = region_codes(coordinates, codes, steps=2)  # cells: 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right
    found = {int(cell): (code, int(count)) for cell, code, count in zip(grid.cells, grid.codes, grid.counts)}
    assert sorted(found) == [0, 1, 2, 3]
    np.testing.assert_allclose(found[2][0], [2.0, 0, 0])  # the two points at the bottom left, averaged
    assert found[2][1] == 2
    np.testing.assert_allclose(found[1][0], [0, 5.0, 0])
    np.testing.assert_allclose(found[3][0], [0, 0, 7.0])
    np.testing.assert_allclose(found[0][0], [2.0, 2.0, 2.0])
    assert grid.x_range == pytest.approx((0.0, 1.9)) and grid.y_range == pytest.approx((0.1, 2.0))


def test_cells_no_point_is_nearest_to_stay_empty():
    coordinates = np.array([[0.0, 0.0], [0.1, 0.2], [3.0, 3.0]])  # two corners of a 3×3 grid, nothing between
    grid = region_codes(coordinates, np.array([[0.0], [2.0], [9.0]]), steps=3)
    assert list(grid.cells) == [2, 6]  # top right and bottom left only
    np.testing.assert_allclose(grid.codes, [[9.0], [1.0]])
    assert list(grid.counts) == [1, 2]


def test_a_region_grid_of_a_flat_map_and_bad_inputs():
    grid = region_codes(np.zeros((4, 2)), np.ones((4, 8)), steps=5)
    assert len(grid.cells) == 1 and grid.counts[0] == 4 and grid.x_range == (-0.5, 0.5)
    with pytest.raises(ValueError):
        region_codes(np.zeros((4, 2)), np.ones((3, 8)), steps=5)
    with pytest.raises(ValueError):
        region_codes(np.zeros((4, 2)), np.ones((4, 8)), steps=0)
    with pytest.raises(ValueError):
        region_codes(np.full((2, 2), np.nan), np.ones((2, 8)), steps=2)


def picture_of(layer: dict) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(layer["source"].split(",", 1)[1]))))


def test_the_thumbnail_layer_puts_each_chosen_points_image_on_it_at_the_thumbnail_size():
    rng = np.random.default_rng(0)
    coordinates = rng.normal(size=(500, 2))
    images = rng.random((500, 8, 8, 1)).astype(np.float32)
    layer = thumbnail_layer(coordinates, images, 40)
    chosen = spread_points(coordinates, 40)
    assert len(layer) == 40
    for picture, at in zip(layer, chosen):
        assert (picture["x"], picture["y"]) == (coordinates[at, 0], coordinates[at, 1])
        assert picture["sizex"] == picture["sizey"] == pytest.approx(thumbnail_size(coordinates, chosen))
        pixels = picture_of(picture)
        assert pixels.shape == (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS)
        np.testing.assert_array_equal(pixels[::7, ::7], np.round(images[at, :, :, 0] * 255).astype(np.uint8))


def test_the_region_layer_draws_each_filled_cell_where_it_lies_and_leaves_empty_ones_transparent():
    coordinates = np.array([[0.0, 0.0], [3.0, 3.0]])
    grid = region_codes(coordinates, np.array([[0.0], [1.0]]), steps=3)
    decoded = np.stack([np.full((4, 4, 1), 0.0), np.full((4, 4, 1), 1.0)])  # cell 2 (top right): black
    layer = region_layer(grid, decoded)
    pixels = picture_of(layer)
    side = pixels.shape[0] // 3
    assert pixels.shape == (3 * side, 3 * side, 4)
    cells = pixels[::side, ::side]  # one pixel of each cell, top row first
    assert list(np.flatnonzero(cells[..., 3].ravel())) == [2, 6]
    assert tuple(cells[0, 2, :3]) == (0, 0, 0) and tuple(cells[2, 0, :3]) == (255, 255, 255)
    assert (layer["x"], layer["y"], layer["sizex"], layer["sizey"]) == (0.0, 3.0, 3.0, 3.0)
    assert layer["layer"] == "below"
