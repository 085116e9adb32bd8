"""Map trust: per-point neighbour recall and the whole map's trustworthiness."""

import numpy as np
import pytest

from latent_core.trust import map_trust, neighbour_recall, usable_neighbours


def two_blobs(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0.0, 1.0, (50, 5)), rng.normal(20.0, 1.0, (50, 5))])


def test_a_map_that_keeps_the_codes_keeps_every_neighbour():
    codes = np.random.default_rng(0).normal(size=(60, 2))
    recall = neighbour_recall(codes, codes * 3.0 + 1.0, k=5)  # scaled and shifted: same neighbours
    np.testing.assert_allclose(recall, 1.0)


def test_points_the_map_moves_among_strangers_lose_their_neighbours():
    codes = two_blobs()
    coordinates = codes[:, :2].copy()
    moved = [0, 1, 2]
    coordinates[moved] = coordinates[[60, 75, 90]]  # three points of the first blob drawn apart inside the second
    recall = neighbour_recall(codes, coordinates, k=10)
    assert recall[moved].max() == 0.0
    assert np.median(np.delete(recall, moved)) > 0.3


def test_recall_is_a_share_of_k_for_each_point():
    codes = two_blobs()
    recall = neighbour_recall(codes, np.random.default_rng(1).normal(size=(100, 2)), k=4)
    assert recall.shape == (100,)
    assert set(np.round(recall * 4, 6)) <= {0.0, 1.0, 2.0, 3.0, 4.0}


def test_recall_needs_paired_rows_and_a_k_below_the_points():
    with pytest.raises(ValueError, match="one row per point"):
        neighbour_recall(np.zeros((5, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="k must be"):
        neighbour_recall(np.zeros((5, 3)), np.zeros((5, 2)), k=5)


def test_map_trust_gives_high_trustworthiness_to_a_faithful_map_and_low_to_a_shuffled_one():
    codes = two_blobs()
    faithful = map_trust(codes, codes[:, :2])
    shuffled = map_trust(codes, np.random.default_rng(2).permutation(codes[:, :2]))
    assert faithful.neighbours == 10
    assert faithful.trustworthiness > 0.8 > shuffled.trustworthiness
    assert faithful.mean_recall > shuffled.mean_recall
    assert not faithful.recall.flags.writeable  # shared between users from a cache


def test_small_maps_compare_fewer_neighbours():
    assert usable_neighbours(2000) == 10
    assert usable_neighbours(11) == 5  # trustworthiness needs fewer than half the points
    with pytest.raises(ValueError, match="at least 3"):
        usable_neighbours(2)
    assert map_trust(two_blobs()[:9], two_blobs()[:9, :2]).neighbours == 4
