"""The manifold lab's computations: 2-D embeddings of 3-D points, and autoencoders
trained on the swiss roll in seconds, compared with PCA.

``embed`` runs PCA, Isomap or LLE (scikit-learn) or t-SNE (openTSNE) on ``(n, d)`` points.
``point_autoencoder_job`` fits a ``dense_ae`` or ``linear_ae`` (in the background, through
the server's queue like every training) on points that are
first centred and divided by one overall scale (a :class:`Standardiser`): with the
roll's raw coordinates (means up to 10, spreads near 7) Adam spends its steps moving
biases and a linear AE stalls at a saddle; centring and one common scale factor leave
every direction's share of the variance, and so PCA's subspace, unchanged.
``compare_with_pca`` measures what Baldi & Hornik (1989) predict: a linear AE trained
with MSE spans PCA's subspace, so the principal angles between the two are near 0 and
the reconstruction errors match. ``roll_order`` measures how far an embedding follows the
sheet: the largest rank correlation between one of its axes and the position along the roll.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import subspace_angles
from scipy.stats import spearmanr
from sklearn.decomposition import PCA
from sklearn.manifold import Isomap, LocallyLinearEmbedding

from latent_core import projection
from latent_core.jobs import TrainingJob, estimate_seconds
from latent_core.models import LatentModel, build_model
from latent_core.frameworks import keras
from latent_core.history import DEFAULT_PROBE_SIZE
from latent_core.training import TrainingObserver, TrainingResult, train

__all__ = ["DEFAULT_NEIGHBOURS", "DEFAULT_POINTS", "EMBEDDINGS", "FRESH_ROLL_POINTS", "FRESH_ROLL_SEED",
           "SIDE_VIEW_EYE", "FittedAutoencoder", "LayoutStart", "SideView", "Standardiser",
           "SubspaceComparison", "autoencoder_key", "compare_with_pca", "decoder_directions", "default_embeddings",
           "embed", "embedding_key", "fresh_roll", "fresh_roll_order", "point_autoencoder_job", "roll_order",
           "side_view", "train_from_layout"]

EMBEDDINGS = ("pca", "tsne", "isomap", "lle")
"""The classic embeddings the lab shows beside the autoencoder's."""

POINT_AUTOENCODERS = {
    "dense_ae": {"hidden_units": (64, 64), "activation": "tanh"},
    "linear_ae": {},
}
"""The options of each autoencoder kind the lab trains (the dense one as the pretrained
``swiss_roll_ae_2``)."""

MIN_NEIGHBOURS = 5
DEFAULT_POINTS = 1000
DEFAULT_NEIGHBOURS = 10
DEFAULT_SEED = 0
"""The lab's first view: its embeddings at these settings ship precomputed (``default_embeddings``)."""

# The settings each embedding's result depends on (PCA of a few points uses the exact SVD: no seed).
_DEPENDS_ON = {"pca": ("points",), "tsne": ("points", "seed"), "isomap": ("points", "neighbours"),
               "lle": ("points", "neighbours", "seed")}


def roll_order(coordinates, position) -> float:
    """The largest |Spearman ρ| between one axis of ``coordinates`` (n, d) and ``position`` (n,).

    1 when some axis orders the points exactly as the sheet does (an unrolled roll); near 0
    when no axis follows the sheet (a folded or end-on view). Ranks, so any monotone stretch
    of an axis counts as following it; a constant axis counts as 0.
    """
    coordinates = _as_points(coordinates, name="coordinates")
    position = np.asarray(position, dtype=np.float64).ravel()
    if len(position) != len(coordinates) or len(position) < 3:
        raise ValueError(f"need one position per point and at least 3 points; got {len(position)} positions "
                         f"for {len(coordinates)} points.")
    correlations = [abs(spearmanr(axis, position).statistic) if np.ptp(axis) > 0 else 0.0
                    for axis in coordinates.T]
    return float(np.nan_to_num(max(correlations)))


FRESH_ROLL_POINTS = 2000
FRESH_ROLL_SEED = 1
"""A new draw of the roll (the dataset's is seed 0), to measure an encoder on points it never saw."""


def fresh_roll(points: int = FRESH_ROLL_POINTS, seed: int = FRESH_ROLL_SEED) -> tuple[np.ndarray, np.ndarray]:
    """``points`` new swiss-roll points (as the dataset draws them, noise 0.05, but with ``seed``) and
    their positions along the roll."""
    from sklearn.datasets import make_swiss_roll

    coordinates, position = make_swiss_roll(n_samples=points, noise=0.05, random_state=seed)
    return coordinates.astype(np.float32), position


