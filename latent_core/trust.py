"""How far a 2-D map of latent codes can be trusted: which latent neighbours it keeps.

A map (t-SNE, PCA, UMAP) squeezes d-dimensional codes into a plane, and no plane keeps
every neighbourhood. :func:`neighbour_recall` gives each mapped point the share of its
``k`` nearest codes in latent space that are also among its ``k`` nearest points on the
map (1: its neighbourhood survived; near 0: the map put it among strangers).
:func:`map_trust` adds scikit-learn's ``trustworthiness`` of the whole map, which
penalises map neighbours by how far down the latent-space ranking they really are.

Costs: the recall is two nearest-neighbour searches (a fraction of a second for 5,000
points); ``trustworthiness`` ranks all pairwise latent distances, quadratic in the
points (a few seconds for 5,000), so a page computes both once per map and keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.manifold import trustworthiness
from sklearn.neighbors import NearestNeighbors

__all__ = ["DEFAULT_NEIGHBOURS", "MapTrust", "map_trust", "neighbour_recall", "usable_neighbours"]

DEFAULT_NEIGHBOURS = 10
"""Neighbours compared per point: a point's immediate surroundings on a map of a few thousand."""


@dataclass(frozen=True, eq=False)
class MapTrust:
    """How well one map keeps latent neighbourhoods.

    ``recall[i]`` belongs to the map's ``i``-th point (the order of its ``coordinates``);
    ``neighbours`` is the ``k`` both measures used; ``trustworthiness`` is in [0, 1].
    """

    recall: np.ndarray
    trustworthiness: float
    neighbours: int

    @property
    def mean_recall(self) -> float:
        return float(np.mean(self.recall))


def usable_neighbours(points: int, wanted: int = DEFAULT_NEIGHBOURS) -> int:
    """``wanted`` neighbours, fewer when a small map has too few points: ``trustworthiness``
    needs fewer than half of them."""
    if points < 3:
        raise ValueError(f"comparing neighbourhoods needs at least 3 points, got {points}.")
    return max(1, min(int(wanted), (points - 1) // 2))


def _nearest(points: np.ndarray, k: int) -> np.ndarray:
    """Each point's ``k`` nearest other points (itself left out), shape (n, k)."""
    return NearestNeighbors(n_neighbors=k).fit(points).kneighbors(return_distance=False)


def neighbour_recall(codes: np.ndarray, coordinates: np.ndarray, *, k: int = DEFAULT_NEIGHBOURS) -> np.ndarray:
    """Per point, the share of its ``k`` nearest codes that are also among its ``k`` nearest map points.

    ``codes`` (n, d) and ``coordinates`` (n, 2) describe the same points row by row.
    Returns (n,) values in [0, 1], multiples of 1/k.
    """
    codes, coordinates = np.asarray(codes, dtype=np.float64), np.asarray(coordinates, dtype=np.float64)
    if codes.ndim != 2 or coordinates.ndim != 2 or len(codes) != len(coordinates):
        raise ValueError(f"codes and coordinates must be 2-D with one row per point; got {codes.shape} "
                         f"and {coordinates.shape}.")
    if not 1 <= k < len(codes):
        raise ValueError(f"k must be between 1 and {len(codes) - 1} for {len(codes)} points, got {k}.")
    in_latent, on_map = _nearest(codes, k), _nearest(coordinates, k)
    kept = (in_latent[:, :, np.newaxis] == on_map[:, np.newaxis, :]).any(axis=2)
    return kept.sum(axis=1) / k


def map_trust(codes: np.ndarray, coordinates: np.ndarray, *, k: int = DEFAULT_NEIGHBOURS) -> MapTrust:
    """Per-point neighbour recall and the whole map's trustworthiness, both at ``k`` neighbours
    (fewer for a small map, see :func:`usable_neighbours`)."""
    k = usable_neighbours(len(codes), k)
    recall = neighbour_recall(codes, coordinates, k=k)
    whole = trustworthiness(np.asarray(codes, dtype=np.float64), np.asarray(coordinates, dtype=np.float64),
                            n_neighbors=k)
    recall.setflags(write=False)
    return MapTrust(recall=recall, trustworthiness=float(whole), neighbours=k)
