"""Tests for latent_core.manifold: embeddings, point autoencoders and the linear-AE/PCA comparison."""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.datasets import make_swiss_roll
from sklearn.decomposition import PCA

from latent_core import keys, pretrained
from latent_core.data import load_dataset
from latent_core.manifold import (
    DEFAULT_NEIGHBOURS,
    DEFAULT_POINTS,
    EMBEDDINGS,
    LayoutStart,
    Standardiser,
    autoencoder_key,
    compare_with_pca,
    decoder_directions,
    embed,
    embedding_key,
    fresh_roll,
    fresh_roll_order,
    point_autoencoder_job,
    roll_order,
    side_view,
    train_from_layout,
)
from latent_core.jobs import COMPLETED
from latent_core.models import build_model


def train_point_autoencoder(points, **options):
    """The fitted autoencoder of a point-autoencoder job run to its end."""
    job = point_autoencoder_job(points, **options).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == COMPLETED, snapshot.error
    return snapshot.saved


@pytest.fixture(scope="module")
def roll():
    points, position = make_swiss_roll(n_samples=1000, noise=0.05, random_state=0)
    return points.astype(np.float32), position


def flat_cloud(n=600, seed=0):
    """Points spread mostly in one tilted plane: PCA-2's subspace is well defined."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    return (rng.standard_normal((n, 3)) * [4.0, 2.0, 0.8]) @ rotation.T + [10.0, -3.0, 5.0]


@pytest.mark.parametrize("method", EMBEDDINGS)
def test_every_embedding_gives_finite_2d_coordinates(roll, method):
    points, _ = roll
    coordinates = embed(points[:150], method, seed=0)
    assert coordinates.shape == (150, 2) and np.all(np.isfinite(coordinates))


def test_isomap_unrolls_the_roll_and_pca_does_not(roll):
    points, position = roll
    isomap = embed(points, "isomap", n_neighbors=10)
    pca = embed(points, "pca")
    isomap_order = max(abs(spearmanr(isomap[:, axis], position).statistic) for axis in (0, 1))
    pca_order = max(abs(spearmanr(pca[:, axis], position).statistic) for axis in (0, 1))
    assert isomap_order > 0.95
    assert pca_order < 0.8


def test_roll_order_is_one_for_an_unrolled_sheet_and_low_for_an_end_on_view(roll):
    points, position = roll
    unrolled = np.column_stack([np.exp(position / 5), points[:, 1]])  # a monotone stretch of the position
    assert roll_order(unrolled, position) == pytest.approx(1.0, abs=1e-12)
    assert roll_order(embed(points, "isomap", n_neighbors=10), position) > 0.95
    end_on = points[:, [0, 2]]  # the spiral seen along its axis: the sheet winds round, no axis follows it
    assert roll_order(end_on, position) < 0.5
    assert roll_order(np.column_stack([np.ones(len(position)), points[:, 1]]), position) < 0.2  # constant axis: 0


def test_roll_order_needs_one_position_per_point():
    with pytest.raises(ValueError, match="one position per point"):
        roll_order(np.zeros((5, 2)), np.arange(4))


@pytest.mark.parametrize("method, neighbours, message", [
    ("umap", 12, "unknown embedding 'umap'"),
    ("isomap", 2, "n_neighbors must be between 5 and"),
])
def test_bad_embedding_settings_say_what_to_fix(roll, method, neighbours, message):
    with pytest.raises(ValueError, match=message):
        embed(roll[0], method, n_neighbors=neighbours)


def test_points_must_be_a_finite_table():
    with pytest.raises(ValueError, match=r"\(n, d\) array"):
        embed(np.zeros(10), "pca")
    with pytest.raises(ValueError, match="NaN"):
        embed(np.full((10, 3), np.nan), "pca")


def test_standardiser_keeps_pcas_subspace_and_round_trips():
    points = flat_cloud()
    standardiser = Standardiser.fit(points)
    scaled = standardiser.apply(points)
    assert np.allclose(scaled.mean(axis=0), 0, atol=1e-5)
    assert np.mean(np.square(scaled)) == pytest.approx(1.0, rel=1e-4)
    assert np.allclose(standardiser.invert(scaled), points, atol=1e-4)
    before = PCA(2).fit(points).components_
    after = PCA(2).fit(scaled).components_
    assert np.allclose(np.abs(np.sum(before * after, axis=1)), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="all points are the same"):
        Standardiser.fit(np.ones((5, 3)))


def test_decoder_directions_read_a_linear_decoder():
    model = build_model("linear_ae", input_shape=(3,), latent_dim=2)
    kernel = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0]], dtype=np.float32)
    model.decoder.get_layer("output").set_weights([kernel, np.array([5.0, 5.0, 5.0], dtype=np.float32)])
    assert np.allclose(decoder_directions(model), kernel.T, atol=1e-6)


def test_a_trained_linear_autoencoder_finds_pcas_subspace():
    points = flat_cloud()
    fitted = train_point_autoencoder(points, kind="linear_ae", epochs=25, batch_size=64,
                                     learning_rate=1e-2, seed=0)
    comparison = compare_with_pca(fitted, points)
    assert comparison.angles_degrees.shape == (2,)
    assert comparison.largest_angle < 5.0
    assert comparison.autoencoder_mse == pytest.approx(comparison.pca_mse, rel=0.1)
    assert fitted.encode(points).shape == (len(points), 2)


def test_an_untrained_linear_autoencoder_is_far_from_pca():
    points = flat_cloud()
    fitted = train_point_autoencoder(points, kind="linear_ae", epochs=1, batch_size=600,
                                     learning_rate=1e-4, seed=3)
    comparison = compare_with_pca(fitted, points)
    assert comparison.largest_angle > 10.0
    assert comparison.autoencoder_mse > 1.5 * comparison.pca_mse


def test_bad_autoencoder_requests_are_refused():
    with pytest.raises(ValueError, match="kind must be one of dense_ae, linear_ae"):
        point_autoencoder_job(flat_cloud(), kind="vae")
    fitted = train_point_autoencoder(flat_cloud(50), kind="linear_ae", latent_dim=3, epochs=1)
    with pytest.raises(ValueError, match="spans all of the 3-D space"):
        compare_with_pca(fitted, flat_cloud(50))


def test_an_embeddings_key_names_only_the_settings_that_change_it():
    isomap = {embedding_key("isomap", points=1000, n_neighbors=k, seed=s) for k in (10, 12) for s in (0, 1)}
    assert len(isomap) == 2  # neighbours matter, the seed does not
    assert embedding_key("tsne", points=1000, n_neighbors=10, seed=0) == embedding_key(
        "tsne", points=1000, n_neighbors=25, seed=0)
    assert embedding_key("tsne", points=500, n_neighbors=10, seed=0) != embedding_key(
        "tsne", points=1000, n_neighbors=10, seed=0)
    assert embedding_key("lle", points=1000, n_neighbors=10, seed=0) == "lle points=1000 neighbours=10 seed=0"


def test_shipped_embeddings_serve_only_the_data_they_were_made_of(tmp_path, roll):
    points, _ = roll
    made = {embedding_key("pca", points=1000, n_neighbors=10, seed=0): embed(points, "pca")}
    pretrained.write_embeddings("swiss_roll", "content-a", made, root=tmp_path)
    found = pretrained.load_embeddings("swiss_roll", "content-a", root=tmp_path)
    assert list(found) == list(made)
    np.testing.assert_allclose(found["pca points=1000"], made["pca points=1000"])
    assert not found["pca points=1000"].flags.writeable
    assert pretrained.load_embeddings("swiss_roll", "content-b", root=tmp_path) == {}
    assert pretrained.load_embeddings("digits", "content-a", root=tmp_path) == {}


def test_the_library_ships_the_labs_first_view_of_this_roll():
    dataset = load_dataset("swiss_roll")
    shipped = pretrained.load_embeddings("swiss_roll", keys.dataset_key(dataset))
    first = dataset.x_train[:DEFAULT_POINTS]
    wanted = {method: embedding_key(method, points=DEFAULT_POINTS, n_neighbors=DEFAULT_NEIGHBOURS, seed=0)
              for method in EMBEDDINGS}
    assert set(wanted.values()) <= set(shipped)
    assert all(key.startswith("autoencoder model=") for key in set(shipped) - set(wanted.values()))
    for method in ("pca", "isomap"):  # quick to recompute; equal up to each axis's sign
        computed = embed(first, method, n_neighbors=DEFAULT_NEIGHBOURS)
        np.testing.assert_allclose(np.abs(shipped[wanted[method]]), np.abs(computed), rtol=1e-3, atol=1e-3)
    assert pretrained.embeddings_path("swiss_roll").stat().st_size < 100 * 1024


def test_the_library_ships_its_roll_autoencoders_codes_named_by_its_model_file():
    dataset = load_dataset("swiss_roll")
    shipped = pretrained.load_embeddings("swiss_roll", keys.dataset_key(dataset))
    entries = [e for e in pretrained.list_pretrained("swiss_roll") if e.kind == "dense_ae" and e.latent_dim == 2]
    if not entries:
        pytest.skip("no pretrained swiss roll autoencoder in pretrained/")
    first = dataset.x_train[:DEFAULT_POINTS]
    for entry in entries:
        key = autoencoder_key(pretrained.model_digest(entry.name), points=DEFAULT_POINTS)
        np.testing.assert_allclose(shipped[key], pretrained.load_pretrained(entry.name).model.encode(first),
                                   rtol=1e-4, atol=1e-4)
    assert autoencoder_key("another-build", points=DEFAULT_POINTS) not in shipped


def test_a_fresh_roll_is_a_new_draw_and_its_order_is_that_of_the_codes():
    points, position = fresh_roll(300, seed=1)
    again, _ = fresh_roll(300, seed=1)
    other, _ = fresh_roll(300, seed=2)
    assert points.shape == (300, 3) and np.array_equal(points, again) and not np.allclose(points, other)
    model = build_model("linear_ae", input_shape=(3,), latent_dim=2, seed=0)
    assert fresh_roll_order(model, points=300, seed=1) == pytest.approx(roll_order(model.encode(points), position))


def test_an_autoencoder_started_from_isomaps_layout_keeps_a_code_that_follows_the_roll(roll):
    points, position = roll  # 1,000 points: Isomap's neighbour graph follows the sheet (400 short-cut it)
    layout = embed(points, "isomap", n_neighbors=10)
    model = build_model("dense_ae", input_shape=(3,), latent_dim=2, hidden_units=(32, 32), activation="tanh", seed=0)
    result = train_from_layout(model, points, layout, start=LayoutStart(layout_epochs=30, decoder_epochs=40),
                               epochs=3, batch_size=64, seed=0, probe_size=0)
    assert result.epochs_completed == 3 and model.encoder.trainable
    assert roll_order(model.encode(points), position) > 0.9
    assert fresh_roll_order(model, points=500) > 0.9  # on points it never saw


def test_train_from_layout_needs_one_place_per_point(roll):
    points, _ = roll
    model = build_model("dense_ae", input_shape=(3,), latent_dim=2, seed=0)
    with pytest.raises(ValueError, match="one 2-D place per point"):
        train_from_layout(model, points[:50], np.zeros((49, 2)))


def test_a_side_view_from_the_x_axis_shows_y_to_the_right_and_z_up_in_the_datas_proportions():
    points = np.array([[0.0, 0.0, 0.0], [1.0, 4.0, 0.0], [2.0, 0.0, 2.0], [3.0, -4.0, 1.0]])
    view = side_view(points, eye=(1.0, 0.0, 0.0))
    span = 8.0  # the largest extent (y), which every axis is divided by: the roll keeps its shape
    expected = np.stack([points[:, 1] / span, (points[:, 2] - 1.0) / span], axis=1)
    np.testing.assert_allclose(view.xy, expected, atol=1e-12)


def test_a_side_view_draws_the_farthest_points_first_so_near_ones_cover_them():
    toward_the_eye, centre, away = [1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -1.0, -1.0]
    view = side_view(np.array([centre, toward_the_eye, away]), eye=(1.25, 1.25, 1.25))
    assert view.order.tolist() == [2, 0, 1]  # away, then the centre, the nearest last (on top)
    np.testing.assert_allclose(view.xy[1], view.xy[2] * -1, atol=1e-12)  # on one line of sight, opposite sides


def test_a_side_view_keeps_up_as_up_from_any_side():
    low, high = [0.0, 0.0, -1.0], [0.0, 0.0, 1.0]
    for eye in ((1.25, 1.25, 1.25), (-2.0, 0.5, 0.3), (0.0, -1.0, 2.0)):
        view = side_view(np.array([low, high, [1.0, 1.0, 0.0]]), eye=eye)
        assert view.xy[1, 1] > view.xy[0, 1]
        assert abs(view.xy[1, 0] - view.xy[0, 0]) < 1e-12  # a vertical line stays vertical


@pytest.mark.parametrize("points, eye, message", [
    (np.zeros((5, 2)), (1.0, 1.0, 1.0), "3-D points"),
    (np.ones((5, 3)), (0.0, 0.0, 3.0), "straight up or down"),
])
def test_a_side_view_refuses_what_it_cannot_draw(points, eye, message):
    with pytest.raises(ValueError, match=message):
        side_view(points, eye=eye)