def fresh_roll_order(model: LatentModel, *, points: int = FRESH_ROLL_POINTS, seed: int = FRESH_ROLL_SEED) -> float:
    """``roll_order`` of ``model``'s codes of a fresh draw of the roll (``fresh_roll``): how far its code
    follows the sheet on points it was not trained on."""
    coordinates, position = fresh_roll(points, seed)
    return roll_order(model.encode(coordinates), position)


def _as_points(points, *, name: str = "points") -> np.ndarray:
    array = np.asarray(points, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2:
        raise ValueError(f"{name} must be an (n, d) array with d >= 2; got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contain NaN or infinite values.")
    return array


# Where the lab first looks at the roll from (the still picture and the 3-D scene's starting camera):
# along the roll's axis (y), a little from the side and above, so that its spiral shows
SIDE_VIEW_EYE = (0.4, 2.0, 0.5)


@dataclass(frozen=True)
class SideView:
    """3-D points as a still picture: their place on the picture, and the order to draw them in."""

    xy: np.ndarray  # (n, 2): right and up on the picture
    order: np.ndarray  # indices from the farthest point to the nearest, so near parts cover far ones


def side_view(points, eye: tuple[float, float, float] = SIDE_VIEW_EYE) -> SideView:
    """The 3-D ``points`` seen from the direction of ``eye`` with z up, in orthographic projection and
    the data's own proportions, as a Plotly 3-D scene whose camera is at ``eye`` shows them: the Manifold
    lab draws this still picture (a browser draws it at once) until someone asks to turn the roll in 3-D."""
    array = _as_points(points)
    if array.shape[1] != 3:
        raise ValueError(f"a side view needs 3-D points; got shape {array.shape}.")
    centre = (array.max(axis=0) + array.min(axis=0)) / 2
    scaled = (array - centre) / (float(np.ptp(array, axis=0).max()) or 1.0)
    forward = -np.asarray(eye, dtype=np.float64)
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, (0.0, 0.0, 1.0))
    if np.linalg.norm(right) < 1e-9:
        raise ValueError("a side view needs an eye that does not look straight up or down.")
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    depth = scaled @ forward  # larger: farther from the eye
    return SideView(xy=np.stack([scaled @ right, scaled @ up], axis=1), order=np.argsort(-depth, kind="stable"))


def embedding_key(method: str, *, points: int, n_neighbors: int, seed: int) -> str:
    """What an embedding of the first ``points`` points depends on besides the points themselves, e.g.
    ``"isomap points=1000 neighbours=10"``: only the settings that change its result, so a cached or
    shipped layout serves every setting that does not."""
    if method not in EMBEDDINGS:
        raise ValueError(f"unknown embedding {method!r}; choose one of {', '.join(EMBEDDINGS)}.")
    values = {"points": points, "neighbours": n_neighbors, "seed": seed}
    return " ".join([method] + [f"{name}={int(values[name])}" for name in _DEPENDS_ON[method]])


def autoencoder_key(model_digest: str, *, points: int) -> str:
    """The key a pretrained autoencoder's codes of the first ``points`` points ship under beside the
    embeddings, e.g. ``"autoencoder model=1f2e... points=1000"``: ``model_digest`` is its saved model
    file's content hash (``keys.file_digest``), so codes never pass for those of another build."""
    return f"autoencoder model={model_digest} points={int(points)}"


def default_embeddings(points) -> dict[str, np.ndarray]:
    """Every embedding of the first :data:`DEFAULT_POINTS` of ``points`` at the lab's first settings, by
    ``embedding_key``: what ``scripts/build_pretrained.py`` ships for the swiss roll."""
    first = _as_points(points)[:DEFAULT_POINTS]
    return {embedding_key(method, points=len(first), n_neighbors=DEFAULT_NEIGHBOURS, seed=DEFAULT_SEED):
            embed(first, method, n_neighbors=DEFAULT_NEIGHBOURS, seed=DEFAULT_SEED) for method in EMBEDDINGS}


