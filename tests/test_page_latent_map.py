"""The Latent map page through AppTest: computed and precomputed maps, selections, placement, the 2-D grid."""

import base64
import io
import json

import numpy as np
import pytest
from page_helpers import another_users_job_holds_the_queue, canvas_sends, finish_jobs, open_page, open_with_model, stroke_pixels
from streamlit.testing.v1 import AppTest

from latent_core import pretrained, projection
from ui import codes, models

PAGE = "latent_map.py"
CHART = "latent_map.chart"


@pytest.fixture(autouse=True)
def maps_made_afresh():
    """Each test computes the maps it counts: none left by another file's test in the server-wide caches."""
    codes.map_cache.clear()
    codes.map_trust.clear()


def charts(app: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def trace_names(app: AppTest) -> list[str]:
    return [trace.get("name") for trace in charts(app)[0]["data"]]


def values(array) -> np.ndarray:
    """A figure array from the chart's JSON: a list, or plotly's base64 typed array."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array)


def point_count(app: AppTest) -> int:
    return sum(len(values(trace["x"])) for trace in charts(app)[0]["data"])


def select(app: AppTest, points: list[tuple[int, int]]) -> AppTest:
    """What the browser sends when the user lassoes these (trace, position) points."""
    app.session_state[CHART] = {"selection": {
        "points": [{"curve_number": curve, "point_index": index, "point_number": index} for curve, index in points],
        "point_indices": [index for _, index in points], "box": [], "lasso": [{"x": [0], "y": [0]}]}}
    return app.run()


def needs_pretrained(dataset: str, name: str) -> None:
    if name not in {entry.name for entry in pretrained.list_pretrained(dataset)}:
        pytest.skip(f"no pretrained {name} in pretrained/")


def test_a_users_model_gets_a_map_computed_once_per_setting(tiny, monkeypatch):
    entry = tiny.ae
    calls = []
    fit = projection.project
    monkeypatch.setattr(projection, "project", lambda codes, **options: calls.append(options["method"])
                        or fit(codes, **options))
    app = open_with_model(PAGE, entry)
    assert not app.exception
    assert app.header[0].value == "Latent map"
    assert app.radio(key="latent_map.method").value == "tsne"
    assert app.progress[0].proto.text.startswith("Computing the t-SNE map of 360 codes: ")  # a job in the queue
    finish_jobs(app)
    assert any("360 codes of the test split, computed" in caption.value for caption in app.caption)
    assert trace_names(app) == [str(digit) for digit in range(10)]
    assert point_count(app) == 360
    assert "Click a point" in app.info[0].value
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.method").set_value("tsne").run()
    assert not app.exception and point_count(app) == 360  # computed once, kept for every session
    finish_jobs(app.slider(key="latent_map.points").set_value(200).run())
    assert point_count(app) == 200
    assert calls == ["tsne", "pca", "tsne"]


def test_a_map_waits_in_the_queue_and_a_new_setting_replaces_it(tiny, monkeypatch):
    with another_users_job_holds_the_queue(monkeypatch) as queue:
        app = open_with_model(PAGE, tiny.ae)
        app.slider(key="latent_map.points").set_value(170).run()  # a map no test has asked for
        first = app.session_state["latent_map.job"]
        assert app.progress[0].proto.text.startswith("Yours is next: it starts when one of the 1 running jobs ends")
        assert not app.get("plotly_chart")  # no map yet
        app.slider(key="latent_map.points").set_value(160).run()
        assert first.snapshot().state == "cancelled" and app.session_state["latent_map.job"] is not first
        assert queue.waiting == 1  # the new map waits in the old one's place
    finish_jobs(app)
    assert not app.exception and point_count(app) == 160


def test_a_map_already_computed_replaces_a_waiting_one_too(tiny, monkeypatch):
    with another_users_job_holds_the_queue(monkeypatch) as queue:
        app = open_with_model(PAGE, tiny.ae)
        app.radio(key="latent_map.method").set_value("pca").run()  # PCA is made in the page at once
        app.slider(key="latent_map.points").set_value(190).run()  # and kept: the PCA map of 190 codes
        app.radio(key="latent_map.method").set_value("tsne").run()
        waiting = app.session_state["latent_map.job"]
        assert waiting.snapshot().state == "queued"
        app.radio(key="latent_map.method").set_value("pca").run()  # back to the kept map
        assert waiting.snapshot().state == "cancelled" and queue.waiting == 0
        assert not app.exception and point_count(app) == 190


def test_a_selection_shows_its_images_and_decodes_their_mean(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    app.radio(key="latent_map.method").set_value("pca").run()
    select(app, [(3, 0), (3, 1), (3, 2), (5, 0)])
    assert not app.exception
    assert app.subheader[0].value == "4 selected"
    assert any(caption.value in ("3 ×3, 5 ×1",) for caption in app.caption)
    image_captions = [image.proto.imgs[0].caption for image in app.get("image")]
    assert "4 of the 4 selected images" in image_captions
    assert "The mean of the 4 codes, decoded" in image_captions
    assert {button.label for button in app.get("download_button")} >= {"Download the mean image (PNG)",
                                                                         "Export the selected codes (CSV)"}
    select(app, [])
    assert "Click a point" in app.info[0].value


def test_a_test_image_is_placed_onto_a_computed_map(tiny):
    entry = tiny.ae
    app = open_with_model(PAGE, entry)
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.place_source").set_value("test").run()
    app.number_input(key="latent_map.place_index").set_value(7).run()
    assert not app.exception
    assert trace_names(app)[-1] == "your image"
    assert any("openTSNE" in caption.value for caption in app.caption)
    assert any(image.proto.imgs[0].caption.startswith("Its 10 nearest codes in the model's latent space ")
               for image in app.get("image"))


def test_a_drawing_is_placed_onto_the_map_and_survives_a_page_switch(tiny):
    app = open_with_model(PAGE, tiny.ae)
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.place_source").set_value("draw").run()
    assert "Draw something on the canvas" in app.info[0].value
    assert "your image" not in trace_names(app)
    canvas_sends(app, "latent_map.draw.canvas0", stroke_pixels())
    assert not app.exception
    assert trace_names(app)[-1] == "your image"
    assert any(image.proto.imgs[0].caption == "Your drawing as the model sees it" for image in app.get("image"))
    app.switch_page("pages/generate.py").run()
    app.switch_page("pages/" + PAGE).run()
    assert not app.exception
    assert trace_names(app)[-1] == "your image"
    app.button(key="latent_map.draw.clear").click().run()
    assert "your image" not in trace_names(app)


def test_a_gan_has_no_map_and_the_page_says_why(tiny):
    gan = tiny.gan
    app = open_with_model(PAGE, gan)
    assert not app.exception
    assert "no encoder" in app.warning[0].value and "Generate page" in app.warning[0].value
    assert not app.get("plotly_chart")


def test_without_a_model_the_page_says_where_to_get_one(tiny, monkeypatch):
    monkeypatch.setattr(models, "choices_for", lambda *args, **kwargs: [])
    app = open_page(PAGE, dataset="digits")
    assert not app.exception
    assert "Train page" in app.info[0].value


def test_a_pretrained_map_is_precomputed_and_places_a_known_image_on_its_own_point():
    needs_pretrained("digits", "digits_ae_8")
    app = open_page(PAGE, dataset="digits", model="pretrained:digits_ae_8")
    assert not app.exception
    assert any("360 codes of the test split, precomputed" in caption.value for caption in app.caption)
    assert all(slider.key != "latent_map.points" for slider in app.slider)
    app.radio(key="latent_map.place_source").set_value("test").run()
    app.number_input(key="latent_map.place_index").set_value(5).run()
    assert not app.exception
    latent_map = pretrained.load_latent_map("digits_ae_8")
    placed = app.session_state["latent_map.placed"][2]
    coordinates = latent_map.coordinates["tsne"]
    distances = np.linalg.norm(coordinates - placed[0], axis=1)
    # on its own point: the shipped codes are float16, the fresh encoding float32, so up to their rounding
    assert distances.argmin() == 5 and distances[5] < 1e-3 * np.ptp(coordinates)


def test_a_2d_vae_shows_its_latent_axes_and_the_decoded_plane():
    needs_pretrained("digits", "digits_vae_2")
    app = open_page(PAGE, dataset="digits", model="pretrained:digits_vae_2")
    assert not app.exception
    assert app.radio(key="latent_map.method").options[-1] == "Latent axes"
    assert app.subheader[-1].value == "The decoded latent plane"
    grid = charts(app)[-1]  # the plane comes last, after the map and its history over training
    assert grid["layout"]["images"][0]["source"].startswith("data:image/png")
    assert len(grid["data"]) == 10
    app.toggle(key="latent_map.grid_codes").set_value(False).run()
    assert charts(app)[-1]["data"] == []


def test_the_swiss_roll_map_is_coloured_by_position():
    needs_pretrained("swiss_roll", "swiss_roll_ae_2")
    app = open_page(PAGE, dataset="swiss_roll")
    assert not app.exception
    trace = charts(app)[0]["data"][0]
    assert trace["marker"]["colorscale"] and point_count(app) == 600
    select(app, [(0, 0), (0, 1)])
    assert "decodes to the point (" in app.markdown[-1].value


def test_page_speaks_korean(tiny):
    entry = tiny.ae
    app = finish_jobs(open_with_model(PAGE, entry, lang="ko"))
    assert not app.exception
    assert app.header[0].value == "잠재 공간 지도"
    assert "점을 클릭하면" in app.info[0].value


def test_a_selections_downloads_are_built_only_when_clicked(tiny, monkeypatch):
    import sys

    from latent_core import maps

    app = open_with_model(PAGE, tiny.ae)
    app.radio(key="latent_map.method").set_value("pca").run()
    built = []  # the page's views module is imported by now, inside the app's runtime
    monkeypatch.setattr(sys.modules["ui.latent_map_views"], "png_bytes", lambda *args: built.append("png") or b"")
    monkeypatch.setattr(maps, "codes_csv", lambda *args, **kwargs: built.append("csv") or "")
    select(app, [(3, 0), (3, 1)])
    assert not app.exception
    assert {button.label for button in app.get("download_button")} >= {"Download the mean image (PNG)",
                                                                         "Export the selected codes (CSV)"}
    assert built == []  # a selection (or a slider move) encodes no file it does not send


@pytest.fixture
def trust_calls(monkeypatch):
    """Every map the page measures for trust, with what it got back: (codes, coordinates, result)."""
    from sklearn.manifold import trustworthiness  # noqa: F401 (imported once here, not inside a timed run)

    from latent_core import trust
    from ui import codes

    codes.map_trust.clear()
    calls = []
    measure = trust.map_trust
    monkeypatch.setattr(trust, "map_trust", lambda points, coordinates, **options: calls.append(
        (np.asarray(points), np.asarray(coordinates), measure(points, coordinates, **options))) or calls[-1][2])
    return calls


def metric_values(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_map_trust_colours_each_point_by_the_neighbours_it_kept(tiny, trust_calls):
    from sklearn.manifold import trustworthiness

    app = open_with_model(PAGE, tiny.ae)
    app.radio(key="latent_map.method").set_value("pca").run()
    assert not trust_calls  # nothing is measured until asked for
    app.radio(key="latent_map.colour").set_value("trust").run()
    assert not app.exception
    (codes, coordinates, measured), = trust_calls
    trace, = charts(app)[0]["data"]
    assert trace["name"] == "Neighbours kept"
    np.testing.assert_allclose(np.column_stack([values(trace["x"]), values(trace["y"])]), coordinates)
    np.testing.assert_allclose(values(trace["marker"]["color"]), measured.recall)
    assert trace["marker"]["cmin"] == 0 and trace["marker"]["cmax"] == 1
    expected = trustworthiness(codes, coordinates, n_neighbors=10)
    assert metric_values(app)["Trustworthiness of the map"] == f"{expected:.3f}"
    assert metric_values(app)["Neighbours kept, on average of 10"] == f"{measured.mean_recall:.0%}"
    assert any("Do not over-read t-SNE distances" in caption.value for caption in app.caption)
    assert trace["hovertext"][0].endswith(f"{round(measured.recall[0] * 10)} of 10 neighbours kept")
    select(app, [(0, 0), (0, 1)])  # a selection still picks the points under it
    assert app.subheader[0].value == "2 selected"
    app.radio(key="latent_map.colour").set_value("labels").run()
    assert trace_names(app) == [str(digit) for digit in range(10)]
    assert "Trustworthiness of the map" not in metric_values(app)


def test_map_trust_is_computed_once_per_map(tiny, trust_calls):
    app = open_with_model(PAGE, tiny.ae)
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.colour").set_value("trust").run()
    app.radio(key="latent_map.colour").set_value("labels").run()
    app.radio(key="latent_map.colour").set_value("trust").run()
    assert len(trust_calls) == 1
    finish_jobs(app.radio(key="latent_map.method").set_value("tsne").run())  # the t-SNE maps are queued jobs
    finish_jobs(app.slider(key="latent_map.points").set_value(200).run())
    assert not app.exception
    assert [len(coordinates) for _, coordinates, _ in trust_calls] == [360, 360, 200]  # PCA, t-SNE, smaller t-SNE
    app.slider(key="latent_map.points").set_value(360).run()
    app.radio(key="latent_map.method").set_value("pca").run()
    assert not app.exception
    assert len(trust_calls) == 3  # both maps of 360 points were measured before


def test_a_precomputed_map_is_measured_on_first_open():
    needs_pretrained("digits", "digits_ae_8")
    app = open_page(PAGE, dataset="digits", model="pretrained:digits_ae_8")
    app.radio(key="latent_map.colour").set_value("trust").run()
    assert not app.exception
    trustworthiness = float(metric_values(app)["Trustworthiness of the map"])
    assert 0.8 < trustworthiness <= 1.0  # a t-SNE map of a trained model keeps most neighbourhoods
    assert point_count(app) == 360


def test_map_trust_speaks_korean(tiny):
    app = open_with_model(PAGE, tiny.ae, lang="ko")
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.colour").set_value("trust").run()
    assert not app.exception
    assert "지도의 신뢰도(trustworthiness)" in metric_values(app)
    assert any("t-SNE의 거리를" in caption.value for caption in app.caption)


def layout_images(app: AppTest) -> list[dict]:
    return charts(app)[0]["layout"].get("images", [])


def test_thumbnails_draw_spread_out_points_as_their_images(tiny):
    from latent_core import map_images

    app = open_with_model(PAGE, tiny.ae)
    app.radio(key="latent_map.method").set_value("pca").run()
    assert layout_images(app) == []  # dots only until asked
    app.radio(key="latent_map.images").set_value("thumbnails").run()
    assert not app.exception
    pictures = layout_images(app)
    assert len(pictures) == map_images.MAX_THUMBNAILS  # capped: the map has 360 points
    assert all(picture["source"].startswith("data:image/png;base64,") for picture in pictures)
    assert len({picture["sizex"] for picture in pictures}) == 1 and pictures[0]["sizex"] > 0
    drawn = {(float(x), float(y)) for trace in charts(app)[0]["data"]
             for x, y in zip(values(trace["x"]), values(trace["y"]))}
    assert all((picture["x"], picture["y"]) in drawn for picture in pictures)  # each sits on its point
    assert any("picked farthest from those before it" in caption.value for caption in app.caption)
    app.radio(key="latent_map.images").set_value("dots").run()
    assert layout_images(app) == []


def test_what_lives_here_decodes_each_cells_mean_code_under_the_map(tiny, monkeypatch):
    from PIL import Image

    from latent_core import map_images

    grids = []
    region_codes = map_images.region_codes
    monkeypatch.setattr(map_images, "region_codes",
                        lambda *args, **options: grids.append(region_codes(*args, **options)) or grids[-1])
    app = open_with_model(PAGE, tiny.ae)
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.images").set_value("regions").run()
    app.slider(key="latent_map.region_steps").set_value(5).run()
    assert not app.exception
    picture, = layout_images(app)
    assert picture["layer"] == "below" and picture["sizing"] == "stretch"
    grid = grids[-1]
    assert grid.steps == 5 and grid.counts.sum() == 360
    assert (picture["x"], picture["y"]) == (grid.x_range[0], grid.y_range[1])
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(picture["source"].split(",", 1)[1]))))
    side = pixels.shape[0] // 5
    alpha = pixels[::side, ::side, 3].ravel()  # one pixel of each cell, top row first
    np.testing.assert_array_equal(np.flatnonzero(alpha), grid.cells)  # empty cells are transparent
    assert any("cells with no point stay empty" in caption.value for caption in app.caption)


def test_a_clicked_point_shows_its_image_beside_its_code_decoded(tiny):
    app = open_with_model(PAGE, tiny.ae)
    app.radio(key="latent_map.method").set_value("pca").run()
    select(app, [(3, 1)])
    assert not app.exception
    assert app.subheader[0].value.startswith("3 · #")
    assert [image.proto.imgs[0].caption for image in app.get("image")][:2] == ["Its image", "Its code, decoded"]


def test_a_failed_t_sne_map_says_why_and_waits_for_a_retry(tiny, monkeypatch):
    calls, fit = [], projection.project

    def broken_once(codes, **options):
        calls.append(options["method"])
        if len(calls) == 1:
            raise ValueError("no map today")
        return fit(codes, **options)

    monkeypatch.setattr(projection, "project", broken_once)
    app = finish_jobs(open_with_model(PAGE, tiny.ae))
    assert any("no map today" in error.value for error in app.error)
    app = finish_jobs(app.run())
    assert calls == ["tsne"]  # no new job until asked
    retry = [button for button in app.button if button.label == "Try again"]
    assert len(retry) == 1
    app = finish_jobs(retry[0].click().run())
    assert calls == ["tsne", "tsne"] and not app.error and point_count(app) == 360


def test_a_placed_image_is_placed_again_when_the_datasets_content_changes(tiny):
    import dataclasses

    from latent_core.data import load_dataset

    digits = load_dataset("digits")
    app = open_page(PAGE, dataset="user:mine", model="workspace:" + tiny.ae.id, user_datasets={"mine": digits})
    app.radio(key="latent_map.method").set_value("pca").run()
    app.radio(key="latent_map.place_source").set_value("test").run()
    assert not app.exception and trace_names(app)[-1] == "your image"
    first = app.session_state["latent_map.placed"][0]
    changed = dataclasses.replace(digits, x_train=np.ascontiguousarray(digits.x_train[::-1]))  # same test images
    app.session_state["user_datasets"] = {"mine": changed}
    app.run()
    assert not app.exception and trace_names(app)[-1] == "your image"
    again = app.session_state["latent_map.placed"][0]
    assert again != first and again[-1] == first[-1]  # the same image, placed anew for other data
