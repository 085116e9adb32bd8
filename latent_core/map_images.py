"""Images on a 2-D map: which points to draw as thumbnails, how large, and what lives in each region.

A map of thousands of points cannot show every point's image, so :func:`spread_points`
picks a capped number that cover the map (greedy farthest-point selection: each pick is
the point farthest from those picked so far), and :func:`thumbnail_size` sizes them by the
spacing that selection reached, so neighbouring thumbnails just touch. :func:`region_codes`
turns any 2-D map (t-SNE or PCA of codes of any size, not only a 2-D latent) into a grid
whose every cell holds the mean code of the points nearest to it, for a decoder to show
what lives in that region of the map; cells no point is nearest to stay empty.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
from PIL import Image

from latent_core.images import png_bytes, upscale

__all__ = ["RegionGrid", "region_codes", "region_layer", "spread_points", "thumbnail_layer", "thumbnail_size"]

MAX_THUMBNAILS = 300  # enough to cover a map; each is one small picture the browser draws (see BENCHMARKS.md)
THUMBNAIL_PIXELS = 56  # each thumbnail's side in the browser's picture, so zooming in does not blur it soon


def _checked_points(coordinates: np.ndarray) -> np.ndarray:
    points = np.asarray(coordinates, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"map coordinates must have shape (n, 2), got {points.shape}.")
    if not np.isfinite(points).all():
        raise ValueError("map coordinates must be finite.")
    return points


def spread_points(coordinates: np.ndarray, limit: int) -> np.ndarray:
    """Positions of at most ``limit`` points that cover the map, in the order they were picked.

    Greedy farthest-point selection, deterministic: the first pick is the point nearest the
    map's centre, each next one the point farthest from every point picked so far (the lowest
    position on ties). Duplicate points are never picked twice. All points when there are
    ``limit`` or fewer distinct ones.
    """
    points = _checked_points(coordinates)
    if not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}.")
    if not len(points):
        return np.zeros(0, dtype=np.int64)
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    picked = [int(np.argmin(np.sum((points - centre) ** 2, axis=1)))]
    distance = np.sum((points - points[picked[0]]) ** 2, axis=1)
    while len(picked) < limit:
        farthest = int(np.argmax(distance))
        if distance[farthest] <= 0.0:  # every point is one already picked
            break
        picked.append(farthest)
        distance = np.minimum(distance, np.sum((points - points[farthest]) ** 2, axis=1))
    return np.array(picked, dtype=np.int64)


def thumbnail_size(coordinates: np.ndarray, chosen: np.ndarray) -> float:
    """The side, in map units, of the thumbnails drawn at ``coordinates[chosen]``: the smallest
    distance between two chosen points, so no two thumbnails overlap by more than their corners.
    A single thumbnail (or chosen points all in one place) gets a tenth of the map's extent."""
    points = _checked_points(coordinates)
    extent = float(np.max(np.ptp(points, axis=0))) if len(points) else 0.0
    fallback = extent / 10 if extent > 0 else 1.0
    chosen_points = points[np.asarray(chosen, dtype=np.int64)]
    if len(chosen_points) < 2:
        return fallback
    gaps = np.sqrt(np.sum((chosen_points[:, None, :] - chosen_points[None, :, :]) ** 2, axis=2))
    np.fill_diagonal(gaps, np.inf)
    smallest = float(gaps.min())
    return smallest if smallest > 0 else fallback


@dataclass(frozen=True, eq=False)
class RegionGrid:
    """A ``steps`` × ``steps`` grid over a map, each cell holding the mean code of the points nearest it.

    Cells are numbered in montage order: rows from the top (largest second coordinate) down,
    columns left to right. ``cells`` are the numbers of the cells some point is nearest to,
    ``codes[i]`` the mean code of those points of cell ``cells[i]`` and ``counts[i]`` how many
    there are; every other cell is empty. ``x_range`` and ``y_range`` are the grid's outer edges
    in map units.
    """

    cells: np.ndarray
    codes: np.ndarray
    counts: np.ndarray
    steps: int
    x_range: tuple[float, float]
    y_range: tuple[float, float]


def region_codes(coordinates: np.ndarray, codes: np.ndarray, *, steps: int) -> RegionGrid:
    """Split the map's bounding box into ``steps`` × ``steps`` equal cells and give each cell the
    mean code of the points nearest its centre (those inside it; a point on a border goes to the
    cell above or to the right). ``codes[i]`` is the code of the point at ``coordinates[i]``, of
    any size. A flat axis is widened to one map unit so the grid still has an area."""
    points = _checked_points(coordinates)
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) != len(points):
        raise ValueError(f"one code row per map point is needed; got codes {codes.shape} "
                         f"for {len(points)} points.")
    if not len(points):
        raise ValueError("a region grid needs at least one point.")
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    low, high = points.min(axis=0), points.max(axis=0)
    flat = high <= low
    low, high = np.where(flat, low - 0.5, low), np.where(flat, high + 0.5, high)
    scaled = (points - low) / (high - low) * steps
    column = np.clip(np.floor(scaled[:, 0]).astype(np.int64), 0, steps - 1)
    row = steps - 1 - np.clip(np.floor(scaled[:, 1]).astype(np.int64), 0, steps - 1)  # top row first
    cell_of_point = row * steps + column
    cells, inverse, counts = np.unique(cell_of_point, return_inverse=True, return_counts=True)
    sums = np.zeros((len(cells), codes.shape[1]))
    np.add.at(sums, inverse, codes)
    return RegionGrid(cells=cells.astype(np.int64), codes=sums / counts[:, None], counts=counts.astype(np.int64),
                      steps=int(steps), x_range=(float(low[0]), float(high[0])),
                      y_range=(float(low[1]), float(high[1])))


def _data_uri(picture: Image.Image) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(picture)).decode("ascii")


def thumbnail_layer(coordinates: np.ndarray, images: np.ndarray, limit: int) -> list[dict]:
    """Up to ``limit`` of the map's points drawn as their images (``images[i]`` is the image at
    ``coordinates[i]``): chosen by :func:`spread_points`, sized by :func:`thumbnail_size`, as plotly
    layout images in map units centred on their points, so they grow and shrink with the zoom."""
    chosen = spread_points(coordinates, limit)
    size = thumbnail_size(coordinates, chosen)
    return [{"source": _data_uri(upscale(images[at], THUMBNAIL_PIXELS)), "xref": "x", "yref": "y",
             "x": float(coordinates[at, 0]), "y": float(coordinates[at, 1]), "sizex": size, "sizey": size,
             "xanchor": "center", "yanchor": "middle", "sizing": "contain", "layer": "above"} for at in chosen]


def region_layer(grid: RegionGrid, decoded: np.ndarray) -> dict:
    """The decoded cells of ``grid`` (``decoded[i]`` the image of ``grid.codes[i]``) as one picture laid
    out like the grid, empty cells transparent, as a plotly layout image under the map's points."""
    tiles = [upscale(image, max(28, decoded.shape[1] * 2)).convert("RGBA") for image in decoded]
    side = tiles[0].height
    picture = Image.new("RGBA", (grid.steps * side, grid.steps * side), (0, 0, 0, 0))
    for tile, number in zip(tiles, grid.cells):
        row, column = divmod(int(number), grid.steps)
        picture.paste(tile, (column * side, row * side))
    return {"source": _data_uri(picture), "xref": "x", "yref": "y", "x": grid.x_range[0], "y": grid.y_range[1],
            "sizex": grid.x_range[1] - grid.x_range[0], "sizey": grid.y_range[1] - grid.y_range[0],
            "sizing": "stretch", "layer": "below"}