def embed(points, method: str, *, n_neighbors: int = DEFAULT_NEIGHBOURS, seed: int = DEFAULT_SEED,
          progress: projection.ProgressCallback | None = None) -> np.ndarray:
    """``(n, 2)`` coordinates of ``points`` by ``method`` (one of :data:`EMBEDDINGS`).

    ``n_neighbors`` sets the neighbourhood graph of Isomap and LLE (too few tear the
    roll apart, too many short-cut across its layers); ``seed`` fixes t-SNE and LLE.
    ``progress(fraction, message)`` hears of t-SNE's iterations (the others take a moment).
    """
    if method not in EMBEDDINGS:
        raise ValueError(f"unknown embedding {method!r}; choose one of {', '.join(EMBEDDINGS)}.")
    array = _as_points(points)
    if not MIN_NEIGHBOURS <= n_neighbors < len(array):
        raise ValueError(f"n_neighbors must be between {MIN_NEIGHBOURS} and {len(array) - 1} for "
                         f"{len(array)} points; got {n_neighbors}.")
    if method == "pca":
        estimator = PCA(n_components=2, random_state=seed)
    elif method == "tsne":
        return _tsne(array, seed=seed, progress=progress)
    elif method == "isomap":
        estimator = Isomap(n_components=2, n_neighbors=n_neighbors)
    else:
        estimator = LocallyLinearEmbedding(n_components=2, n_neighbors=n_neighbors, random_state=seed,
                                           eigen_solver="dense")
    return estimator.fit_transform(array).astype(np.float32)


def _tsne(array: np.ndarray, *, seed: int, progress: projection.ProgressCallback | None) -> np.ndarray:
    """t-SNE of every point through ``latent_core.projection`` (openTSNE), in the input's order."""
    mapped = projection.project(array, method="tsne", max_points=len(array), seed=seed, progress=progress)
    coordinates = np.empty((len(array), 2), dtype=np.float32)
    coordinates[mapped.indices] = mapped.coordinates
    return coordinates


@dataclass(frozen=True)
class Standardiser:
    """Centre points and divide them by one overall scale (the same for every axis)."""

    centre: np.ndarray
    scale: float

    @classmethod
    def fit(cls, points) -> Standardiser:
        array = _as_points(points)
        centred = array - array.mean(axis=0)
        scale = float(np.sqrt(np.mean(np.square(centred))))
        if scale == 0:
            raise ValueError("all points are the same; there is no shape to learn.")
        return cls(centre=array.mean(axis=0), scale=scale)

    def apply(self, points) -> np.ndarray:
        return ((np.asarray(points, dtype=np.float64) - self.centre) / self.scale).astype(np.float32)

    def invert(self, standardised) -> np.ndarray:
        return (np.asarray(standardised, dtype=np.float64) * self.scale + self.centre).astype(np.float32)


@dataclass(frozen=True, eq=False)
class FittedAutoencoder:
    """An autoencoder trained on standardised points, used in the points' own units."""

    model: LatentModel
    standardiser: Standardiser
    result: TrainingResult

    def encode(self, points) -> np.ndarray:
        return self.model.encode(self.standardiser.apply(points))

    def reconstruct(self, points) -> np.ndarray:
        return self.standardiser.invert(self.model.reconstruct(self.standardiser.apply(points)))


def point_autoencoder_job(points, *, kind: str = "dense_ae", latent_dim: int = 2, epochs: int = 40,
                          batch_size: int = 128, learning_rate: float = 1e-2, seed: int = 0,
                          **job_options) -> TrainingJob:
    """A background job (``jobs.TrainingJob``, kind ``"manifold"``) that trains a ``dense_ae``
    or ``linear_ae`` on ``(n, d)`` points (standardised first); its ``snapshot().saved`` is
    the ``FittedAutoencoder``. ``job_options`` (queue, owner, name) go to the job; call
    ``start()`` on it."""
    if kind not in POINT_AUTOENCODERS:
        raise ValueError(f"kind must be one of {', '.join(POINT_AUTOENCODERS)}; got {kind!r}.")
    array = _as_points(points)
    standardiser = Standardiser.fit(array)
    model = build_model(kind, input_shape=(array.shape[1],), latent_dim=latent_dim, seed=seed,
                        **POINT_AUTOENCODERS[kind])
    estimate = estimate_seconds(kind, (array.shape[1],), images=len(array), epochs=epochs)

    def fitted(result: TrainingResult) -> FittedAutoencoder:
        return FittedAutoencoder(model=model, standardiser=standardiser, result=result)

    return TrainingJob(model, standardiser.apply(array), on_model_ready=fitted, kind="manifold", estimate_s=estimate,
                       epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, seed=seed,
                       preview_count=0, **job_options)


