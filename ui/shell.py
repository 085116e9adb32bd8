"""The app shell: page registry, language switch, dataset picker and shared caches.

``app.py`` calls :func:`run`; pages call :func:`t` for text and :func:`active_dataset`
for the dataset chosen in the sidebar. Adding a page is one file in ``pages/`` and one
``PageSpec`` in :data:`PAGES`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from latent_core import data
from ui.text import LANGUAGES, translate

USER_PREFIX = "user:"


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its script, the text key of its title and its icon."""

    path: str
    title_key: str
    icon: str


PAGES: list[PageSpec] = [
    PageSpec("pages/data.py", "page.data", ":material/photo_library:"),
]


def lang() -> str:
    """The language the user chose: "en" or "ko"."""
    return st.session_state.get("lang", "en")


def t(key: str, **values: object) -> str:
    """UI text for ``key`` in the current language."""
    return translate(key, lang(), **values)


@st.cache_resource(show_spinner=False, max_entries=6)
def load_registered_dataset(name: str) -> data.Dataset:
    """A registered dataset, loaded once per server and shared by every session (read-only arrays)."""
    return data.load_dataset(name)


def user_datasets() -> dict[str, data.Dataset]:
    """Datasets this session uploaded, by name."""
    return st.session_state.setdefault("user_datasets", {})


def add_user_dataset(dataset: data.Dataset) -> None:
    """Keep an uploaded dataset in the session and select it in the sidebar."""
    user_datasets()[dataset.name] = dataset
    st.session_state["dataset"] = USER_PREFIX + dataset.name


def dataset_title(choice: str) -> str:
    if choice.startswith(USER_PREFIX):
        return t("sidebar.uploaded", name=choice.removeprefix(USER_PREFIX))
    info = data.DATASETS[choice]
    return info.title_ko if lang() == "ko" else info.title_en


def selected_dataset_name() -> str:
    """The sidebar's choice: a registry name, or ``user:NAME`` for an upload."""
    return st.session_state.get("dataset", "fashion_mnist")


def active_dataset() -> data.Dataset:
    """The dataset picked in the sidebar; raises ``data.DatasetUnavailable`` when it cannot load."""
    choice = selected_dataset_name()
    if choice.startswith(USER_PREFIX):
        return user_datasets()[choice.removeprefix(USER_PREFIX)]
    return load_registered_dataset(choice)


def _sidebar_choice(widget, label: str, options: list[str], *, state_key: str, default: str,
                    **widget_options) -> None:
    """A sidebar widget whose choice lives in ``st.session_state[state_key]``.

    The widget has its own key and copies its value into ``state_key`` when the user
    changes it, so the choice survives page switches and runs where the widget's own
    state is dropped, and code may change the choice before the widget is drawn.
    """
    if st.session_state.get(state_key) not in options:
        st.session_state[state_key] = default
    widget_key = f"{state_key}_widget"
    st.session_state[widget_key] = st.session_state[state_key]
    widget(label, options, key=widget_key,
           on_change=lambda: st.session_state.update({state_key: st.session_state[widget_key]}),
           **widget_options)


def _dataset_picker() -> None:
    options = list(data.DATASETS) + [USER_PREFIX + name for name in user_datasets()]
    _sidebar_choice(st.sidebar.selectbox, t("sidebar.dataset"), options, state_key="dataset",
                    default="fashion_mnist", format_func=dataset_title)


def run() -> None:
    """Draw the shared sidebar and run the page the user is on."""
    st.set_page_config(page_title="Latent Explorer", page_icon=":material/blur_on:", layout="wide")
    if "lang" not in st.session_state:
        st.session_state["lang"] = st.query_params.get("lang", "en")
    navigation = st.navigation([st.Page(spec.path, title=t(spec.title_key), icon=spec.icon) for spec in PAGES])
    st.sidebar.title(t("app.title"))
    st.sidebar.caption(t("app.tagline"))
    _sidebar_choice(st.sidebar.radio, t("sidebar.language"), list(LANGUAGES), state_key="lang",
                    default="en", format_func=LANGUAGES.__getitem__, horizontal=True)
    st.query_params["lang"] = lang()
    _dataset_picker()
    navigation.run()
