"""The Manifold lab page: the roll (a still picture, or in 3-D), five embeddings side by side, the linear AE
against PCA."""

import base64
import re

import numpy as np
import pytest
from page_helpers import another_users_job_holds_the_queue, finish_jobs, open_page

from latent_core import data, manifold, pretrained
from ui import models

POINTS = 500  # the smallest setting: keeps t-SNE short


def chart_titles(app) -> list[str]:
    import json

    titles = []
    for chart in app.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        titles.append(figure["layout"].get("title", {}).get("text", "3-D roll"))
    return titles


def has_pretrained_roll_ae() -> bool:
    return any(entry.name == "swiss_roll_ae_2" for entry in pretrained.list_pretrained("swiss_roll"))


@pytest.fixture
def lab():
    app = open_page("manifold.py", dataset="swiss_roll", **{"manifold.points": POINTS})
    assert not app.exception
    return app


def test_the_roll_and_all_embeddings_are_drawn(lab):
    titles = chart_titles(lab)
    assert titles[0] == "3-D roll"
    assert {"PCA", "t-SNE", "Isomap", "LLE"} <= set(titles)
    if has_pretrained_roll_ae():
        assert "Autoencoder (started from Isomap)" in titles
    assert any(f"{POINTS} points of the roll" in caption.value for caption in lab.main.caption)


def test_the_roll_opens_as_a_still_picture_and_turns_in_3d_on_demand(lab):
    import json

    def roll_trace(app) -> dict:
        return json.loads(app.get("plotly_chart")[0].proto.spec)["data"][0]

    def numbers(array) -> list[float]:  # plotly encodes NumPy arrays as {"dtype", "bdata"}
        if isinstance(array, dict):
            return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
        return list(array)

    still = roll_trace(lab)
    roll = data.load_dataset("swiss_roll")
    view = manifold.side_view(roll.x_train[:POINTS])
    assert still["type"] == "scatter" and len(numbers(still["x"])) == POINTS
    assert numbers(still["x"]) == pytest.approx(view.xy[view.order, 0].tolist())  # farthest drawn first
    assert any("seen along its axis" in caption.value for caption in lab.main.caption)
    lab.toggle(key="manifold.roll_3d").set_value(True).run()
    assert not lab.exception
    turned = roll_trace(lab)
    assert turned["type"] == "scatter3d" and len(numbers(turned["x"])) == POINTS
    assert any("drag to rotate" in caption.value for caption in lab.main.caption)


def test_each_plot_says_how_well_it_follows_the_sheet(lab):
    caption = next(c.value for c in lab.main.caption if c.value.startswith("How well each plot follows the sheet"))
    roll = data.load_dataset("swiss_roll")
    position = roll.y_train[:POINTS]
    isomap = manifold.embed(roll.x_train[:POINTS], "isomap", n_neighbors=10, seed=0)
    assert f"Isomap {manifold.roll_order(isomap, position):.2f}" in caption
    assert re.search(r"PCA 0\.\d\d · t-SNE \d\.\d\d · Isomap \d\.\d\d · LLE \d\.\d\d\.$", caption)
    if has_pretrained_roll_ae():
        codes = pretrained.load_pretrained("swiss_roll_ae_2").model.encode(roll.x_train[:POINTS])
        order = manifold.roll_order(codes, position)
        assert caption.rsplit(": ", 1)[1].startswith(f"Autoencoder (started from Isomap) {order:.2f} · PCA")


def test_the_pretrained_autoencoder_follows_the_sheet_and_the_page_says_how(lab):
    if not has_pretrained_roll_ae():
        pytest.skip("no pretrained swiss roll autoencoder in pretrained/")
    roll = data.load_dataset("swiss_roll")
    codes = pretrained.load_pretrained("swiss_roll_ae_2").model.encode(roll.x_train[:POINTS])
    assert manifold.roll_order(codes, roll.y_train[:POINTS]) >= 0.9
    reading = next(m.value for m in lab.main.markdown if m.value.startswith("**Reading the plots.**"))
    assert "first learned to copy Isomap's layout" in reading and "usually folds it" in reading
    assert "started from Isomap" in lab.radio(key="manifold.ae_source").help


def test_an_autoencoder_trained_here_replaces_the_missing_one(empty_library, lab):
    radio = lab.radio(key="manifold.ae_source")
    assert radio.value == "here" and len(radio.options) == 1  # no pretrained roll autoencoder to offer
    assert not any(title.startswith("Autoencoder") for title in chart_titles(lab))
    assert lab.main.info[0].value.startswith("Press the button above")
    next(b for b in lab.button if b.label.startswith("Train an autoencoder")).click().run()
    assert "Training for 40 epochs…" in [caption.value for caption in lab.main.caption]  # the page watches the job
    finish_jobs(lab)
    assert not lab.exception and not lab.error
    assert any(title.startswith("Autoencoder (trained here") for title in chart_titles(lab))
    assert any(b.label.startswith("Train it again") for b in lab.button)


