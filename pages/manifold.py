"""Manifold lab: the swiss roll in 3-D and its 2-D embeddings by an autoencoder, PCA, t-SNE, Isomap and LLE.

The roll opens as a still picture from the side the 3-D view starts at, which the browser draws at once;
"Turn it in 3-D" swaps in the 3-D scene.

The embeddings at the first settings, and the pretrained autoencoder's codes, ship precomputed
(``pretrained/embeddings``); other settings are computed on demand, with their progress shown, and kept
for every session. The autoencoders trained here are jobs in the server's shared queue, watched while
they wait and train; the session keeps them once they are done.
"""

import logging

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latent_core import data, keys, manifold, maps, pretrained
from ui import models, queue_views
from ui.shell import load_registered_dataset, start_page, t

start_page()

logger = logging.getLogger(__name__)
AE_EPOCHS = 40
LINEAR_EPOCHS = 40
ROLL_HEIGHT = 460


@st.cache_resource(show_spinner=False)
def computed_embeddings() -> maps.MapCache:
    """Embeddings computed on demand, by roll content and settings, shared by every session."""
    return maps.MapCache(capacity=32)


@st.cache_resource(show_spinner=False, max_entries=2)
def shipped_embeddings(dataset_key: str) -> dict[str, np.ndarray]:
    """The precomputed embeddings of the roll, when it is the roll they were made of."""
    return pretrained.load_embeddings("swiss_roll", dataset_key)


def embedding(dataset_key: str, method: str, points: int, neighbours: int, cell, title: str) -> np.ndarray:
    """2-D coordinates of the first ``points`` roll points by ``method``: shipped, computed already, or
    computed now with a progress bar (named ``title``) in ``cell``."""
    settings = manifold.embedding_key(method, points=points, n_neighbors=neighbours, seed=manifold.DEFAULT_SEED)
    found = shipped_embeddings(dataset_key).get(settings)
    if found is None:
        found = computed_embeddings().get((dataset_key, settings))
    if found is not None:
        return found
    computing = t("manifold.computing", method=title)
    bar = cell.progress(0.0, text=computing)
    found = computed_embeddings().get_or_compute((dataset_key, settings), lambda: manifold.embed(
        roll().x_train[:points], method, n_neighbors=neighbours, seed=manifold.DEFAULT_SEED,
        progress=lambda fraction, _message: bar.progress(fraction, text=computing)))
    bar.empty()
    return found


def roll() -> data.Dataset:
    return load_registered_dataset("swiss_roll")


@st.cache_resource(show_spinner=False, max_entries=4)
def model_digest(name: str, version: str) -> str:
    """The content hash of pretrained model ``name`` at ``version`` (its files' stamp), read once."""
    return pretrained.model_digest(name)


def pretrained_codes(dataset_key: str, choice: models.ModelChoice, points: int) -> np.ndarray:
    """The pretrained roll autoencoder's codes of the first ``points`` points: shipped beside the
    embeddings when made with this very model file, so the first view loads no model; else encoded now."""
    shipped = shipped_embeddings(dataset_key).get(
        manifold.autoencoder_key(model_digest(choice.name, choice.version), points=points))
    if shipped is not None:
        return shipped
    return models.load_choice(choice.key).model.encode(roll().x_train[:points])


def pretrained_roll_autoencoder() -> models.ModelChoice | None:
    """The library's autoencoder of the roll with a 2-D code, if it has one."""
    return next((choice for choice in models.pretrained_choices("swiss_roll", roll().input_shape,
                                                                kind="dense_ae")
                 if choice.latent_dim == 2), None)


def scatter(coordinates: np.ndarray, position: np.ndarray, title: str, *, height: int = 300) -> go.Figure:
    figure = go.Figure(go.Scattergl(x=coordinates[:, 0], y=coordinates[:, 1], mode="markers",
                                    marker={"size": 4, "color": position, "colorscale": "Viridis"}))
    figure.update_layout(title=title, height=height, margin={"t": 40, "b": 0, "l": 0, "r": 0}, showlegend=False)
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False)
    return figure


