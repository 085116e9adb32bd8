"""The data behind the Latent map and Generate pages.

Which images a precomputed latent map shows, the codes of a dataset sample for models
without one, the decoded manifold grid of a 2-D latent plane, an uploaded picture turned
into a model input, which mapped points a chart selection picked, and codes exported as
CSV or NPZ. A small thread-safe cache keeps slow maps (t-SNE) once per model and settings
for every user of the server.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from latent_core.images import Picture, read_picture

__all__ = [
    "CodeSample",
    "ManifoldGrid",
    "MapCache",
    "codes_csv",
    "codes_npz",
    "encode_sample",
    "image_from_upload",
    "manifold_grid",
    "sample_of_map",
    "selected_rows",
]

BUNDLED_SAMPLE_PREFIX = "samples/"
ENCODE_BATCH = 1000


@dataclass(frozen=True, eq=False)
class CodeSample:
    """Codes of a set of inputs, row by row with their labels and the inputs themselves.

    ``labels`` are class indices for image datasets (a float position for the swiss
    roll); ``inputs`` are what the model encoded (images, or points); ``source`` says in
    words where the inputs come from.
    """

    codes: np.ndarray
    labels: np.ndarray
    inputs: np.ndarray
    source: str

    def __post_init__(self) -> None:
        n = len(self.codes)
        if self.codes.ndim != 2 or len(self.labels) != n or len(self.inputs) != n:
            raise ValueError(
                f"a code sample needs (n, d) codes with one label and one input per code; got codes "
                f"{self.codes.shape}, labels {self.labels.shape}, inputs {self.inputs.shape}.")


def sample_of_map(latent_map, *, bundled: tuple[np.ndarray, np.ndarray] | None,
                  x_test: np.ndarray) -> CodeSample:
    """The codes of a precomputed ``pretrained.LatentMap`` with the inputs they encode.

    Maps of datasets with a bundled sample point into it (``latent_map.sample`` names
    ``samples/<dataset>.npz``; pass ``pretrained.load_sample(dataset)`` as ``bundled``);
    the others point into the dataset's test split ``x_test``.
    """
    if latent_map.sample.strip('"').startswith(BUNDLED_SAMPLE_PREFIX):
        if bundled is None:
            raise ValueError(f"the map shows the bundled sample {latent_map.sample!r}, which is missing; "
                             "rebuild it with scripts/make_samples.py.")
        pool, source = bundled[0], latent_map.sample
    else:
        pool, source = x_test, latent_map.sample.strip('"')
    indices = np.asarray(latent_map.sample_indices)
    if len(indices) and (indices.min() < 0 or indices.max() >= len(pool)):
        raise ValueError(f"the map points at row {int(indices.max())} of {len(pool)} inputs of "
                         f"{source}; the map and the data do not belong together.")
    return CodeSample(codes=np.asarray(latent_map.codes), labels=np.asarray(latent_map.labels),
                      inputs=pool[indices], source=source)


def encode_sample(encode: Callable[[np.ndarray], np.ndarray], inputs: np.ndarray, labels: np.ndarray,
                  *, limit: int, seed: int = 0, source: str = "") -> CodeSample:
    """Codes of at most ``limit`` of ``inputs`` (a fixed random subset for ``seed``, in order).

    Encodes in batches of 1,000 so a large sample never needs one huge tensor.
    """
    if not isinstance(limit, (int, np.integer)) or limit < 1:
        raise ValueError(f"limit must be a positive integer, got {limit!r}.")
    if len(inputs) != len(labels):
        raise ValueError(f"{len(inputs)} inputs but {len(labels)} labels; they must pair up.")
    if len(inputs) == 0:
        raise ValueError("there are no inputs to encode.")
    rows = np.arange(len(inputs))
    if len(inputs) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(len(inputs), size=limit, replace=False))
    chosen = np.asarray(inputs[rows])
    codes = np.concatenate([np.asarray(encode(chosen[start:start + ENCODE_BATCH]), dtype=np.float32)
                            for start in range(0, len(chosen), ENCODE_BATCH)])
    return CodeSample(codes=codes, labels=np.asarray(labels)[rows], inputs=chosen, source=source)


@dataclass(frozen=True, eq=False)
class ManifoldGrid:
    """Images decoded on a regular grid over a 2-D latent plane.

    ``images`` are in montage order: rows from the top (largest second coordinate) down,
    columns left to right, so ``montage(images, columns=steps, padding=0)`` is the plane
    as a plot shows it. ``codes[i]`` is the code decoded to ``images[i]``. ``x_range`` and
    ``y_range`` are the picture's outer edges in latent units: half a cell beyond the
    outermost codes, so each image sits centred on its code.
    """

    images: np.ndarray
    codes: np.ndarray
    steps: int
    x_range: tuple[float, float]
    y_range: tuple[float, float]


def manifold_grid(decode: Callable[[np.ndarray], np.ndarray], codes: np.ndarray, *, steps: int,
                  coverage: float = 0.98) -> ManifoldGrid:
    """Decode a ``steps`` × ``steps`` grid spanning the middle ``coverage`` of 2-D ``codes``.

    The span is taken per axis between the ``(1 - coverage) / 2`` and ``(1 + coverage) / 2``
    quantiles, so a few outlying codes do not stretch the grid into empty space. All grid
    codes go through ``decode`` in one call.
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] != 2 or len(codes) < 2:
        raise ValueError(f"a manifold grid needs at least two 2-D codes, got shape {codes.shape}.")
    if not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be an integer of at least 2, got {steps!r}.")
    if not 0.0 < coverage <= 1.0:
        raise ValueError(f"coverage must be in (0, 1], got {coverage!r}.")
    tail = (1.0 - coverage) / 2
    low, high = np.quantile(codes, [tail, 1.0 - tail], axis=0)
    high = np.where(high > low, high, low + 1.0)  # a flat axis still gets a grid
    xs = np.linspace(low[0], high[0], steps)
    ys = np.linspace(high[1], low[1], steps)  # top row first
    grid = np.array([(x, y) for y in ys for x in xs], dtype=np.float32)
    images = np.asarray(decode(grid))
    if len(images) != len(grid):
        raise ValueError(f"decode returned {len(images)} images for {len(grid)} codes.")
    half = (high - low) / (steps - 1) / 2
    return ManifoldGrid(images=images, codes=grid, steps=int(steps),
                        x_range=(float(low[0] - half[0]), float(high[0] + half[0])),
                        y_range=(float(low[1] - half[1]), float(high[1] + half[1])))