def test_the_linear_autoencoder_finds_pcas_plane(lab):
    finish_jobs(next(b for b in lab.button if b.label.startswith("Train a linear autoencoder")).click().run())
    assert not lab.exception
    numbers = {metric.label: metric.value for metric in lab.metric}
    linear, pca = float(numbers["Linear AE reconstruction MSE"]), float(numbers["PCA-2 reconstruction MSE"])
    assert linear == pytest.approx(pca, rel=0.05)
    angles = [float(angle.rstrip("°")) for angle in numbers["Principal angles to PCA's plane"].split(" · ")]
    assert len(angles) == 2 and max(angles) < 5
    assert lab.success[0].value.startswith("Same plane")
    assert {"Linear AE codes", "PCA"} <= set(chart_titles(lab)[-2:])


def test_a_linear_autoencoder_waits_its_turn_then_its_result_appears(lab, monkeypatch):
    with another_users_job_holds_the_queue(monkeypatch):
        next(b for b in lab.button if b.label.startswith("Train a linear autoencoder")).click().run()
        assert lab.progress[-1].proto.text.startswith("Yours is next: it starts when one of the 1 running jobs ends")
        lab.slider(key="manifold.neighbours").set_value(8).run()  # the page goes on meanwhile
        assert lab.progress and not lab.metric
    finish_jobs(lab)
    assert not lab.exception and lab.success[0].value.startswith("Same plane")
    assert any(b.label.startswith("Train the linear AE again") for b in lab.button)


def chart_points(app, title: str) -> list:
    import json

    for chart in app.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        if figure["layout"].get("title", {}).get("text") == title:
            return [figure["data"][0]["x"], figure["data"][0]["y"]]
    raise AssertionError(f"no chart titled {title!r}")


def test_the_neighbour_slider_recomputes_isomap(lab):
    isomap, pca = chart_points(lab, "Isomap"), chart_points(lab, "PCA")
    lab.slider(key="manifold.neighbours").set_value(8).run()
    assert not lab.exception
    assert chart_points(lab, "Isomap") != isomap
    assert chart_points(lab, "PCA") == pca  # PCA has no neighbourhood graph


def test_in_korean():
    app = open_page("manifold.py", lang="ko", dataset="digits", **{"manifold.points": POINTS})
    assert not app.exception
    assert app.header[0].value == "매니폴드 실험실"
    assert app.subheader[0].value == "롤을 펼치는 다섯 가지 방법"


def test_the_first_view_draws_the_shipped_embeddings_without_computing_any(monkeypatch):
    def computed(*args, **kwargs):
        raise AssertionError("an embedding was computed although the library ships it")

    monkeypatch.setattr(manifold, "embed", computed)
    app = open_page("manifold.py", dataset="swiss_roll")
    assert not app.exception
    assert {"PCA", "t-SNE", "Isomap", "LLE"} <= set(chart_titles(app))


def test_the_first_view_shows_the_pretrained_autoencoders_shipped_codes_without_loading_it(monkeypatch):
    if not has_pretrained_roll_ae():
        pytest.skip("no pretrained swiss roll autoencoder in pretrained/")

    def loaded(key):
        raise AssertionError(f"{key} was loaded although its codes ship with the library")

    monkeypatch.setattr(models, "load_choice", loaded)
    app = open_page("manifold.py", dataset="swiss_roll")
    assert not app.exception
    assert "Autoencoder (started from Isomap)" in chart_titles(app)


def test_codes_shipped_for_another_build_of_the_autoencoder_are_not_shown_as_its_own(monkeypatch):
    if not has_pretrained_roll_ae():
        pytest.skip("no pretrained swiss roll autoencoder in pretrained/")
    loads = []
    load_choice = models.load_choice
    monkeypatch.setattr(models, "load_choice", lambda key: loads.append(key) or load_choice(key))
    autoencoder_key = manifold.autoencoder_key  # the model file's digest, as if the model were rebuilt since
    monkeypatch.setattr(manifold, "autoencoder_key", lambda digest, *, points: autoencoder_key("rebuilt", points=points))
    app = open_page("manifold.py", dataset="swiss_roll")
    assert not app.exception
    assert loads == ["pretrained:swiss_roll_ae_2"]
    assert "Autoencoder (started from Isomap)" in chart_titles(app)


def test_other_settings_are_computed_once_and_kept(monkeypatch):
    calls = []
    embed = manifold.embed
    monkeypatch.setattr(manifold, "embed", lambda *args, **kwargs: calls.append(args[1]) or embed(*args, **kwargs))
    # neighbour counts no other test asks for: the computed embeddings are shared by the whole process
    app = open_page("manifold.py", dataset="swiss_roll", **{"manifold.points": POINTS, "manifold.neighbours": 13})
    assert not app.exception and "isomap" in calls
    calls.clear()
    app.slider(key="manifold.neighbours").set_value(14).run()
    assert not app.exception
    assert sorted(calls) == ["isomap", "lle"]  # PCA and t-SNE do not depend on the neighbours: kept
    app.run()
    assert sorted(calls) == ["isomap", "lle"]  # nothing computed again
