"""The latent space over training through the pages: the Train page shows it after a tiny run, the Latent map
page replays the chosen model's epochs (PCA at once, t-SNE from the queue), and a model without a history
says why."""

import json

import pytest
from page_helpers import ROOT, finish_jobs, open_link, open_page, open_with_model
from streamlit.testing.v1 import AppTest

from latent_core import history, jobs, pretrained
from ui import history_views, shell


def history_charts(app: AppTest) -> list[dict]:
    """The page's figures that animate over epochs."""
    figures = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    return [figure for figure in figures if figure.get("frames")]


def epochs_of(figure: dict) -> list[str]:
    """The epochs the scrubber steps through, and check each has its frame."""
    steps = [step["label"] for step in figure["layout"]["sliders"][0]["steps"]]
    assert [frame["name"] for frame in figure["frames"]] == steps
    return steps


def train_tiny_model(app: AppTest) -> AppTest:
    """A 2-epoch dense AE on 300 digits, started on the Train page and run to its end."""
    app.slider[0].set_value(2)  # epochs
    app.slider[1].set_value(300)  # training images
    app.text_input[0].set_value("history AE")
    next(button for button in app.button if button.label == "Start training").click().run()
    return finish_jobs(app)


def test_the_train_page_and_the_latent_map_show_the_codes_of_every_epoch(workspace_root, monkeypatch):
    computed = []
    layouts = history.layouts
    monkeypatch.setattr(history, "layouts", lambda recorded, method="pca", **options: computed.append(method)
                        or layouts(recorded, method, **options))
    app = train_tiny_model(open_page("train.py", dataset="digits"))
    assert not app.exception
    assert app.success[0].value.startswith("Finished history AE")
    [figure] = history_charts(app)
    assert epochs_of(figure) == ["0", "1", "2"]
    assert figure["layout"]["sliders"][0]["active"] == 2  # the trained model first; Play starts from epoch 0
    assert [button["label"] for button in figure["layout"]["updatemenus"][0]["buttons"]] == ["Play", "Pause"]
    groups = [trace.get("legendgroup") for trace in figure["data"]]
    assert groups.count("map") == 10 and groups.count("loss") == 2  # a trace per digit; loss and val_loss
    assert figure["data"][-1]["line"]["dash"] == "dash"  # the line at the epoch shown
    assert any(caption.value.startswith("What to look for") for caption in app.caption)

    app = finish_jobs(app.switch_page(str(ROOT / "pages" / "latent_map.py")).run())  # the run's model, its map
    assert not app.exception
    assert "The latent space over training" in [header.value for header in app.subheader]
    [by_pca] = history_charts(app)
    assert epochs_of(by_pca) == ["0", "1", "2"]
    calls_so_far = len(computed)
    app.run()
    assert len(computed) == calls_so_far  # rerunning the page does not lay the epochs out again

    app.radio(key="history.method").set_value("tsne").run()
    assert app.progress and app.progress[-1].proto.text.startswith("Laying out 3 epochs by t-SNE")
    app = finish_jobs(app)
    [by_tsne] = history_charts(app)
    assert epochs_of(by_tsne) == ["0", "1", "2"]
    assert by_tsne["frames"][1]["data"][0]["x"] != by_pca["frames"][1]["data"][0]["x"]  # another layout


@pytest.fixture
def library_without_histories(monkeypatch):
    """Every shipped bundle read as if it had no history file (the library itself ships one with
    every autoencoder), with the page's cache of stored histories emptied before and after."""
    history_views.stored_history.clear()
    monkeypatch.setattr(history, "load_history", lambda folder: None)
    yield
    history_views.stored_history.clear()


def test_a_pretrained_model_says_it_was_shipped_without_a_history(library_without_histories, monkeypatch):
    entry = next((entry for entry in pretrained.list_pretrained() if entry.kind != "dcgan" and entry.latent_map),
                 None)
    if entry is None:
        pytest.skip("no pretrained autoencoder with a latent map in pretrained/")
    app = open_page("latent_map.py", dataset=entry.dataset, model=f"pretrained:{entry.name}")
    assert not app.exception
    assert not history_charts(app)
    assert any(info.value.startswith("This model was shipped without a training history") and "Train page" in
               info.value for info in app.info)
    monkeypatch.setattr(shell, "lang", lambda: "ko")
    app = open_page("latent_map.py", lang="ko", dataset=entry.dataset, model=f"pretrained:{entry.name}")
    assert any(info.value.startswith("이 모델은 학습 기록 없이 제공되었습니다") for info in app.info)


@pytest.mark.parametrize(("dataset", "name"), [("digits", "digits_ae_8"), ("digits", "digits_vae_2"),
                                             ("swiss_roll", "swiss_roll_ae_2"), ("fashion_mnist", "fashion_mnist_vae_2"),
                                             ("mnist", "mnist_vae_2"), ("fashion_mnist", "fashion_mnist_vae_16")])
