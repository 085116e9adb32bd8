"""The app shell: page registry, language switch, dataset picker and shared caches.

``app.py`` calls :func:`run`; pages call :func:`start_page` first, then :func:`t` for
text, and get the sidebar's choices through ``ui.guard`` (which calls
:func:`active_dataset` / :func:`active_model` and says why a page cannot run). Adding a
page is one file in ``pages/`` and one ``PageSpec`` in a section of :data:`PAGES`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from latent_core import data, hosting
from ui import runtime, warmup
from ui.text import LANGUAGES, translate

if TYPE_CHECKING:
    from latent_core import store
    from ui import models

ICON = Path(__file__).with_name("icon.png")  # a file, so no page load fetches an icon from the internet

USER_PREFIX = "user:"


def start_page() -> None:
    """First call of every page: make sure the page runs inside the app shell.

    Until ``st.navigation`` has run once in the server process (and in every run of
    Streamlit's ``AppTest``), Streamlit treats the ``pages/`` folder the legacy way: a
    link such as ``/train?lang=ko`` runs ``pages/train.py`` alone, without the shell's
    sidebar, language or page titles. In that case run the shell here, which routes to
    this same page, and end the legacy run. No rerun is involved, so a click that caused
    this run still reaches the page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        run()
        st.stop()


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its script, the text key of its title and its icon. A page that
    ``needs_models`` (every page but the Data page) waits for TensorFlow; the others draw
    while it is still importing, the sidebar's model picker following once it is."""

    path: str
    title_key: str
    icon: str
    needs_models: bool = True


PAGES: dict[str, list[PageSpec]] = {
    "section.models": [
        PageSpec("pages/data.py", "page.data", ":material/photo_library:", needs_models=False),
        PageSpec("pages/library.py", "page.library", ":material/deployed_code:"),
        PageSpec("pages/train.py", "page.train", ":material/model_training:"),
    ],
    "section.explore": [
        PageSpec("pages/reconstruct.py", "page.reconstruct", ":material/compress:"),
        PageSpec("pages/denoise.py", "page.denoise", ":material/auto_fix_high:"),
        PageSpec("pages/latent_map.py", "page.latent_map", ":material/scatter_plot:"),
        PageSpec("pages/generate.py", "page.generate", ":material/auto_awesome:"),
        PageSpec("pages/anomaly.py", "page.anomaly", ":material/crisis_alert:"),
    ],
    "section.learn": [
        PageSpec("pages/manifold.py", "page.manifold", ":material/cyclone:"),
        PageSpec("pages/concepts.py", "page.concepts", ":material/school:"),
    ],
}


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


def dataset_title(choice: str, language: str | None = None) -> str:
    """A dataset's name for people, in ``language`` (default: the current one)."""
    language = language or lang()
    if choice.startswith(USER_PREFIX):
        return translate("sidebar.uploaded", language, name=choice.removeprefix(USER_PREFIX))
    info = data.DATASETS[choice]
    return info.title_ko if language == "ko" else info.title_en


def selected_dataset_name() -> str:
    """The sidebar's choice: a registry name, or ``user:NAME`` for an upload."""
    return st.session_state.get("dataset", warmup.DEFAULT_DATASET)


def uploaded_dataset_chosen() -> bool:
    """True when the sidebar's dataset is one this session uploaded (no pretrained model is for it)."""
    return selected_dataset_name().startswith(USER_PREFIX)


def registered_dataset_name() -> str | None:
    """The sidebar's dataset as a registry name, the one library models and classifiers are for;
    None for an upload, even one named like a registered dataset."""
    return None if uploaded_dataset_chosen() else selected_dataset_name()


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
    from ui import share

    options = list(data.DATASETS) + [USER_PREFIX + name for name in user_datasets()]
    share.seed_choice("dataset", "dataset", list(data.DATASETS))
    _sidebar_choice(st.sidebar.selectbox, t("sidebar.dataset"), options, state_key="dataset",
                    default=warmup.DEFAULT_DATASET, format_func=functools.partial(dataset_title, language=lang()))
    share.publish("dataset", registered_dataset_name())  # an upload is this session's alone: not in links


def _model_picker() -> None:
    from ui import models  # TensorFlow loads here, after the navigation is drawn

    try:
        dataset = active_dataset()
    except data.DatasetUnavailable:
        return
    choices = {choice.key: choice
               for choice in models.choices_for(registered_dataset_name(), dataset.input_shape)}
    from ui import share

    if not choices:
        share.publish("model", None)
        st.sidebar.caption(t("sidebar.no_models"))
        return
    share.seed_choice("model", "model", list(choices))
    _sidebar_choice(st.sidebar.selectbox, t("sidebar.model"), list(choices), state_key="model",
                    default=next(iter(choices)),
                    format_func=lambda key, language=lang(): model_label(choices[key], language))
    share.publish("model", st.session_state["model"])


def model_label(choice: models.ModelChoice, language: str | None = None) -> str:
    """How a model is named in pickers: its name, kind and latent size (or that it has no latent
    code); yours are marked."""
    from latent_core.models import kind_has_latent

    language = language or lang()
    label = translate("model.label" if kind_has_latent(choice.kind) else "model.label_no_code", language,
                      name=choice.name, kind=translate(f"kind.{choice.kind}", language), dims=choice.latent_dim)
    if choice.is_pretrained:
        return label
    if choice.epochs_completed is not None and (choice.unfinished or choice.stop_reason in ("failed", "diverged")):
        note = "model.unfinished" if choice.unfinished else "model.ended_early"
        label = translate(note, language, label=label, done=choice.epochs_completed, epochs=choice.epochs)
    return translate("model.yours", language, label=label)


def active_model() -> tuple[models.ModelChoice, store.Bundle] | None:
    """The model picked in the sidebar for the current dataset, loaded; None when there is none."""
    from ui import models  # TensorFlow loads here, after the navigation is drawn

    try:
        dataset = active_dataset()
    except data.DatasetUnavailable:
        return None
    choices = {choice.key: choice
               for choice in models.choices_for(registered_dataset_name(), dataset.input_shape)}
    key = st.session_state.get("model")
    if key not in choices:
        return None
    return choices[key], models.load_choice(key)


def select_model(key: str) -> None:
    """Make ``key`` the sidebar's model choice (for example a model just trained or uploaded)."""
    st.session_state["model"] = key


def _adopt_trained_model() -> None:
    """Once a background training run has saved its model, select it (on whatever page).
    A session without a run takes over this user's run that is still going, if any."""
    from latent_core.jobs import active_job
    from ui import models  # TensorFlow loads here, after the navigation is drawn

    owner = str(models.workspace().root)  # hosted without sign-in, this also keeps ?user= in the address
    job = st.session_state.get("training_job")
    if job is None:  # a new session (the tab was closed, the page reloaded): find this user's run
        job = active_job(owner=owner)
        if job is None:
            return
        st.session_state.update(training_job=job, training_job_name=job.name, training_job_adopted=False)
    if st.session_state.get("training_job_adopted"):
        return
    snapshot = job.snapshot()
    if snapshot.finished:
        st.session_state["training_job_adopted"] = True
        if snapshot.saved is not None:
            select_model(models.workspace_key(snapshot.saved.id))


def _queue_status() -> None:
    """This session's jobs waiting in the server's queue, in the sidebar of every page."""
    from ui import queue_views

    queue_views.sidebar_status()


def _hosting_notice() -> None:
    """Say in the sidebar when this server limits what a session may spend (hosted for a class)."""
    limits = hosting.limits_from_env()
    if limits.applies:
        st.sidebar.caption(t("sidebar.hosted" if limits.hosted else "sidebar.limited"),
                           help=t("sidebar.hosted_help") if limits.hosted else None)


MODELS_POLL_S = 1.0  # how often a page drawn without TensorFlow looks whether it has been imported


def _await_models_in_sidebar() -> None:
    """In the sidebar of a page drawn while TensorFlow is still importing: say that the models are
    loading, have them imported in the background (by the warm-up once this page is drawn, or else by
    a thread of the runtime's at once, also when a warm-up ends without having imported them), and once
    they are, run the app again so that the model picker appears."""

    @st.fragment(run_every=MODELS_POLL_S)
    def models_loading() -> None:
        if runtime.model_layer_imported():
            st.rerun(scope="app")
        if not warmup.will_import_libraries():  # no warm-up under way (any more) to import them
            runtime.prepare_process_in_background()
        st.caption(t("sidebar.models_loading"))

    with st.sidebar:
        models_loading()


def _import_models() -> None:
    """Import the model library (TensorFlow and Keras with it), with a spinner saying so while it
    is still importing, then let the run freeze the libraries' objects (``runtime.prepare_run``)."""
    if not runtime.model_layer_imported():
        with st.spinner(t("sidebar.models_loading")):
            runtime.import_model_layer()  # TensorFlow loads here, once per process, one thread at a time
    runtime.prepare_run()


def run() -> None:
    """Draw the shared sidebar and run the page the user is on."""
    warmup.run_began()
    warmup.start()  # once per process, unless the server did: the default dataset and model get ready
    runtime.prepare_run()
    st.set_page_config(page_title="Latent Explorer", page_icon=str(ICON), layout="wide")
    if "lang" not in st.session_state:
        st.session_state["lang"] = st.query_params.get("lang", "en")
    specs_of: dict[object, PageSpec] = {}
    sections: dict[str, list] = {}
    for section, specs in PAGES.items():
        for spec in specs:
            page = st.Page(spec.path, title=t(spec.title_key), icon=spec.icon)
            specs_of[page] = spec
            sections.setdefault(t(section), []).append(page)
    navigation = st.navigation(sections)
    st.sidebar.title(t("app.title"))
    st.sidebar.caption(t("app.tagline"))
    _sidebar_choice(st.sidebar.radio, t("sidebar.language"), list(LANGUAGES), state_key="lang",
                    default="en", format_func=LANGUAGES.__getitem__, horizontal=True)
    st.query_params["lang"] = lang()
    _hosting_notice()
    from ui import account  # it uses t() of this module

    if not account.sign_in_gate():  # sign-in required: the main area shows the sign-in instead
        return
    _dataset_picker()
    if specs_of[navigation].needs_models or runtime.model_layer_imported():
        _import_models()
        _adopt_trained_model()
        _queue_status()
        _model_picker()
        account.sidebar_account()
        from ui import models

        models.sweep_unused_workspaces()
    else:  # no training can be running in a process without TensorFlow: nothing to adopt or queue yet
        _await_models_in_sidebar()
        account.sidebar_account()
    try:
        navigation.run()
    finally:  # st.stop() and st.rerun() end a run by raising
        warmup.first_page_drawn()

