"""``python -m latent_core.explore``: a notebook's Keras model saved through the upload path into the
workspace, the app started on it with the model selected, and stopped again."""

from __future__ import annotations

import urllib.request

import keras
import numpy as np
import pytest
from page_helpers import ROOT, TIMEOUT
from streamlit.testing.v1 import AppTest

from latent_core import explore
from latent_core.workspace import Workspace

layers = keras.layers


def tiny_digits_autoencoder() -> keras.Model:
    return keras.Sequential([keras.Input((64,)), layers.Dense(3, activation="relu"),
                             layers.Dense(64, activation="sigmoid")])


def test_explore_saves_the_model_starts_the_app_on_it_and_stops(tmp_path):
    path = tmp_path / "autoencoder.keras"
    tiny_digits_autoencoder().save(path)
    workspace = tmp_path / "workspace"
    explorer = explore.explore(path, host="127.0.0.1", port=explore.free_port("127.0.0.1"), workspace=workspace,
                               timeout=TIMEOUT, quiet=True)
    try:
        with urllib.request.urlopen(explorer.url.split("/library")[0] + "/_stcore/health", timeout=10) as answer:
            assert answer.read() == b"ok"
        [entry] = Workspace(workspace).entries()
        assert (entry.id, entry.name, entry.kind, entry.input_shape) == (explorer.entry.id, "autoencoder",
                                                                          "keras_ae", (8, 8, 1))
        assert explorer.dataset == "digits"
        assert explorer.url.endswith(f"/library?dataset=digits&model=workspace%3A{entry.id}")
    finally:
        explorer.stop()
    assert explorer.process.poll() is not None


def test_a_model_in_memory_and_its_decoder_are_saved_as_one_for_the_chosen_dataset(tmp_path):
    encoder = keras.Sequential([keras.Input((28, 28)), layers.Flatten(), layers.Dense(4)], name="my_encoder")
    decoder = keras.Sequential([keras.Input((4,)), layers.Dense(784, activation="sigmoid"), layers.Reshape((28, 28))])
    entry, dataset = explore.save_for_app(encoder, decoder=decoder, dataset="fashion_mnist", workspace=tmp_path)
    assert (dataset, entry.name, entry.kind, entry.latent_dim) == ("fashion_mnist", "my_encoder", "keras_ae", 4)
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(Workspace(tmp_path).load(entry.id).model.reconstruct(x),
                               np.asarray(decoder(encoder(x[..., 0]))).reshape(x.shape), atol=1e-5)


def test_the_command_line_refuses_a_model_for_another_dataset_and_saves_nothing(tmp_path, capsys, monkeypatch):
    path = tmp_path / "autoencoder.keras"
    tiny_digits_autoencoder().save(path)
    monkeypatch.setenv("LATENT_EXPLORER_WORKSPACE", str(tmp_path / "workspace"))
    assert explore.main([str(path), "--dataset", "mnist"]) == 2
    assert "refused" in capsys.readouterr().err
    assert Workspace(tmp_path / "workspace").entries() == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_address_explore_prints_selects_the_dataset_and_model(tmp_path, monkeypatch, lang):
    entry, dataset = explore.save_for_app(tiny_digits_autoencoder(), workspace=tmp_path, name="from a notebook")
    monkeypatch.setenv("LATENT_EXPLORER_WORKSPACE", str(tmp_path))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params.update(dataset=dataset, model=f"workspace:{entry.id}", lang=lang)
    app.run()
    app = app.switch_page(str(ROOT / "pages" / "library.py")).run()
    assert not app.exception
    assert (app.session_state["dataset"], app.session_state["model"]) == ("digits", f"workspace:{entry.id}")
    assert "from a notebook" in app.subheader[1].value


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a secret",
        "client_id": "id", "client_secret": "secret",
        "server_metadata_url": "https://accounts.example.com/.well-known/openid-configuration"}


def test_with_sign_in_configured_the_command_line_refuses_and_saves_nothing(tmp_path, capsys, monkeypatch):
    path = tmp_path / "autoencoder.keras"
    tiny_digits_autoencoder().save(path)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text("[auth]\n" + "".join(f'{key} = "{value}"\n' for key, value in AUTH.items()))
    monkeypatch.setattr(explore, "SECRETS_FILES", (tmp_path / "absent.toml", secrets))
    monkeypatch.setenv("LATENT_EXPLORER_WORKSPACE", str(tmp_path / "workspace"))
    assert explore.main([str(path)]) == 1
    assert "signs its users in" in capsys.readouterr().err
    assert not (tmp_path / "workspace").exists()


def test_without_a_provider_in_the_secrets_sign_in_is_not_configured(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\ncookie_secret = "s"\n')
    assert not explore.sign_in_configured([tmp_path / "absent.toml", secrets])
    secrets.write_text(secrets.read_text() + "".join(f'{key} = "{AUTH[key]}"\n' for key in
                                                     ("client_id", "client_secret", "server_metadata_url")))
    assert explore.sign_in_configured([secrets])


def test_hosted_the_model_is_saved_for_the_user_key_the_address_carries(tmp_path, monkeypatch):
    monkeypatch.setattr(explore, "SECRETS_FILES", ())
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    with pytest.raises(explore.NoWorkspaceForUser, match="user_key"):
        explore.save_for_app(tiny_digits_autoencoder(), workspace=tmp_path)
    key = "0123456789abcdef0123456789abcdef"
    entry, dataset = explore.save_for_app(tiny_digits_autoencoder(), workspace=tmp_path, name="homework",
                                          user_key=key)
    assert [saved.id for saved in Workspace(tmp_path / "users" / key).entries()] == [entry.id]
    assert Workspace(tmp_path).entries() == []  # not in the shared root, which the hosted app shows nobody
    monkeypatch.setenv("LATENT_EXPLORER_WORKSPACE", str(tmp_path))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    app.query_params.update(dataset=dataset, model=f"workspace:{entry.id}", user=key)
    app.run()
    app = app.switch_page(str(ROOT / "pages" / "library.py")).run()
    assert not app.exception
    assert app.session_state["model"] == f"workspace:{entry.id}" and "homework" in app.subheader[1].value
