"""The Concepts page's "Inside a VAE" tab through AppTest: KL per dimension and active units of the chosen
VAE, the prior beside the aggregate posterior for a 2-D latent, and the shipped β sweep."""

import base64
import json

import numpy as np
import pytest
from page_helpers import open_page

from latent_core import pretrained, vae_internals
from latent_core.data import load_dataset
from latent_core.models import build_model
from latent_core.workspace import Workspace

PAGE = "concepts.py"
INSIDE = {"concepts.tab": "Inside a VAE"}  # the tab this file is about, opened (only the open tab runs)


def chart(app, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if f"vae_inside.{key}" in c.proto.id)


def values(array) -> np.ndarray:
    """A trace's numbers; plotly encodes NumPy arrays as {"dtype", "bdata"}."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype=float)


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def saved_vae(root, latent_dim: int):
    digits = load_dataset("digits", max_train=50, max_test=10)
    model = build_model("vae", input_shape=(8, 8, 1), latent_dim=latent_dim, hidden_units=(16,), seed=3)
    return Workspace(root).save(model, name=f"vae {latent_dim}-D", dataset=digits), model


def test_the_chosen_vae_shows_its_kl_per_dimension_and_its_clouds(workspace_root):
    entry, model = saved_vae(workspace_root, 2)
    app = open_page(PAGE, dataset="digits", model="workspace:" + entry.id, **INSIDE)
    assert not app.exception
    assert "Inside a VAE" in [tab.label for tab in app.tabs]
    assert any(header.value == "KL per latent dimension: vae 2-D" for header in app.subheader)
    expected = vae_internals.inspect_vae(model, load_dataset("digits").x_test)
    bars = values(chart(app, "kl")["data"][0]["y"])
    np.testing.assert_allclose(bars, np.maximum(expected.kl_per_dim, 1e-4), rtol=1e-4)
    assert metric(app, "Active units (of 2)") == str(expected.active)
    assert float(metric(app, "KL (nats per image)")) == pytest.approx(expected.kl_total, abs=0.006)
    prior, posterior = chart(app, "prior"), chart(app, "posterior")
    assert len(values(prior["data"][0]["x"])) == 360  # one prior sample per test image shown
    assert sum(len(values(trace["x"])) for trace in posterior["data"] if trace["mode"] == "markers") == 360
    assert len([trace for trace in posterior["data"] if trace["mode"] == "markers"]) == 10  # one per class


def test_a_vae_with_more_than_two_dimensions_gets_no_clouds(workspace_root):
    entry, _ = saved_vae(workspace_root, 3)
    app = open_page(PAGE, dataset="digits", model="workspace:" + entry.id, **INSIDE)
    assert not app.exception
    assert len(values(chart(app, "kl")["data"][0]["y"])) == 3
    assert "vae_inside.prior" not in " ".join(c.proto.id for c in app.get("plotly_chart"))


def test_the_sweep_shows_the_trade_off_and_active_units_per_beta(workspace_root):
    sweep = vae_internals.read_beta_sweep()
    app = open_page(PAGE, dataset="digits", **INSIDE)
    assert not app.exception
    tradeoff = chart(app, "tradeoff")["data"][0]
    np.testing.assert_allclose(values(tradeoff["x"]), [p.kl_total for p in sweep.points])
    np.testing.assert_allclose(values(tradeoff["y"]), [p.reconstruction for p in sweep.points])
    rows = chart(app, "sweep_kl")["data"][0]["y"]
    assert rows[0] == f"β={sweep.points[0].beta:g} ({sweep.points[0].active} active)"
    first, last = sweep.points[0], sweep.points[-1]
    assert any(f"go from {first.active} of 8 at β = {first.beta:g} to {last.active} at β = {last.beta:g}" in c.value
               for c in app.caption)


def test_without_a_sweep_file_it_says_how_to_build_one(workspace_root, monkeypatch, tmp_path):
    monkeypatch.setattr(vae_internals, "BETA_SWEEP_PATH", tmp_path / "none.json")
    app = open_page(PAGE, dataset="digits", **INSIDE)
    assert not app.exception
    assert any(info.value.startswith("No β sweep is shipped") for info in app.info)


def test_without_any_vae_the_tab_says_what_to_choose_and_still_shows_the_sweep(workspace_root, empty_library):
    app = open_page(PAGE, dataset="swiss_roll", **INSIDE)
    assert not app.exception
    assert any(info.value.startswith("Choose a VAE for") for info in app.info)
    assert "vae_inside.tradeoff" in " ".join(c.proto.id for c in app.get("plotly_chart"))


def test_the_tab_speaks_korean(workspace_root):
    if not any(entry.kind == "vae" for entry in pretrained.list_pretrained("digits")):
        pytest.skip("no pretrained digits VAE in pretrained/")
    app = open_page(PAGE, dataset="digits", lang="ko", **{"concepts.tab": "VAE의 속"})
    assert not app.exception
    assert "VAE의 속" in [tab.label for tab in app.tabs]
    assert any(m.label == "활성 유닛 (2개 중)" for m in app.metric)  # the library's 2-D digits VAE
    assert any(c.value.startswith("볼 점: 왼쪽의 각 점은 β 하나입니다") for c in app.caption)
