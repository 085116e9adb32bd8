"""Sign-in through a real OpenID Connect provider: each signed-in user sees only their own models.

The provider (``oidc-provider-mock``) and the app listen on loopback only; the provider
runs in a thread of this process and shuts itself down after ``LIFETIME_S``, the app
server is ended by ``timeout`` after the same time. The app's secrets.toml lies in the
test's temporary folder (``STREAMLIT_SECRETS_FILES``), never in the repository.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

import oidc_provider_mock
import pytest
import werkzeug.serving
from app_steps import choose_dataset, current, idle, open_sidebar_list
from playwright.sync_api import expect

from latent_core import store
from latent_core.identity import identity_key
from latent_core.models import build_model
from latent_core.workspace import Workspace

pytestmark = pytest.mark.browser

LIFETIME_S = 600
COOKIE_SECRET = "a cookie secret for this test only, 32+ bytes"
MODEL_LABEL = "★ alice's model · dense AE, 3-D"


@contextmanager
def oidc_provider(*subjects: str):
    """A local OpenID Connect provider on a free loopback port with one-click users ``subjects``;
    yields its issuer URL."""
    users = [oidc_provider_mock.User(sub=subject, claims={"name": subject.title()}) for subject in subjects]
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(user_claims=users), threaded=True)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    deadline = threading.Timer(LIFETIME_S, server.shutdown)
    deadline.daemon = True
    deadline.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        deadline.cancel()
        server.shutdown()
        serving.join(5)
        server.server_close()


def write_secrets(folder, issuer: str):
    path = folder / "secrets.toml"
    path.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "{COOKIE_SECRET}"
client_id = "latent-explorer-test"
client_secret = "any secret: the mock provider accepts every client"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
''')
    return path


def sign_in(page, url: str, subject: str) -> None:
    """Open the app signed out, sign in as ``subject`` at the provider, wait for the app to
    say who is signed in, and open the Model library page."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in to use Latent Explorer")).to_be_visible()
    idle(page)
    page.get_by_test_id("stMain").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_role("button", name=subject, exact=True).first.click()
    expect(page.get_by_test_id("stSidebar").get_by_text(f"Signed in as {subject.title()}")).to_be_visible()
    idle(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Model library").click()
    expect(page.get_by_role("heading", name="Model library")).to_be_visible()
    idle(page)


def own_models(page) -> list[str]:
    """The ★ entries of the sidebar's model picker, on 8×8 digits."""
    choose_dataset(page, "Digits (8×8)")
    model_box = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Model")
    expect(model_box).to_have_value(re.compile("digits"))  # the picker of the new run, for digits
    idle(page)
    open_sidebar_list(page, 1)
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return [option for option in options if option.startswith("★")]


def test_each_signed_in_user_sees_only_their_own_models(browser, serve_app, tmp_path, screenshot):
    model_file = tmp_path / "alice's model.keras"
    model_file.write_bytes(store.model_archive_bytes(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=3)))
    workspace = tmp_path / "workspace"
    with oidc_provider("alice", "bob") as issuer:
        secrets = write_secrets(tmp_path, issuer)
        _, url = serve_app(workspace, lifetime_s=LIFETIME_S, STREAMLIT_SECRETS_FILES=str(secrets),
                           LATENT_EXPLORER_HOSTED="1")
        alice = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
        alice.set_default_timeout(60_000)
        sign_in(alice, url, "alice")
        assert "user=" not in alice.url  # signed in, the address carries no key
        choose_dataset(alice, "Digits (8×8)")
        idle(alice)
        alice.get_by_text("Upload a model").click()
        alice.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(model_file))
        expect(alice.get_by_role("heading", name=f"Inside: {MODEL_LABEL}")).to_be_visible()
        idle(alice)
        screenshot(alice, "signed_in_library")
        alice_folder = workspace / "users" / identity_key(issuer, "alice", COOKIE_SECRET)
        assert [entry.name for entry in Workspace(alice_folder).entries()] == ["alice's model"]

        bob = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
        bob.set_default_timeout(60_000)
        sign_in(bob, url, "bob")
        assert own_models(bob) == []
        expect(current(bob).get_by_text("alice's model")).to_have_count(0)

        alice.get_by_test_id("stSidebar").get_by_role("button", name="Sign out").click()
        expect(alice.get_by_role("heading", name="End Session")).to_be_visible()
        alice.get_by_role("button", name="End session").click()
        expect(alice.get_by_role("heading", name="Sign in to use Latent Explorer")).to_be_visible()
        expect(alice.get_by_text(re.compile("Signed in as"))).to_have_count(0)
        sign_in(alice, url, "alice")
        assert own_models(alice) == [MODEL_LABEL]
        assert sorted(path.name for path in (workspace / "users").iterdir()) == [alice_folder.name]
