"""The Concepts page: KL divergence with its asymmetry, BCE vs MSE, and the reparameterisation trick."""

import base64
import json

import numpy as np
import pytest
from page_helpers import open_page, tiny_digits_model

from latent_core import pretrained
from ui.text import translate



def metrics_of(app) -> dict[str, float]:
    return {metric.label: float(metric.value) for metric in app.metric}


def slider(app, key: str):
    return next(s for s in app.slider if s.key == key)


def tab(name: str) -> dict[str, str]:
    """The session state that opens the Concepts page on its tab ``name`` (only the open tab runs)."""
    return {"concepts.tab": translate(f"concepts.{name}.tab", "en")}


def has_digits_vae() -> bool:
    return any(entry.kind == "vae" for entry in pretrained.list_pretrained("digits"))


def test_kl_is_asymmetric_and_explodes_where_q_misses_an_outcome(workspace_root):
    app = open_page("concepts.py", dataset="digits")
    assert not app.exception
    before = metrics_of(app)
    assert before["KL(P‖Q)"] > 0 and before["KL(P‖Q)"] != before["KL(Q‖P)"]
    next(b for b in app.button if b.label.startswith("Example: Q misses")).click().run()
    missing = metrics_of(app)
    assert missing["KL(P‖Q)"] > 3.0 > missing["KL(Q‖P)"]
    for index in range(5):
        slider(app, f"concepts.q{index}").set_value(20)
    app.run()
    assert metrics_of(app)["KL(P‖Q)"] == pytest.approx(0.0, abs=1e-3)


def test_all_zero_bars_get_a_clear_message(workspace_root):
    app = open_page("concepts.py", dataset="digits")
    for index in range(5):
        slider(app, f"concepts.p{index}").set_value(0)
    app.run()
    assert not app.exception
    assert app.error[0].value.startswith("A distribution needs some weight somewhere")


def test_bce_and_mse_rise_as_the_reconstruction_degrades(workspace_root):
    app = open_page("concepts.py", dataset="digits", **tab("loss"))
    slider(app, "concepts.amount").set_value(0.0).run()
    clean = metrics_of(app)
    assert clean["MSE"] == 0.0 and clean["BCE"] > 0.0  # grey pixels keep their entropy
    slider(app, "concepts.amount").set_value(0.8).run()
    worse = metrics_of(app)
    assert worse["MSE"] > clean["MSE"] and worse["BCE"] > clean["BCE"]
    next(r for r in app.radio if r.key == "concepts.kind").set_value("noise").run()
    assert not app.exception and metrics_of(app)["MSE"] != worse["MSE"]


def test_points_borrow_digits_for_the_loss_widget(workspace_root):
    app = open_page("concepts.py", dataset="swiss_roll", **tab("loss"))
    assert not app.exception
    assert "MSE" in metrics_of(app)


def test_reparameterisation_spreads_samples_with_sigma(workspace_root):
    if not has_digits_vae():
        pytest.skip("no pretrained digits VAE in pretrained/")
    entry = tiny_digits_model(workspace_root)
    app = open_page("concepts.py", dataset="digits", model="workspace:" + entry.id, **tab("vae"))
    assert not app.exception
    assert any(c.value.startswith("Decoder: digits_vae") for c in app.main.caption)

    def spread() -> float:
        chart = next(json.loads(c.proto.spec) for c in app.get("plotly_chart")
                     if json.loads(c.proto.spec)["layout"].get("xaxis", {}).get("title", {}).get("text") == "z₁")
        xs = chart["data"][0]["x"]  # plotly encodes arrays as {"dtype", "bdata"}
        values = np.frombuffer(base64.b64decode(xs["bdata"]), dtype=xs["dtype"]) if isinstance(xs, dict) else xs
        return float(np.ptp(values))

    slider(app, "concepts.log_var0").set_value(-6.0).run()
    narrow = spread()
    slider(app, "concepts.log_var0").set_value(2.0).run()
    assert spread() > 10 * narrow
    slider(app, "concepts.count").set_value(8).run()
    assert not app.exception


def test_without_any_vae_it_says_what_to_train(workspace_root, empty_library):
    app = open_page("concepts.py", dataset="swiss_roll", **tab("vae"))
    assert not app.exception
    assert not any(c.value.startswith("Decoder: ") for c in app.main.caption)
    assert app.info[0].value.startswith("This widget needs a VAE decoder")


def test_only_the_open_tab_is_computed_and_drawn(workspace_root, monkeypatch):
    from ui import shell

    def loaded():
        raise AssertionError("a VAE was loaded for the KL tab")

    monkeypatch.setattr(shell, "active_model", loaded)
    app = open_page("concepts.py", dataset="digits")
    assert not app.exception
    assert [tab.label for tab in app.tabs] == ["KL divergence", "BCE vs MSE", "Reparameterisation", "Inside a VAE"]
    assert len(app.get("plotly_chart")) == 2  # the KL tab's two charts, none of the other tabs'
    assert not any(m.key == "concepts.amount" for m in app.slider)
    app = open_page("concepts.py", dataset="digits", **tab("loss"))
    assert not app.exception and any(m.key == "concepts.amount" for m in app.slider)
    assert not any(m.key == "concepts.q0" for m in app.slider)


def test_in_korean(workspace_root):
    app = open_page("concepts.py", lang="ko", dataset="digits")
    assert not app.exception
    assert app.header[0].value == "개념 익히기"
    assert [tab.label for tab in app.tabs] == ["KL 발산", "BCE와 MSE", "재매개변수화", "VAE의 속"]


def test_a_chosen_model_that_does_not_load_is_logged_and_a_pretrained_vae_used(workspace_root, caplog):
    if not has_digits_vae():
        pytest.skip("no pretrained digits VAE in pretrained/")
    entry = tiny_digits_model(workspace_root)
    (entry.path / "model.keras").write_bytes(b"not a keras file")
    with caplog.at_level("WARNING"):
        app = open_page("concepts.py", dataset="digits", model="workspace:" + entry.id, **tab("vae"))
    assert not app.exception
    assert any(c.value.startswith("Decoder: digits_vae") for c in app.main.caption)
    assert any("did not load" in record.getMessage() and record.exc_info for record in caplog.records)
