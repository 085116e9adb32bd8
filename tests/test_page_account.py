"""The sidebar's account section and each user's workspace: sign-in, the share link, quotas."""

import os
import re

import pytest
from page_helpers import ROOT, TIMEOUT, tiny_digits_model
from streamlit.testing.v1 import AppTest

from latent_core import store
from latent_core.identity import identity_key
from latent_core.models import build_model
from latent_core.workspace import Workspace
from ui.text import TEXT

COOKIE_SECRET = "a cookie secret long enough to sign"
ISSUER = "http://127.0.0.1:9400"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": COOKIE_SECRET,
        "client_id": "latent-explorer", "client_secret": "not a real one",
        "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration"}
ALICE = {"is_logged_in": True, "iss": ISSUER, "sub": "alice", "name": "Alice Kim", "email": "alice@example.org"}


def run_app(page: str | None = None, *, secrets=None, user=None, url="http://127.0.0.1:8501/", query=None,
            **state) -> AppTest:
    """The app (on ``pages/<page>`` when given) with secrets, a signed-in user, the browser's
    address and session state preset."""
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if secrets is not None:
        app.secrets = secrets
    if user is not None:
        app.user = user
    app.context = {"url": url}
    app.query_params.update(query or {})
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    if page is not None:
        app.switch_page(str(ROOT / "pages" / page)).run()
    assert not app.exception
    return app


def sidebar_texts(app) -> list[str]:
    return [element.value for element in app.sidebar.caption] + [element.value for element in app.sidebar.markdown]


def upload_model(app, name="mine.keras"):
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=3)
    app.file_uploader[0].set_value((name, store.model_archive_bytes(model), "application/octet-stream")).run()
    assert not app.exception
    return app


# --------------------------------------------------------------------------- no sign-in