def roll_in_3d(points: np.ndarray, position: np.ndarray) -> go.Figure:
    """The roll as a 3-D scene to drag and turn (the browser takes about a second more to draw it)."""
    figure = go.Figure(go.Scatter3d(x=points[:, 0], y=points[:, 1], z=points[:, 2], mode="markers",
                                    marker={"size": 2.5, "color": position, "colorscale": "Viridis",
                                            "colorbar": {"title": t("manifold.position")}}))
    figure.update_layout(height=ROLL_HEIGHT, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                         scene_camera={"eye": dict(zip("xyz", manifold.SIDE_VIEW_EYE))})
    return figure


def roll_from_one_side(points: np.ndarray, position: np.ndarray) -> go.Figure:
    """The roll as the 3-D scene first shows it (``manifold.SIDE_VIEW_EYE``), drawn as a still 2-D picture
    with near points over far ones."""
    view = manifold.side_view(points)
    figure = go.Figure(go.Scatter(x=view.xy[view.order, 0], y=view.xy[view.order, 1], mode="markers",
                                  hoverinfo="skip",
                                  marker={"size": 4, "color": position[view.order], "colorscale": "Viridis",
                                          "colorbar": {"title": t("manifold.position")}}))
    figure.update_layout(height=ROLL_HEIGHT, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False)
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x")
    return figure


def train_here(kind: str, epochs: int, state_key: str) -> None:
    """Queue a roll autoencoder; the session keeps it under ``state_key`` once it is done."""
    job = queue_views.submit(f"{state_key}.job", lambda **queueing: manifold.point_autoencoder_job(
        roll().x_train, kind=kind, epochs=epochs, learning_rate=3e-2 if kind == "linear_ae" else 1e-2,
        batch_size=256 if kind == "linear_ae" else 128, name=t(f"kind.{kind}"), **queueing))
    if job is not None:  # else the page says which job of this user is queued already
        st.rerun()


def trained_here(kind: str, epochs: int, state_key: str, texts: tuple[str, str], **button) -> object | None:
    """The session's autoencoder under ``state_key`` (None until one is trained); while one trains,
    its place in the queue or its progress instead of the button that trains it (``texts``: its
    label before and after a first training)."""
    finished = queue_views.take_finished(f"{state_key}.job")
    if finished is not None and finished[0].saved is not None:
        st.session_state[state_key] = finished[0].saved
    fitted = st.session_state.get(state_key)
    if queue_views.active(f"{state_key}.job") is not None:
        st.caption(t("manifold.training", epochs=epochs))
        queue_views.watch(f"{state_key}.job")
    elif st.button(t(texts[fitted is not None], epochs=epochs), icon=":material/play_arrow:",
                   key=f"{state_key}.train", **button):
        train_here(kind, epochs, state_key)
    return fitted


st.header(t("page.manifold"))
st.write(t("manifold.intro"))

dataset = roll()
points = st.session_state.setdefault("manifold.points", manifold.DEFAULT_POINTS)
position = dataset.y_train[:points]

turned = st.toggle(t("manifold.turn_3d"), key="manifold.roll_3d", help=t("manifold.turn_3d_help"))
st.plotly_chart(roll_in_3d(dataset.x_train[:points], position) if turned
                else roll_from_one_side(dataset.x_train[:points], position), width="stretch", key="manifold.roll")
st.caption(t("manifold.roll_caption" if turned else "manifold.roll_caption_still", points=points))

st.subheader(t("manifold.embeddings"))
controls = st.columns([2, 2, 3])
controls[0].select_slider(t("manifold.points"), [500, manifold.DEFAULT_POINTS, 1500], key="manifold.points")
neighbours = controls[1].slider(t("manifold.neighbours"), 5, 30, manifold.DEFAULT_NEIGHBOURS, key="manifold.neighbours",
                                help=t("manifold.neighbours_help"))
