"""Tests for latent_core.projection: 2-D maps of codes and placing new codes on them."""

import os
import sys

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors
from scipy.spatial.distance import pdist

from latent_core import projection
from latent_core.projection import (METHODS, Projection, available_methods, busy_fraction, place, project,
                                     tsne_settings, tsne_threads)


def blobs(n=300, dim=16, centers=4, seed=0):
    codes, labels = make_blobs(
        n_samples=n, n_features=dim, centers=centers, cluster_std=1.0, center_box=(-20, 20),
        random_state=seed,
    )
    return codes, labels


def neighbour_label_agreement(coordinates, labels, k=10):
    """Mean fraction of each point's k nearest map neighbours that share its label."""
    _, neighbours = NearestNeighbors(n_neighbors=k + 1).fit(coordinates).kneighbors(coordinates)
    return float(np.mean(labels[neighbours[:, 1:]] == labels[:, None]))


@pytest.fixture(scope="module")
def blob_data():
    return blobs()


@pytest.fixture(scope="module")
def tsne_map(blob_data):
    codes, _ = blob_data
    return project(codes, method="tsne", seed=0)


# --- t-SNE -----------------------------------------------------------------------


def test_tsne_separates_well_separated_blobs(blob_data, tsne_map):
    codes, labels = blob_data
    assert tsne_map.method == "tsne"
    assert tsne_map.coordinates.shape == (len(codes), 2)
    np.testing.assert_array_equal(tsne_map.indices, np.arange(len(codes)))
    assert neighbour_label_agreement(tsne_map.coordinates, labels) > 0.98
    assert trustworthiness(codes, tsne_map.coordinates, n_neighbors=10) > 0.9


def test_tsne_is_deterministic_for_a_seed():
    codes, _ = blobs(n=120)
    first = project(codes, method="tsne", seed=3)
    second = project(codes, method="tsne", seed=3)
    np.testing.assert_array_equal(first.coordinates, second.coordinates)


def test_tsne_reports_progress_from_zero_to_one(blob_data):
    codes, _ = blob_data
    calls = []
    projection = project(codes[:100], method="tsne", progress=lambda f, m: calls.append((f, m)))
    fractions = [fraction for fraction, _ in calls]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert all(later >= earlier for earlier, later in zip(fractions, fractions[1:]))
    assert any("iteration" in message for _, message in calls)
    assert len(calls) > 10  # the optimisation reports as it goes, not just at the end
    calls.clear()
    place(projection, codes[:2])
    assert calls == []  # placing points later must not replay the fit's progress


def test_placing_training_codes_lands_near_their_own_coordinates(blob_data, tsne_map):
    codes, _ = blob_data
    placed = place(tsne_map, codes[:20])
    span = np.ptp(tsne_map.coordinates, axis=0).max()
    distances = np.linalg.norm(placed - tsne_map.coordinates[:20], axis=1)
    assert placed.shape == (20, 2)
    assert np.all(distances < 0.05 * span)
    # openTSNE re-centres its embedding when placing; the stored map must share its frame.
    np.testing.assert_allclose(np.asarray(tsne_map.fitted), tsne_map.coordinates, atol=1e-9)


def test_placing_a_new_code_lands_in_its_own_cluster(blob_data, tsne_map):
    codes, labels = blob_data
    center_of_class_2 = codes[labels == 2].mean(axis=0)
    new_code = center_of_class_2 + 0.1
    placed = place(tsne_map, new_code[None, :])
    _, nearest = NearestNeighbors(n_neighbors=10).fit(tsne_map.coordinates).kneighbors(placed)
    assert np.all(labels[nearest[0]] == 2)


# --- PCA, identity, subsampling --------------------------------------------------


def test_pca_of_codes_on_a_plane_recovers_the_plane():
    rng = np.random.default_rng(0)
    basis, _ = np.linalg.qr(rng.normal(size=(10, 2)))  # orthonormal 2-D plane in 10-D
    offset = rng.normal(size=10)
    plane_coordinates = rng.normal(size=(200, 2)) * [3.0, 1.0]
    codes = plane_coordinates @ basis.T + offset
    projection = project(codes, method="pca")
    # A plane mapped by PCA keeps all distances (it is only rotated/reflected).
    np.testing.assert_allclose(pdist(projection.coordinates), pdist(plane_coordinates), atol=1e-8)
    new_plane_points = rng.normal(size=(5, 2))
    placed = place(projection, new_plane_points @ basis.T + offset)
    np.testing.assert_allclose(
        np.linalg.norm(placed[:, None] - projection.coordinates[None], axis=2),
        np.linalg.norm(new_plane_points[:, None] - plane_coordinates[None], axis=2),
        atol=1e-8,
    )


