"""Concepts: live widgets for KL divergence, BCE vs MSE, the VAE reparameterisation trick, and inside a VAE
(ui/vae_views.py), one tab each; only the open tab runs and is drawn (the VAE is loaded for the last two)."""

import logging

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latent_core import concepts, data, keys
from latent_core.images import montage, shown_png, upscale
from ui import models, vae_views
from ui.shell import (active_dataset, active_model, load_registered_dataset, registered_dataset_name, start_page,
                      t)

logger = logging.getLogger(__name__)

start_page()

OUTCOMES = 5
DEFAULT_P = (10, 30, 40, 15, 5)
DEFAULT_Q = (20, 20, 20, 20, 20)
AMOUNTS = np.linspace(0.0, 1.0, 21)
P_COLOUR, Q_COLOUR = "#1f77b4", "#ff7f0e"


@st.cache_data(show_spinner=False, max_entries=32)
def loss_curves(image_key: str, kind: str, _image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BCE and MSE of ever worse versions of one image, for the curve behind the slider."""
    worse = np.stack([concepts.degrade(_image, amount, kind=kind) for amount in AMOUNTS])
    originals = np.repeat(_image[np.newaxis], len(AMOUNTS), axis=0)
    return concepts.bce(originals, np.clip(worse, 0, 1)), concepts.mse(originals, np.clip(worse, 0, 1))


def image_source() -> tuple[str | None, data.Dataset]:
    """The sidebar's dataset when it has images, else the always-available 8×8 digits; with its
    registry name (None for an upload: no library model is for it)."""
    try:
        dataset = active_dataset()
    except data.DatasetUnavailable:
        dataset = None
    if dataset is None or not dataset.is_image:
        return "digits", load_registered_dataset("digits")
    return registered_dataset_name(), dataset


def vae_decoder(dataset_name: str | None, input_shape: tuple[int, ...]):
    """The sidebar's model if it is a VAE that takes ``input_shape``, else a pretrained VAE of the registered
    dataset (2-D first) that does; with its choice (name and version)."""
    try:
        picked = active_model()
    except models.LOAD_ERRORS as error:
        logger.warning("the chosen model did not load; looking for a pretrained VAE instead", exc_info=error)
        picked = None
    if picked is not None and picked[1].model.kind == "vae" and picked[1].model.input_shape == input_shape:
        return picked[1].model, picked[0]
    candidates = sorted(models.pretrained_choices(dataset_name, input_shape, kind="vae"),
                        key=lambda choice: choice.latent_dim != 2)
    for choice in candidates:
        try:
            return models.load_choice(choice.key).model, choice
        except models.LOAD_ERRORS as error:
            logger.warning("the pretrained VAE %s did not load; trying the next", choice.name, exc_info=error)
    return None, None


@st.fragment
def kl_widget() -> None:
    st.write(t("concepts.kl.intro"))
    if st.button(t("concepts.kl.miss"), help=t("concepts.kl.miss_help")):
        for index, weight in enumerate((30, 30, 30, 10, 0)):
            st.session_state[f"concepts.q{index}"] = weight
        for index, weight in enumerate((20, 20, 20, 20, 20)):
            st.session_state[f"concepts.p{index}"] = weight
    for i in range(OUTCOMES):
        st.session_state.setdefault(f"concepts.p{i}", DEFAULT_P[i])
        st.session_state.setdefault(f"concepts.q{i}", DEFAULT_Q[i])
    sliders, results = st.columns(2, gap="large")
    columns = sliders.columns(2)
    p = [columns[0].slider(t("concepts.kl.p_bar", outcome=i + 1), 0, 100, key=f"concepts.p{i}")
         for i in range(OUTCOMES)]
    q = [columns[1].slider(t("concepts.kl.q_bar", outcome=i + 1), 0, 100, key=f"concepts.q{i}")
         for i in range(OUTCOMES)]
    if sum(p) == 0 or sum(q) == 0:
        results.error(t("concepts.kl.all_zero"))
        return
    forward, backward = concepts.kl_divergence(p, q), concepts.kl_divergence(q, p)
    numbers = results.columns(3)
    numbers[0].metric(t("concepts.kl.forward"), f"{forward:.3f}")
    numbers[1].metric(t("concepts.kl.backward"), f"{backward:.3f}")
    numbers[2].metric(t("concepts.kl.gap"), f"{abs(forward - backward):.3f}")
    outcomes = [str(i + 1) for i in range(OUTCOMES)]
    bars = go.Figure([go.Bar(x=outcomes, y=np.array(p) / sum(p), name="P", marker_color=P_COLOUR),
                      go.Bar(x=outcomes, y=np.array(q) / sum(q), name="Q", marker_color=Q_COLOUR)])
    bars.update_layout(barmode="group", height=240, xaxis_title=t("concepts.kl.outcome"),
                       yaxis_title=t("concepts.kl.probability"), margin={"t": 10, "b": 0, "l": 0, "r": 0})
    directions = go.Figure(go.Bar(x=[forward, backward], y=[t("concepts.kl.forward"), t("concepts.kl.backward")],
                                  orientation="h", marker_color=[P_COLOUR, Q_COLOUR]))
    directions.update_layout(height=140, xaxis_title=t("concepts.kl.nats"), margin={"t": 10, "b": 0, "l": 0, "r": 0})
    results.plotly_chart(bars, width="stretch")
    results.plotly_chart(directions, width="stretch")
    st.caption(t("concepts.kl.reading"))


@st.fragment
def loss_widget() -> None:
    st.write(t("concepts.loss.intro"))
    _, dataset = image_source()
    controls = st.columns(3)
    index = controls[0].number_input(t("common.test_image_number"), 0, len(dataset.x_test) - 1, 0, key="concepts.image")
    kind_labels = {kind: t(f"concepts.loss.kind.{kind}") for kind in concepts.DEGRADATIONS}
    kind = controls[1].radio(t("concepts.loss.kind"), list(kind_labels), format_func=kind_labels.get,
                             horizontal=True, key="concepts.kind")
    amount = controls[2].slider(t("concepts.loss.amount"), 0.0, 1.0, 0.3, 0.05, key="concepts.amount")
    image = dataset.x_test[int(index)]
    worse = np.clip(concepts.degrade(image, amount, kind=kind), 0, 1)
    bce_now = float(concepts.bce(image[np.newaxis], worse[np.newaxis])[0])
    mse_now = float(concepts.mse(image[np.newaxis], worse[np.newaxis])[0])
    bce_curve, mse_curve = loss_curves(f"{keys.dataset_key(dataset)}:{int(index)}", kind, image)
    left, right = st.columns([2, 3])
    with left:
        pair = st.columns(2)
        pair[0].image(shown_png(upscale(image, 160)), caption=t("concepts.loss.original"))
        pair[1].image(shown_png(upscale(worse, 160)), caption=t("concepts.loss.degraded", amount=amount))
        numbers = st.columns(2)
        numbers[0].metric("BCE", f"{bce_now:.4f}", help=t("concepts.loss.bce_floor", floor=bce_curve[0]))
        numbers[1].metric("MSE", f"{mse_now:.4f}")
    with right:
        figure = go.Figure([
            go.Scatter(x=AMOUNTS, y=bce_curve, name="BCE", mode="lines"),
            go.Scatter(x=AMOUNTS, y=mse_curve, name="MSE", mode="lines", yaxis="y2"),
            go.Scatter(x=[amount, amount], y=[bce_now, bce_now], mode="markers", marker={"size": 10},
                       showlegend=False),
        ])
        figure.add_vline(x=amount, line_dash="dot")
        figure.update_layout(height=300, xaxis_title=t("concepts.loss.amount"), yaxis_title="BCE",
                             yaxis2={"title": "MSE", "overlaying": "y", "side": "right"},
                             margin={"t": 10, "b": 0, "l": 0, "r": 0}, legend={"orientation": "h", "y": 1.1})
        st.plotly_chart(figure, width="stretch")
    st.caption(t("concepts.loss.reading", floor=bce_curve[0]))


def resample() -> None:
    st.session_state["concepts.seed"] = st.session_state.get("concepts.seed", 0) + 1


@st.fragment
def reparameterisation_widget(model, name: str) -> None:
    st.write(t("concepts.vae.intro"))
    st.caption(t("concepts.vae.decoder", name=name, dims=model.latent_dim))
    shown = min(model.latent_dim, 2)
    if model.latent_dim > 2:
        st.caption(t("concepts.vae.more_dims", dims=model.latent_dim))
    mu, log_var = np.zeros(model.latent_dim), np.zeros(model.latent_dim)
    columns = st.columns(shown + 1)
    for dim in range(shown):
        mu[dim] = columns[dim].slider(t("concepts.vae.mu", dim=dim + 1), -3.0, 3.0, 0.0, 0.1, key=f"concepts.mu{dim}")
        log_var[dim] = columns[dim].slider(t("concepts.vae.log_var", dim=dim + 1), -6.0, 2.0, -2.0, 0.1,
                                           key=f"concepts.log_var{dim}")
    count = columns[-1].slider(t("concepts.vae.count"), 4, 48, 16, 4, key="concepts.count")
    columns[-1].button(t("concepts.vae.resample"), on_click=resample, icon=":material/casino:")
    codes = concepts.reparameterise(mu, log_var, n=count, seed=st.session_state.get("concepts.seed", 0))
    images = np.clip(model.decode(codes), 0.0, 1.0)
    left, right = st.columns(2)
    left.image(shown_png(montage(images, columns=8, cell=56)), caption=t("concepts.vae.samples", count=count),
               output_format="PNG")
    sigma = np.exp(0.5 * log_var[:2])
    angle = np.linspace(0, 2 * np.pi, 100)
    figure = go.Figure([
        go.Scatter(x=codes[:, 0], y=codes[:, 1] if shown > 1 else np.zeros(count), mode="markers",
                   name=t("concepts.vae.z"), marker={"size": 8}),
        go.Scatter(x=mu[:1], y=mu[1:2] if shown > 1 else [0.0], mode="markers", name="μ",
                   marker={"size": 14, "symbol": "x"}),
        go.Scatter(x=mu[0] + 2 * sigma[0] * np.cos(angle),
                   y=(mu[1] + 2 * sigma[1] * np.sin(angle)) if shown > 1 else np.zeros_like(angle),
                   mode="lines", name=t("concepts.vae.two_sigma"), line={"dash": "dot"}),
    ])
    figure.update_layout(height=340, xaxis_title="z₁", yaxis_title="z₂", margin={"t": 10, "b": 0, "l": 0, "r": 0},
                         legend={"orientation": "h", "y": 1.1})
    figure.update_xaxes(range=[-5, 5])
    figure.update_yaxes(range=[-5, 5], scaleanchor="x")
    right.plotly_chart(figure, width="stretch")
    st.caption(t("concepts.vae.reading"))


st.header(t("page.concepts"))
st.write(t("concepts.intro"))
TABS = ("kl", "loss", "vae", "inside")
kl_tab, loss_tab, vae_tab, inside_tab = st.tabs([t(f"concepts.{name}.tab") for name in TABS], key="concepts.tab",
                                                on_change="rerun")  # only the open tab runs and is drawn
if kl_tab.open:
    with kl_tab:
        kl_widget()
if loss_tab.open:
    with loss_tab:
        loss_widget()
if vae_tab.open or inside_tab.open:
    source, dataset = image_source()
    decoder, decoder_choice = vae_decoder(source, dataset.input_shape)
    if vae_tab.open:
        with vae_tab:
            if decoder is None:
                st.info(t("concepts.vae.none", dataset=dataset.name))
            else:
                reparameterisation_widget(decoder, decoder_choice.name)
    if inside_tab.open:
        with inside_tab:
            st.write(t("vae_inside.intro"))
            if decoder is None:
                st.info(t("vae_inside.no_model", dataset=dataset.name))
            else:
                vae_views.chosen_vae(decoder_choice, decoder, dataset)
            vae_views.sweep_view()