ae_sources = {"pretrained": t("manifold.ae.pretrained"), "here": t("manifold.ae.here")}
roll_autoencoder = pretrained_roll_autoencoder()
ae_source = controls[2].radio(t("manifold.ae"), list(ae_sources) if roll_autoencoder else ["here"],
                              format_func=ae_sources.get, horizontal=True, key="manifold.ae_source",
                              help=t("manifold.ae_help"))

ae_codes, ae_title = None, t("manifold.ae")
if ae_source == "pretrained":
    try:
        ae_codes = pretrained_codes(keys.dataset_key(dataset), roll_autoencoder, points)
        ae_title = t("manifold.ae_title_pretrained")
    except models.LOAD_ERRORS as error:
        logger.warning("the pretrained roll autoencoder %s did not load", roll_autoencoder.name, exc_info=error)
        st.error(t("manifold.load_failed", error=error))
else:
    fitted = trained_here("dense_ae", AE_EPOCHS, "manifold.ae", ("manifold.train_ae", "manifold.retrain_ae"))
    if fitted is not None:
        ae_codes = fitted.encode(dataset.x_train[:points])
        ae_title = t("manifold.ae_title_here", seconds=f"{fitted.result.seconds:.0f}")

titles = {"pca": t("manifold.pca"), "tsne": t("manifold.tsne"), "isomap": t("manifold.isomap"),
          "lle": t("manifold.lle")}
cells = st.columns(3) + st.columns(3)
if ae_codes is not None:
    cells[0].plotly_chart(scatter(ae_codes, position, ae_title), width="stretch", key="manifold.plot.ae")
else:
    cells[0].info(t("manifold.ae_missing"))
layouts = {}
for cell, method in zip(cells[1:], manifold.EMBEDDINGS):
    layouts[method] = embedding(keys.dataset_key(dataset), method, points, neighbours, cell, titles[method])
    cell.plotly_chart(scatter(layouts[method], position, titles[method]), width="stretch",
                      key=f"manifold.plot.{method}")
cells[5].markdown(t("manifold.reading"))
shown = ({ae_title: ae_codes} if ae_codes is not None else {}) | {titles[m]: layouts[m] for m in layouts}
cells[5].caption(t("manifold.orders", orders=" · ".join(f"{name} {manifold.roll_order(codes, position):.2f}"
                                                         for name, codes in shown.items())))

st.subheader(t("manifold.linear_header"))
st.write(t("manifold.linear_intro"))
linear = trained_here("linear_ae", LINEAR_EPOCHS, "manifold.linear",
                      ("manifold.train_linear", "manifold.retrain_linear"),
                      type="primary" if st.session_state.get("manifold.linear") is None else "secondary")
if linear is not None:
    comparison = manifold.compare_with_pca(linear, dataset.x_train)
    numbers = st.columns(3)
    numbers[0].metric(t("manifold.linear_mse"), f"{comparison.autoencoder_mse:.3f}")
    numbers[1].metric(t("manifold.pca_mse"), f"{comparison.pca_mse:.3f}")
    numbers[2].metric(t("manifold.angles"), " · ".join(f"{angle:.2f}°" for angle in comparison.angles_degrees),
                      help=t("manifold.angles_help"))
    verdict = "manifold.same_subspace" if comparison.largest_angle < 5 else "manifold.not_yet"
    (st.success if comparison.largest_angle < 5 else st.warning)(t(verdict, angle=comparison.largest_angle))
    pair = st.columns(2)
    pair[0].plotly_chart(scatter(linear.encode(dataset.x_train[:points]), position, t("manifold.linear_codes")),
                         width="stretch", key="manifold.plot.linear")
    pair[1].plotly_chart(scatter(layouts["pca"], position, t("manifold.pca")), width="stretch",
                         key="manifold.plot.linear_pca")
    st.caption(t("manifold.linear_caption"))