def test_big_inputs_are_subsampled_deterministically_and_bounded():
    codes, _ = blobs(n=5000, dim=8)
    first = project(codes, method="pca", max_points=500, seed=1)
    again = project(codes, method="pca", max_points=500, seed=1)
    other_seed = project(codes, method="pca", max_points=500, seed=2)
    assert first.coordinates.shape == (500, 2)
    assert len(np.unique(first.indices)) == 500
    assert np.all(np.diff(first.indices) > 0) and first.indices[-1] < 5000
    np.testing.assert_array_equal(first.indices, again.indices)
    assert not np.array_equal(first.indices, other_seed.indices)
    np.testing.assert_array_equal(first.codes, codes[first.indices])


def test_tsne_on_a_big_input_maps_only_max_points():
    codes, _ = blobs(n=3000, dim=8)
    projection = project(codes, method="tsne", max_points=150)
    assert projection.coordinates.shape == (150, 2)
    assert np.all(np.isfinite(projection.coordinates))


def test_identity_shows_2d_codes_as_they_are():
    codes = np.random.default_rng(0).normal(size=(50, 2))
    projection = project(codes, method="identity")
    np.testing.assert_array_equal(projection.coordinates, codes)
    np.testing.assert_array_equal(place(projection, codes[:3] + 1), codes[:3] + 1)


# --- saving, loading and the nearest-neighbour fallback ----------------------------


def test_round_trip_through_npz_without_pickle(tmp_path, tsne_map):
    path = tmp_path / "map.npz"
    np.savez(path, **tsne_map.to_arrays())
    with np.load(path, allow_pickle=False) as arrays:
        loaded = Projection.from_arrays(arrays)
    assert loaded.method == "tsne"
    assert loaded.fitted is None
    np.testing.assert_array_equal(loaded.coordinates, tsne_map.coordinates)
    np.testing.assert_array_equal(loaded.indices, tsne_map.indices)
    np.testing.assert_array_equal(loaded.codes, tsne_map.codes)


def test_loaded_map_places_by_nearest_neighbours(blob_data, tsne_map):
    codes, labels = blob_data
    loaded = Projection.from_arrays(tsne_map.to_arrays())
    # A code that is on the map lands exactly on its own point.
    np.testing.assert_allclose(place(loaded, codes[:5]), tsne_map.coordinates[:5], atol=1e-6)
    # A new code lands among its cluster's points.
    new_code = codes[labels == 1].mean(axis=0)[None, :]
    placed = place(loaded, new_code)
    _, nearest = NearestNeighbors(n_neighbors=10).fit(loaded.coordinates).kneighbors(placed)
    assert np.all(labels[nearest[0]] == 1)


def test_from_arrays_names_missing_keys():
    with pytest.raises(ValueError, match="missing.*codes"):
        Projection.from_arrays({"method": np.asarray("pca"), "coordinates": np.zeros((3, 2)),
                                "indices": np.arange(3)})


def test_projection_arrays_are_read_only(tsne_map):
    with pytest.raises(ValueError):
        tsne_map.coordinates[0, 0] = 1.0


# --- methods and bad input --------------------------------------------------------


def test_unknown_method_lists_the_valid_ones():
    with pytest.raises(ValueError, match="tsne, pca, umap, identity"):
        project(np.ones((20, 3)), method="mds")


def test_umap_missing_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "umap", None)  # makes `import umap` fail
    assert "umap" not in available_methods()
    assert set(available_methods()) == set(METHODS) - {"umap"}
    codes, _ = blobs(n=50)
    with pytest.raises(ImportError, match="pip install umap-learn"):
        project(codes, method="umap")