def image_from_upload(payload: bytes | Picture, input_shape: Sequence[int], *, bright_ink: bool) -> np.ndarray:
    """An uploaded picture (its bytes, or as ``images.read_picture`` decoded them) as one
    model input of ``input_shape`` ``(h, w, c)``, in [0, 1].

    The picture is converted to grey (or RGB for 3 channels) and resized to the input
    size. When its background (the outer ring of pixels) is the opposite of the data's -
    a dark drawing on white paper for MNIST's white-on-black digits - it is inverted.
    Raises ``images.PictureError`` (a ``ValueError``) saying what to do when the bytes
    are not a usable PNG or JPEG.
    """
    height, width, channels = (int(d) for d in input_shape)
    if channels not in (1, 3):
        raise ValueError(f"uploads become images with 1 or 3 channels; the model takes {channels}.")
    picture = payload if isinstance(payload, Picture) else read_picture(payload)
    converted = picture.image.convert("L" if channels == 1 else "RGB")
    resized = converted.resize((width, height), Image.Resampling.LANCZOS)
    pixels = np.asarray(resized, dtype=np.float32) / 255.0
    pixels = pixels.reshape(height, width, channels)
    ring = np.concatenate([pixels[0].ravel(), pixels[-1].ravel(), pixels[:, 0].ravel(), pixels[:, -1].ravel()])
    light_background = float(ring.mean()) > 0.5
    if light_background == bright_ink:
        pixels = 1.0 - pixels
    return pixels


def selected_rows(points: Sequence[Mapping[str, Any]], trace_rows: Sequence[np.ndarray]) -> np.ndarray:
    """Rows of the mapped data picked by a chart selection, sorted and unique.

    ``points`` is ``st.plotly_chart``'s ``selection.points``; each names its trace
    (``curve_number``) and its position in that trace (``point_index``). ``trace_rows[c]``
    holds the data rows trace ``c`` draws; points of any other trace (a placed image's
    marker) are not data and are left out.
    """
    rows = set()
    for point in points:
        curve, index = point.get("curve_number"), point.get("point_index")
        if curve is None or index is None or not 0 <= curve < len(trace_rows):
            continue
        if 0 <= index < len(trace_rows[curve]):
            rows.add(int(trace_rows[curve][index]))
    return np.array(sorted(rows), dtype=np.int64)


def codes_csv(codes: np.ndarray, labels: Sequence[str] | None = None) -> bytes:
    """Codes as CSV: a header ``z0, z1, ...`` (after a ``label`` column when labels are given)."""
    codes = np.atleast_2d(np.asarray(codes, dtype=np.float64))
    if labels is not None and len(labels) != len(codes):
        raise ValueError(f"{len(labels)} labels for {len(codes)} codes.")
    header = [f"z{i}" for i in range(codes.shape[1])]
    lines = [",".join((["label"] if labels is not None else []) + header)]
    for row, code in enumerate(codes):
        values = [repr(float(value)) for value in code]
        if labels is not None:
            values.insert(0, '"' + str(labels[row]).replace('"', '""') + '"')
        lines.append(",".join(values))
    return ("\n".join(lines) + "\n").encode("utf-8")


def codes_npz(codes: np.ndarray, **arrays: np.ndarray) -> bytes:
    """Codes (key ``codes``) and any further arrays as one ``.npz`` file, loadable without pickle."""
    buffer = io.BytesIO()
    np.savez(buffer, codes=np.atleast_2d(np.asarray(codes, dtype=np.float32)),
             **{name: np.asarray(value) for name, value in arrays.items()})
    return buffer.getvalue()


class MapCache:
    """At most ``capacity`` computed maps by key, shared by threads; the least recently used goes first.

    ``get_or_compute`` runs ``compute`` outside the lock, so one slow t-SNE does not
    block users reading other maps; two users asking for the same new map at once may
    both compute it, and the first result is kept.
    """

    def __init__(self, capacity: int = 16):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}.")
        self.capacity = capacity
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        """The value kept for ``key``, or None."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept for ``key``, computing and keeping it first when there is none."""
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        with self._lock:
            value = self._items.setdefault(key, value)
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return value
