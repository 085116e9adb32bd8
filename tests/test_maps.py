"""Unit tests of latent_core.maps: map samples, encoding, the manifold grid, uploads, selections, exports."""

import io
import threading

import numpy as np
import pytest
from PIL import Image

from latent_core import maps
from latent_core.pretrained import LatentMap


def latent_map(sample: str, indices) -> LatentMap:
    n = len(indices)
    return LatentMap(codes=np.arange(2 * n, dtype=np.float32).reshape(n, 2), labels=np.arange(n) % 3,
                     sample_indices=np.asarray(indices), coordinates={"pca": np.zeros((n, 2), np.float32)},
                     sample=sample)


def test_sample_of_map_takes_images_from_the_bundled_sample_or_the_test_split():
    bundled = (np.arange(10.0)[:, None] + 100, np.zeros(10))
    x_test = np.arange(10.0)[:, None]
    from_bundle = maps.sample_of_map(latent_map("samples/mnist.npz", [4, 2]), bundled=bundled, x_test=x_test)
    assert from_bundle.inputs[:, 0].tolist() == [104, 102]
    assert from_bundle.source == "samples/mnist.npz"
    from_test = maps.sample_of_map(latent_map('"digits test split"', [4, 2]), bundled=bundled, x_test=x_test)
    assert from_test.inputs[:, 0].tolist() == [4, 2]
    assert from_test.source == "digits test split"
    assert from_test.labels.tolist() == [0, 1]


def test_sample_of_map_refuses_a_map_that_points_past_its_data():
    with pytest.raises(ValueError, match="do not belong together"):
        maps.sample_of_map(latent_map("digits test split", [0, 12]), bundled=None, x_test=np.zeros((10, 1)))
    with pytest.raises(ValueError, match="missing"):
        maps.sample_of_map(latent_map("samples/mnist.npz", [0]), bundled=None, x_test=np.zeros((10, 1)))


def test_encode_sample_keeps_a_fixed_subset_in_order_and_encodes_in_batches(monkeypatch):
    monkeypatch.setattr(maps, "ENCODE_BATCH", 7)
    calls = []

    def encode(batch):
        calls.append(len(batch))
        return batch[:, :2] * 2

    inputs = np.arange(60.0).reshape(30, 2)
    sample = maps.encode_sample(encode, inputs, np.arange(30), limit=20, seed=1)
    assert len(sample.codes) == 20 and calls == [7, 7, 6]
    assert np.all(np.diff(sample.labels) > 0)
    np.testing.assert_array_equal(sample.codes, inputs[sample.labels] * 2)
    again = maps.encode_sample(encode, inputs, np.arange(30), limit=20, seed=1)
    np.testing.assert_array_equal(again.labels, sample.labels)
    assert len(maps.encode_sample(encode, inputs, np.arange(30), limit=100).codes) == 30


@pytest.mark.parametrize("limit", [0, 2.5])
def test_encode_sample_rejects_a_bad_limit(limit):
    with pytest.raises(ValueError, match="limit"):
        maps.encode_sample(lambda x: x, np.zeros((3, 2)), np.zeros(3), limit=limit)


def test_manifold_grid_runs_top_row_first_and_centres_each_image_on_its_code():
    codes = np.array([[0.0, 0.0], [4.0, 2.0]])
    decoded = []

    def decode(grid):
        decoded.append(len(grid))
        return np.zeros((len(grid), 3, 3, 1))

    grid = maps.manifold_grid(decode, codes, steps=3, coverage=1.0)
    assert decoded == [9]
    np.testing.assert_allclose(grid.codes[0], [0, 2])  # top left
    np.testing.assert_allclose(grid.codes[2], [4, 2])  # top right
    np.testing.assert_allclose(grid.codes[-1], [4, 0])  # bottom right
    assert grid.x_range == (-1.0, 5.0) and grid.y_range == (-0.5, 2.5)


def test_manifold_grid_ignores_outliers_and_needs_2d_codes():
    rng = np.random.default_rng(0)
    codes = np.vstack([rng.uniform(-1, 1, size=(500, 2)), [[100.0, 100.0]]])
    grid = maps.manifold_grid(lambda z: np.zeros((len(z), 2, 2, 1)), codes, steps=4)
    assert grid.x_range[1] < 2 and grid.y_range[1] < 2
    with pytest.raises(ValueError, match="2-D codes"):
        maps.manifold_grid(lambda z: z, np.zeros((5, 3)), steps=4)


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_upload_is_resized_and_inverted_to_the_data_polarity():
    paper = np.full((56, 56), 255, np.uint8)
    paper[14:42, 24:32] = 0  # a dark stroke on white paper
    bright = maps.image_from_upload(png(paper), (28, 28, 1), bright_ink=True)
    assert bright.shape == (28, 28, 1) and bright.dtype == np.float32
    assert bright[0, 0, 0] == pytest.approx(0.0) and bright[14, 14, 0] == pytest.approx(1.0, abs=0.05)
    dark = maps.image_from_upload(png(paper), (28, 28, 1), bright_ink=False)
    assert dark[0, 0, 0] == pytest.approx(1.0)


def test_an_upload_that_is_no_image_says_what_to_upload():
    with pytest.raises(ValueError, match="PNG or JPEG"):
        maps.image_from_upload(b"not an image", (28, 28, 1), bright_ink=True)


def test_selected_rows_maps_trace_positions_to_data_rows_and_skips_other_traces():
    trace_rows = [np.array([5, 9]), np.array([1, 3, 7])]
    points = [{"curve_number": 1, "point_index": 2}, {"curve_number": 0, "point_index": 0},
              {"curve_number": 1, "point_index": 2}, {"curve_number": 2, "point_index": 0},
              {"curve_number": 0, "point_index": 8}, {"x": 1.0}]
    assert maps.selected_rows(points, trace_rows).tolist() == [5, 7]
    assert maps.selected_rows([], trace_rows).tolist() == []


def test_codes_export_as_csv_and_npz():
    codes = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
    text = maps.codes_csv(codes, labels=["T-shirt", 'say "hi"']).decode()
    assert text.splitlines() == ["label,z0,z1", '"T-shirt",0.5,-1.0', '"say ""hi""",2.0,0.25']
    assert maps.codes_csv(codes[0]).decode().splitlines() == ["z0,z1", "0.5,-1.0"]
    with np.load(io.BytesIO(maps.codes_npz(codes, labels=np.array([3, 4]))), allow_pickle=False) as arrays:
        np.testing.assert_array_equal(arrays["codes"], codes)
        assert arrays["labels"].tolist() == [3, 4]


def test_map_cache_computes_once_and_drops_the_least_recently_used():
    cache = maps.MapCache(capacity=2)
    computed = []

    def compute(name):
        computed.append(name)
        return name.upper()

    assert cache.get_or_compute("a", lambda: compute("a")) == "A"
    assert cache.get_or_compute("a", lambda: compute("a")) == "A"
    cache.get_or_compute("b", lambda: compute("b"))
    cache.get("a")
    cache.get_or_compute("c", lambda: compute("c"))
    assert cache.get("b") is None and cache.get("a") == "A"
    assert computed == ["a", "b", "c"]


def test_map_cache_is_safe_across_threads():
    cache = maps.MapCache(capacity=4)
    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k", object)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(result) for result in results}) == 1