@pytest.mark.parametrize(
    ("codes", "method", "message"),
    [
        (np.ones(10), "pca", r"2-D \(n, d\).*codes\[None, :\]"),
        (np.ones((4, 3, 2)), "pca", r"2-D \(n, d\)"),
        (np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]]), "pca", "NaN or infinite values in 1 rows"),
        (np.random.default_rng(0).normal(size=(5, 4)), "tsne", "at least 10 codes"),
        (np.random.default_rng(0).normal(size=(20, 1)), "pca", "at least 2 dimensions"),
        (np.random.default_rng(0).normal(size=(20, 3)), "identity", "use 'pca'"),
        (np.ones((20, 3)), "tsne", "identical"),
        (np.zeros((0, 3)), "pca", "empty"),
        ([["a", "b"]], "pca", "numeric"),
    ],
)
def test_bad_codes_get_a_clear_message(codes, method, message):
    with pytest.raises(ValueError, match=message):
        project(codes, method=method)


@pytest.mark.parametrize("max_points", [5, 0, 2.5])
def test_max_points_below_the_method_minimum_is_refused(max_points):
    with pytest.raises(ValueError, match="max_points must be an integer of at least 10"):
        project(np.random.default_rng(0).normal(size=(50, 3)), method="tsne", max_points=max_points)


def test_place_checks_the_latent_dimension():
    projection = project(np.random.default_rng(0).normal(size=(30, 4)), method="pca")
    with pytest.raises(ValueError, match="3 dimensions.*4-dimensional"):
        place(projection, np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"codes\[None, :\]"):
        place(projection, np.zeros(4))


def test_tsne_uses_the_idle_cores_unless_hosted():
    assert tsne_threads(hosted=True, cores=16, load=0.0) == 1  # a hosted server: one core per map
    assert tsne_threads(hosted=False, cores=16, load=0.0) == 16
    assert tsne_threads(hosted=False, cores=8, load=5.2) == 3  # the others are busy
    assert tsne_threads(hosted=False, cores=2, load=9.0) == 1


def test_the_busy_share_comes_from_two_readings_of_the_cpu_counters():
    readings = iter([(1_000, 4_000), (1_150, 4_200)])  # 150 of 200 jiffies busy in between
    slept = []
    assert busy_fraction(read=lambda: next(readings), interval=0.2, sleep=slept.append) == pytest.approx(0.75)
    assert slept == [0.2]
    assert busy_fraction(read=lambda: None, sleep=lambda _: None) is None  # no /proc/stat
    same = iter([(1_000, 4_000), (1_000, 4_000)])
    assert busy_fraction(read=lambda: next(same), sleep=lambda _: None) is None  # no time passed


def test_a_machine_that_just_went_idle_gets_every_core(monkeypatch):
    # the one-minute load average still says 1.8 busy cores; the counters say none are busy now
    monkeypatch.setattr(os, "getloadavg", lambda: (1.8, 1.0, 0.5))
    monkeypatch.setattr(projection, "busy_fraction", lambda: 0.0)
    assert tsne_threads(hosted=False, cores=2) == 2
    monkeypatch.setattr(projection, "busy_fraction", lambda: 0.5)  # one of two busy now
    assert tsne_threads(hosted=False, cores=2) == 1
    monkeypatch.setattr(projection, "busy_fraction", lambda: None)  # no counters: the load average decides
    assert tsne_threads(hosted=False, cores=2) == 1


def test_hosted_mode_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    assert tsne_threads(cores=16, load=0.0) == 1
    monkeypatch.delenv("LATENT_EXPLORER_HOSTED")
    assert tsne_threads(cores=16, load=0.0) == 16


def test_tsne_picks_its_methods_by_size():
    small, large, huge = (tsne_settings(n, n_jobs=1) for n in (2000, 5000, 20_000))
    assert (small["neighbors"], small["negative_gradient_method"]) == ("exact", "bh")
    assert (large["neighbors"], large["negative_gradient_method"]) == ("exact", "fft")
    assert (huge["neighbors"], huge["negative_gradient_method"]) == ("annoy", "fft")
    assert tsne_settings(40, n_jobs=1)["perplexity"] == 13  # at most a third of the other points


def test_tsne_on_several_threads_gives_the_same_map(blob_data):
    codes, _ = blob_data
    one = project(codes, method="tsne", seed=0, n_jobs=1)
    two = project(codes, method="tsne", seed=0, n_jobs=2)
    np.testing.assert_allclose(one.coordinates, two.coordinates, atol=1e-6)