def test_a_rebuilt_pretrained_model_replays_its_shipped_history(dataset, name):
    entry = next((entry for entry in pretrained.list_pretrained(dataset) if entry.name == name), None)
    if entry is None:
        pytest.skip(f"no {name} in pretrained/")
    recorded = history.load_history(pretrained.PRETRAINED_DIR / entry.path)
    assert recorded is not None and recorded.epochs[0] == 0 and recorded.labels is not None
    app = open_page("latent_map.py", dataset=dataset, model=f"pretrained:{name}")
    assert not app.exception
    [figure] = history_charts(app)
    assert epochs_of(figure) == [str(int(epoch)) for epoch in recorded.epochs]
    assert not any(info.value.startswith("This model was shipped without") for info in app.info)


def test_a_saved_model_without_a_history_says_so(tiny):
    app = finish_jobs(open_with_model("latent_map.py", tiny.vae))  # saved untrained, by save() without a training
    assert not app.exception
    assert not history_charts(app)
    assert any(info.value.startswith("This model has no training history") for info in app.info)


def test_a_failed_t_sne_layout_says_so_and_waits_for_a_retry(tiny, monkeypatch):
    calls = []

    def broken(recorded, method, **options):
        calls.append(method)
        raise RuntimeError("no layouts today")

    monkeypatch.setattr(jobs, "history_layouts", broken)
    app = finish_jobs(open_with_model("latent_map.py", tiny.ae))  # the map's own t-SNE job first
    assert history_charts(app)  # PCA, made on the page
    app = finish_jobs(app.radio(key="history.method").set_value("tsne").run())
    assert any(error.value.startswith("The layouts over training could not be computed (RuntimeError)")
               for error in app.error)
    assert not history_charts(app)
    app = finish_jobs(app.run())
    assert calls == ["tsne"]  # no new job until asked
    assert [button.label for button in app.button if button.label.startswith("Compute")] == [
        "Compute the t-SNE layouts again"]


def shown_epoch(figure: dict) -> int:
    """The epoch a figure opens at: its slider's active step, after checking the traces first drawn are that
    step's frame (the map's points and the dashed epoch line)."""
    active = figure["layout"]["sliders"][0]["active"]
    frame = figure["frames"][active]
    for trace, moved in zip(frame["traces"], frame["data"]):
        assert figure["data"][trace]["x"] == moved["x"] and figure["data"][trace]["y"] == moved["y"]
    return int(frame["name"])


def test_a_link_with_an_epoch_opens_the_history_at_that_epoch_and_an_unrecorded_one_at_the_last(monkeypatch):
    entry = next((entry for entry in pretrained.list_pretrained("digits") if entry.name == "digits_ae_8"), None)
    recorded = entry and history.load_history(pretrained.PRETRAINED_DIR / entry.path)
    if recorded is None or len(recorded.epochs) < 3:
        pytest.skip("no pretrained digits_ae_8 with a history in pretrained/")
    chosen, last = int(recorded.epochs[2]), int(recorded.epochs[-1])
    built = []
    building = history_views.history_figure
    monkeypatch.setattr(history_views, "history_figure", lambda *args: built.append(1) or building(*args))
    app = open_link("latent_map.py", dataset="digits", model="pretrained:digits_ae_8", map="pca",
                    epoch=str(chosen))
    assert not app.exception
    [figure] = history_charts(app)
    assert shown_epoch(figure) == chosen
    assert app.select_slider(key="history.epoch").value == chosen and app.query_params["epoch"] == str(chosen)

    later = int(recorded.epochs[5])
    app.select_slider(key="history.epoch").set_value(later).run()
    assert not app.exception
    [figure] = history_charts(app)
    assert shown_epoch(figure) == later and app.query_params["epoch"] == str(later)
    assert len(figure["frames"]) == len(recorded.epochs)  # Play and the scrubber still have every epoch
    assert len(built) <= 1  # moving the epoch only opens the cached figure elsewhere; it builds no frames

    for bad in (str(chosen + 1), "-1", "9.5", "last"):
        fallback = open_link("latent_map.py", dataset="digits", model="pretrained:digits_ae_8", epoch=bad)
        assert not fallback.exception
        [figure] = history_charts(fallback)
        assert shown_epoch(figure) == last and fallback.select_slider(key="history.epoch").value == last
        assert fallback.query_params["epoch"] == str(last)


def test_a_link_to_a_model_without_a_history_drops_its_epoch(tiny):
    app = open_link("latent_map.py", dataset="digits", model="workspace:" + tiny.vae.id, map="pca", epoch="2")
    assert not app.exception
    assert not history_charts(app) and "epoch" not in app.query_params