def test_hosted_without_sign_in_the_sidebar_shares_this_view_without_the_key(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    key = "a" * 32
    app = run_app("library.py", url="http://127.0.0.1:8501/library", query={"user": key, "lang": "en"})
    assert app.query_params["user"] == key
    assert [expander.label for expander in app.sidebar.expander] == ["Share this view"]
    assert app.sidebar.code[0].value == ("http://127.0.0.1:8501/library?lang=en&dataset=fashion_mnist"
                                         "&model=pretrained:fashion_mnist_conv_ae_32")  # the view, not the key
    assert "whoever has it has them" in app.sidebar.expander[0].caption[0].value
    assert not [button for button in app.sidebar.button if "Sign" in button.label]


def test_a_shared_link_leaves_out_a_model_of_the_users_own_workspace(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    key = "b" * 32
    own = tiny_digits_model(workspace_root / "users" / key)
    app = run_app("library.py", url="http://127.0.0.1:8501/library", dataset="digits",
                  query={"user": key, "lang": "en", "model": f"workspace:{own.id}"})
    assert app.query_params["model"] == f"workspace:{own.id}"  # the address keeps it, for this user's reloads
    assert app.sidebar.code[0].value == "http://127.0.0.1:8501/library?lang=en&dataset=digits"


def test_a_visit_that_saves_nothing_leaves_no_folder(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_HOSTED", "1")
    run_app("library.py", dataset="digits")
    assert list(workspace_root.rglob("*")) == []


def test_locally_there_is_no_share_link_and_no_sign_in(workspace_root):
    app = run_app()
    assert not app.sidebar.expander and not app.sidebar.code
    assert "user" not in app.query_params


# --------------------------------------------------------------------------- sign-in configured


def test_sign_in_required_shows_only_the_sign_in_to_a_signed_out_visitor(workspace_root):
    tiny_digits_model(workspace_root, name="not anyone's")
    app = run_app("library.py", secrets={"auth": AUTH}, dataset="digits")
    assert app.header[0].value == "Sign in to use Latent Explorer"
    assert [button.label for button in app.main.button] == ["Sign in"]
    assert [button.label for button in app.sidebar.button] == ["Sign in"]
    assert not app.sidebar.selectbox  # no dataset or model picker: the page does not run
    assert "Model library" not in [header.value for header in app.header]

    korean = run_app(secrets={"auth": AUTH}, lang="ko")
    assert korean.header[0].value == "잠재 공간 탐험기를 쓰려면 로그인하세요"
    assert [button.label for button in korean.main.button] == ["로그인"]


def test_a_named_provider_gets_its_own_button(workspace_root):
    named = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": COOKIE_SECRET,
             "school": {key: AUTH[key] for key in ("client_id", "client_secret", "server_metadata_url")}}
    app = run_app(secrets={"auth": named})
    assert [button.label for button in app.main.button] == ["Sign in with school"]


def test_signed_out_visitors_may_explore_but_not_save_when_sign_in_is_optional(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_SIGN_IN_REQUIRED", "0")
    tiny_digits_model(workspace_root, name="not anyone's")
    app = run_app("library.py", secrets={"auth": AUTH}, dataset="digits")
    assert app.header[0].value == "Model library"
    assert any(text.startswith("Signed out: explore the pretrained models") for text in sidebar_texts(app))
    assert [button.label for button in app.sidebar.button] == ["Sign in"]
    assert not any(option.startswith("★") for option in app.sidebar.selectbox[1].options)
    before = app.session_state["model"]
    upload_model(app)
    assert app.error[0].value == "Sign in to save models."
    assert app.session_state["model"] == before
    assert len(Workspace(workspace_root).entries()) == 1 and not (workspace_root / "users").exists()


def test_a_signed_in_user_works_in_the_workspace_of_their_identity(workspace_root):
    key = identity_key(ISSUER, "alice", COOKIE_SECRET)
    tiny_digits_model(workspace_root / "users" / key, name="alice's")
    tiny_digits_model(workspace_root / "users" / ("b" * 32), name="an address key's")
    app = run_app("library.py", secrets={"auth": AUTH}, user=ALICE, query={"user": "b" * 32}, dataset="digits")
    assert "Signed in as **Alice Kim**" in sidebar_texts(app)
    assert [button.label for button in app.sidebar.button] == ["Sign out"]
    assert [option for option in app.sidebar.selectbox[1].options if option.startswith("★")] == [
        "★ alice's · dense AE, 4-D"]
    assert "user" not in app.query_params  # the address key is not used, nor kept in links
    upload_model(app, "alice's upload.keras")
    assert {entry.name for entry in Workspace(workspace_root / "users" / key).entries()} == {
        "alice's", "alice's upload"}

    bob = run_app("library.py", secrets={"auth": AUTH}, user={**ALICE, "sub": "bob", "name": "Bob"},
                  dataset="digits")
    assert not any(option.startswith("★") for option in bob.sidebar.selectbox[1].options)


# --------------------------------------------------------------------------- quotas and clean-up


@pytest.mark.parametrize("lang, message", [
    ("en", "Not saved: you already keep 1 models, the most this server allows each user."),
    ("ko", "저장하지 않았습니다. 이 서버에서 한 사용자가 보관할 수 있는 최대 1개의 모델을 이미 보관하고 있습니다."),
])
def test_an_upload_past_the_model_quota_is_refused_and_the_session_stays(workspace_root, monkeypatch, lang, message):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_USER_MODELS", "1")
    entry = tiny_digits_model(workspace_root, name="the one")
    app = run_app("library.py", lang=lang, dataset="digits", model="workspace:" + entry.id)
    upload_model(app)
    assert app.error[0].value.startswith(message)
    assert [saved.id for saved in Workspace(workspace_root).entries()] == [entry.id]
    assert app.session_state["model"] == "workspace:" + entry.id


def test_training_past_the_space_quota_is_refused_before_it_starts(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_MAX_USER_MB", "1")
    workspace_root.mkdir()
    (workspace_root / "big.bin").write_bytes(b"\0" * 2**20)  # the workspace is already full
    app = run_app("train.py", dataset="digits")
    [button for button in app.button if button.label == "Start training"][0].click().run()
    assert not app.exception
    assert app.error[0].value.startswith("Not saved: your models would take more than the 1 MB")
    assert "training_job" not in app.session_state
    assert Workspace(workspace_root).entries() == []


def test_the_first_run_removes_workspaces_unused_for_the_days(workspace_root, monkeypatch):
    monkeypatch.setenv("LATENT_EXPLORER_UNUSED_DAYS", "30")
    stale = tiny_digits_model(workspace_root / "users" / ("c" * 32), name="forgotten").path.parent
    fresh = tiny_digits_model(workspace_root / "users" / ("d" * 32), name="in use").path.parent
    long_ago = os.stat(stale).st_mtime - 31 * 86_400
    for path in [stale, *stale.rglob("*")]:
        os.utime(path, (long_ago, long_ago))
    run_app()
    assert not stale.exists() and fresh.exists()


def test_a_training_whose_model_no_longer_fits_at_the_end_says_why(workspace_root, monkeypatch):
    """The estimate before training lets it start; the real bundle, a little bigger, does not fit."""
    monkeypatch.setenv("LATENT_EXPLORER_MAX_USER_MB", "1")
    workspace_root.mkdir()
    (workspace_root / "filler.bin").write_bytes(b"\0" * (2**20 - 165_000))
    app = run_app("train.py", dataset="digits")
    next(slider for slider in app.slider if slider.label == "Epochs").set_value(2).run()
    [button for button in app.button if button.label == "Start training"][0].click().run()
    app.session_state["training_job"].join(120)
    app.run()
    assert not app.exception
    assert app.error[0].value.startswith("Not saved: your models would take more than the 1 MB")
    assert Workspace(workspace_root).entries() == []


def test_every_save_refusal_has_its_sentence_in_both_languages():
    source = (ROOT / "latent_core" / "workspace.py").read_text()
    codes = set(re.findall(r'SaveRefused\(.*?,\s*"(\w+)"', source, re.S))
    assert codes == {"sign_in", "models", "user_space", "total_space"}
    for code in codes:
        assert set(TEXT[f"save.{code}"]) == {"en", "ko"}, code
