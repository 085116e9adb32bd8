"""Who uses this session, and the sidebar's account section.

With sign-in configured (an ``[auth]`` section in ``.streamlit/secrets.toml``, Streamlit's
``st.login`` with an OpenID Connect provider), a signed-in user's workspace key is the
HMAC of their identity (``latent_core.identity``), keyed by the auth cookie secret, and
the address key is not used. A signed-out visitor sees only the sign-in when
``LATENT_EXPLORER_SIGN_IN_REQUIRED`` is on (the default), else may explore the pretrained
models and is asked to sign in to save. Without sign-in a hosted server keys workspaces
by the random ``?user=`` key in the address, and the sidebar offers a link to the same
view without it. The logic lives in ``latent_core``; this module reads ``st.user`` and
``st.secrets`` and draws.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st

from latent_core import hosting, identity
from ui.shell import t

USER_PARAM = "user"
MODEL_PARAM = "model"
OWN_MODEL_PREFIX = "workspace:"  # ui.models.WORKSPACE_PREFIX: a model of the visitor's own workspace
SHARE_POLL_S = 2.0  # how often an open "Share this view" reads the address again
logger = logging.getLogger(__name__)


def auth_section() -> Mapping | None:
    """The ``[auth]`` section of the secrets, or None when there are no secrets or no section."""
    if not st.secrets.load_if_toml_exists():
        return None
    section = st.secrets.get("auth")
    return section if isinstance(section, Mapping) else None


def sign_in_providers() -> list[str | None] | None:
    """The sign-in providers configured ([None] for the unnamed one), or None without sign-in."""
    return identity.sign_in_providers(auth_section())


def signed_in_key() -> str | None:
    """The signed-in user's workspace key, or None when signed out (or sign-in is off)."""
    auth = auth_section()
    if identity.sign_in_providers(auth) is None or not st.user.get("is_logged_in"):
        return None
    try:
        return identity.claims_key(st.user.to_dict(), auth["cookie_secret"])
    except ValueError:
        logger.warning("The provider's ID token has no issuer or subject: the user is treated as signed out",
                       exc_info=True)
        return None


def address_key() -> str | None:
    """Hosted without sign-in: this user's workspace key, from the address (``?user=``) or new,
    kept in the session and written back to the address on every run; None otherwise."""
    if not hosting.limits_from_env().hosted or sign_in_providers() is not None:
        return None
    key = st.session_state.get("user_key")
    if key is None:
        given = st.query_params.get(USER_PARAM, "")
        key = given if identity.is_address_key(given) else identity.new_address_key()
        st.session_state["user_key"] = key
    if st.query_params.get(USER_PARAM) != key:
        st.query_params[USER_PARAM] = key
    return key


def share_link() -> str | None:
    """This page's address with its settings but without the address key, nor a model of this
    user's own workspace (only the key opens it: the link then shows the page's default model),
    or None when the browser has not told the server its address."""
    url = st.context.url
    if not url:
        return None
    params = {name: value for name, value in st.query_params.to_dict().items()
              if name != USER_PARAM and not (name == MODEL_PARAM and value.startswith(OWN_MODEL_PREFIX))}
    return f"{url}?{urlencode(params, safe=',:')}" if params else url  # commas and colons read as they are


def sign_in_gate() -> bool:
    """False when the page must not run: sign-in is configured and required, and the visitor
    is signed out; the main area and the sidebar then show the sign-in instead."""
    providers = sign_in_providers()
    if providers is None:
        return True
    st.query_params.pop(USER_PARAM, None)  # sign-in replaces the address key: keep it out of links
    if st.user.get("is_logged_in") or not hosting.sign_in_required():
        return True
    st.header(t("account.sign_in_title"))
    st.write(t("account.sign_in_required"))
    _sign_in_buttons(st, providers, key="main")
    _sign_in_buttons(st.sidebar, providers, key="sidebar")
    return False


def sidebar_account() -> None:
    """The account section at the end of the sidebar: who is signed in and Sign out, or the
    sign-in for a signed-out visitor who may explore; without sign-in, hosted, the link to
    share this view without the address key."""
    providers = sign_in_providers()
    if providers is None:
        if address_key() is not None and share_link() is not None:
            with st.sidebar.expander(t("account.share"), icon=":material/share:", key="account.share",
                                     on_change="rerun") as share_box:
                st.caption(t("account.share_help"))
                if share_box.open:  # the page's widgets (fragments too) change the address: follow it while open
                    st.fragment(_share_link_code, run_every=SHARE_POLL_S)()
                else:
                    _share_link_code()
    elif st.user.get("is_logged_in"):
        st.sidebar.caption(t("account.signed_in", name=identity.display_name(st.user.to_dict())))
        st.sidebar.button(t("account.sign_out"), on_click=st.logout, icon=":material/logout:")
    else:
        st.sidebar.caption(t("account.signed_out"))
        _sign_in_buttons(st.sidebar, providers, key="sidebar")


def _share_link_code() -> None:
    link = share_link()
    if link is not None:
        st.code(link, language=None, wrap_lines=True)


def _sign_in_buttons(place, providers: list[str | None], *, key: str) -> None:
    for provider in providers:
        label = t("account.sign_in") if provider is None else t("account.sign_in_with", provider=provider)
        place.button(label, key=f"sign_in_{key}_{provider or ''}", type="primary", icon=":material/login:",
                     on_click=st.login, args=() if provider is None else (provider,))


def refusal_text(error) -> str:
    """Why a model was not saved (a ``workspace.SaveRefused``), in the user's language."""
    return t(f"save.{error.code}", **error.details)