def decoder_directions(model: LatentModel) -> np.ndarray:
    """``(d, latent_dim)``: the columns span the decoder's output subspace.

    Read off by decoding the unit codes and subtracting the decoded zero code, so it
    works for any affine decoder whatever its layers are called (for a linear AE, the
    columns are its output kernel's rows).
    """
    eye = np.eye(model.latent_dim, dtype=np.float32)
    origin = model.decode(np.zeros((1, model.latent_dim), dtype=np.float32))
    return (model.decode(eye) - origin).reshape(model.latent_dim, -1).T.astype(np.float64)


@dataclass(frozen=True)
class SubspaceComparison:
    """A linear AE against PCA with as many components, on the same points."""

    angles_degrees: np.ndarray
    autoencoder_mse: float
    pca_mse: float
    pca: PCA

    @property
    def largest_angle(self) -> float:
        return float(np.max(self.angles_degrees))


def compare_with_pca(fitted: FittedAutoencoder, points) -> SubspaceComparison:
    """Principal angles (degrees, largest first) between the AE decoder's subspace and
    PCA's, and both reconstruction MSEs of ``points`` in their own units."""
    array = _as_points(points)
    latent_dim = fitted.model.latent_dim
    if latent_dim >= array.shape[1]:
        raise ValueError(f"a {latent_dim}-D code spans all of the {array.shape[1]}-D space; "
                         "compare a smaller latent size.")
    pca = PCA(n_components=latent_dim).fit(array)
    angles = np.degrees(subspace_angles(decoder_directions(fitted.model), pca.components_.T))
    pca_reconstruction = pca.inverse_transform(pca.transform(array))
    return SubspaceComparison(
        angles_degrees=angles,
        autoencoder_mse=float(np.mean(np.square(fitted.reconstruct(array) - array))),
        pca_mse=float(np.mean(np.square(pca_reconstruction - array))),
        pca=pca)


@dataclass(frozen=True)
class LayoutStart:
    """How ``train_from_layout`` starts an autoencoder from a 2-D layout: ``layout_epochs`` of the encoder
    alone learning the layout, then ``decoder_epochs`` of the decoder learning to rebuild the points from
    that code while the encoder is held fixed; after them both train together, more slowly."""

    layout_epochs: int = 60
    decoder_epochs: int = 150


def train_from_layout(model: LatentModel, points, layout, *, start: LayoutStart = LayoutStart(), epochs: int = 100,
                      batch_size: int = 64, learning_rate: float = 2e-3, fine_tune_rate: float = 5e-4,
                      seed: int = 0, observer: TrainingObserver | None = None, data=None,
                      probe_size: int = DEFAULT_PROBE_SIZE) -> TrainingResult:
    """Train ``model`` (an autoencoder with a 2-D code) on ``points`` starting from ``layout`` (n, 2).

    1. The encoder alone learns to map each point to its place in ``layout`` (centred, divided by one
       overall scale), with mean squared error, at ``learning_rate``.
    2. The decoder learns to rebuild the points from those codes, the encoder held fixed (``train``).
    3. The whole autoencoder trains on reconstruction alone for ``epochs`` at ``fine_tune_rate``: the
       decoder fits that code already, so reconstruction no longer pulls it into a fold.

    Without step 2 the untrained decoder's errors reach the encoder first and fold its code again.
    ``data`` (a ``Dataset`` of the same points, optional) gives step 3 its probe and validation as
    ``train`` takes them, and ``probe_size`` the size of that probe. Returns step 3's ``TrainingResult``.
    """
    array = _as_points(points).astype(np.float32)
    target = _as_points(layout, name="layout")
    if target.shape != (len(array), model.latent_dim):
        raise ValueError(f"the layout needs one {model.latent_dim}-D place per point, shape "
                         f"{(len(array), model.latent_dim)}; got {target.shape}.")
    target = Standardiser.fit(target).apply(target)
    keras.utils.set_random_seed(seed)
    model.encoder.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    model.encoder.fit(array, target, epochs=start.layout_epochs, batch_size=batch_size, verbose=0)
    model.encoder.trainable = False
    try:
        train(model, array, epochs=start.decoder_epochs, batch_size=batch_size, learning_rate=learning_rate,
              seed=seed, probe_size=0, preview_count=0)
    finally:
        model.encoder.trainable = True
    return train(model, array if data is None else data, epochs=epochs, batch_size=batch_size,
                 learning_rate=fine_tune_rate, seed=seed, observer=observer, probe_size=probe_size)
