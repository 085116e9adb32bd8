"""A view in the page address: widget values <-> query parameters, so a link shows "this exact picture".

Before a widget is drawn, ``seed_*`` gives it the address's value when the session has none
for it yet (a shared link opened, a reload); values ``latent_core.view_params`` refuses are
ignored and the widget keeps its default. After it is drawn, :func:`publish` writes its
value back, so the address always holds the view (in a fragment too). The address's user
key (``ui.account.USER_PARAM``) is never written here; the sidebar's share link drops it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from latent_core import view_params

logger = logging.getLogger(__name__)


def _address_value(state_key: str, param: str) -> str | None:
    """The address's text for ``param`` when the widget ``state_key`` has no value yet, else None."""
    if state_key in st.session_state:
        return None
    return st.query_params.get(param)


def _ignored(param: str, text: str) -> None:
    logger.info("the address's %s=%r is not a value this view takes; its default is used", param, text)


def seed_choice(state_key: str, param: str, options: Sequence) -> None:
    """Preset a choice widget from ``?param=`` (an option written as ``str(option)``)."""
    text = _address_value(state_key, param)
    if text is None:
        return
    by_text = {str(option): option for option in options}
    chosen = view_params.parse_choice(text, list(by_text))
    if chosen is None:
        _ignored(param, text)
    else:
        st.session_state[state_key] = by_text[chosen]


def seed_int(state_key: str, param: str, low: int, high: int) -> None:
    """Preset a whole-number slider from ``?param=``."""
    text = _address_value(state_key, param)
    if text is None:
        return
    value = view_params.parse_int(text, low, high)
    if value is None:
        _ignored(param, text)
    else:
        st.session_state[state_key] = value


def seed_listed_int(state_key: str, param: str, allowed: Sequence[int]) -> None:
    """Preset a widget whose options are whole numbers (the recorded epochs) from ``?param=``."""
    text = _address_value(state_key, param)
    if text is None:
        return
    value = view_params.parse_listed_int(text, allowed)
    if value is None:
        _ignored(param, text)
    else:
        st.session_state[state_key] = value


def seed_numbers(state_keys: Sequence[str], param: str, low: float, high: float, step: float) -> None:
    """Preset a row of sliders from ``?param=v1,v2,…`` (one value per slider, or none is set)."""
    if not state_keys or any(key in st.session_state for key in state_keys):
        return
    text = st.query_params.get(param)
    if text is None:
        return
    values = view_params.parse_numbers(text, len(state_keys), low, high, step)
    if values is None:
        _ignored(param, text)
        return
    for key, value in zip(state_keys, values):
        st.session_state[key] = value


def redraw_if_changed(state_key: str, drawn_for: object) -> None:
    """In a fragment that depends on the page's widget ``state_key``: rerun the whole page when the session
    holds a value other than ``drawn_for`` (the value the page had when it last called the fragment).
    A fragment reruns with the arguments of the page's last call, so a slider moved a moment after a new
    class was chosen, before the page's run for it reached the fragment, would draw the old class beside
    the new choice, and the address would keep the old one."""
    if state_key in st.session_state and st.session_state[state_key] != drawn_for:
        st.rerun()


def publish(param: str, value: object | None) -> None:
    """Write a widget's value into the address (``str(value)``), or take ``param`` out for None."""
    if value is None:
        st.query_params.pop(param, None)
    elif st.query_params.get(param) != str(value):
        st.query_params[param] = str(value)


def publish_numbers(param: str, values: Sequence[float], step: float) -> None:
    """Write a row of slider values into the address, or take ``param`` out when there are none."""
    publish(param, view_params.format_numbers(values, step) if len(values) else None)
