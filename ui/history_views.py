"""The latent space over training: the probe's codes of every recorded epoch as one map with an epoch
scrubber and a Play button, beside the loss curves with the shown epoch marked.

All epochs' layouts are computed once (per model version, or per recorded codes while a run goes
on) and go to the browser as Plotly animation frames, so dragging the slider or playing repaints
in the browser without a server round trip, and points glide from one epoch's place to the next.
The Train page shows it live (``training_history``), the Latent map page afterwards
(``history_section``): PCA at once, t-SNE as a job in the server's queue. There, a control beside the
figure chooses the epoch it opens at (``?epoch=`` in a shared link): a copy of the cached figure with
that epoch's points and slider step, while the scrubber and Play inside it stay in the browser.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from latent_core import history, jobs, keys, maps
from latent_core.history import CodeHistory
from ui import models, queue_views, share
from ui.shell import lang, t

LAYOUT_JOB = "history.layout_job"
EPOCH_KEY = "history.epoch"
EPOCH_PARAM = "epoch"
METHOD_NAMES = {"pca": "PCA", "tsne": "t-SNE"}  # the same in both languages (the help says what each does)
PLAY_FRAME_MS = 700
PLAY_TRANSITION_MS = 450
SUPERSEDED_WAIT_S = 5.0  # a stopped job ends within one epoch's layout; then its owner may queue the next
_MARGIN = 0.08


@st.cache_resource(show_spinner=False)
def layout_cache() -> maps.MapCache:
    """Every model's layouts over training, by (model or codes key, method), shared by every session."""
    return maps.MapCache(capacity=32)


@st.cache_resource(show_spinner=False, max_entries=24)
def stored_history(folder: str, version: str) -> CodeHistory | None:
    """The history saved beside a bundle; ``version`` (the bundle's files) reloads a saved-again one."""
    return history.load_history(folder)


@st.cache_resource(show_spinner=False, max_entries=16)
def _figure(layout_key: tuple, language: str, names: tuple[str, ...], losses: str, _laid_out: np.ndarray,
            _recorded: CodeHistory, _loss_history: dict | None) -> go.Figure:
    return history_figure(_laid_out, _recorded, list(names), _loss_history)


def cached_figure(layout_key: tuple, laid_out: np.ndarray, recorded: CodeHistory, names: list[str],
                  loss_history: dict[str, list[float]] | None) -> go.Figure:
    """:func:`history_figure`, built once (about 0.3 s for 20 epochs) per layouts (``layout_key``: what they
    were made from and how), language, class names and loss curves, shared read-only by every session."""
    return _figure(layout_key, lang(), tuple(names), json.dumps(loss_history, sort_keys=True), laid_out, recorded,
                   loss_history)


@st.cache_resource(show_spinner=False, max_entries=64)
def _figure_at(layout_key: tuple, language: str, names: tuple[str, ...], losses: str, index: int,
               _figure: go.Figure) -> go.Figure:
    return opened_at(_figure, index)


def cached_figure_at(layout_key: tuple, laid_out: np.ndarray, recorded: CodeHistory, names: list[str],
                     loss_history: dict[str, list[float]] | None, epoch: int) -> go.Figure:
    """:func:`cached_figure` opened at the recorded ``epoch``: a copy (about 0.07 s, once per epoch and
    figure) of the cached figure with that epoch's points and slider position, so moving the epoch never
    lays out or builds the frames again."""
    figure = cached_figure(layout_key, laid_out, recorded, names, loss_history)
    index = int(np.flatnonzero(recorded.epochs == epoch)[0])
    if index == len(recorded.epochs) - 1:
        return figure  # the figure opens at the last epoch already
    return _figure_at(layout_key, lang(), tuple(names), json.dumps(loss_history, sort_keys=True), index, figure)


def opened_at(figure: go.Figure, index: int) -> go.Figure:
    """A copy of a :func:`history_figure` that opens at its ``index``-th frame: that frame's points and epoch
    line as the traces first drawn and the slider's ``active`` step there (Play still starts at epoch 0)."""
    opened = go.Figure(figure)
    frame = opened.frames[index]
    with opened.batch_update():
        for trace, moved in zip(frame.traces, frame.data):
            opened.data[trace].update(x=moved.x, y=moved.y)
        opened.layout.sliders[0].active = index
    return opened


def history_figure(laid_out: np.ndarray, recorded: CodeHistory, names: list[str],
                   loss_history: dict[str, list[float]] | None) -> go.Figure:
    """The map of the last epoch and a frame per epoch (slider, Play, Pause), the loss curves beside it
    with a dashed line at the epoch shown."""
    figure = make_subplots(rows=1, cols=2, column_widths=[0.58, 0.42], horizontal_spacing=0.1,
                           subplot_titles=(t("history.map_title"), t("common.loss_per_epoch")))
    groups = _point_groups(recorded.labels, names)
    last = len(recorded.epochs) - 1
    for name, rows, marker in groups:
        figure.add_trace(go.Scatter(x=_rounded(laid_out[last, rows, 0]), y=_rounded(laid_out[last, rows, 1]),
                                    mode="markers", name=name, marker=marker, legendgroup="map",
                                    hovertemplate=f"{name}<extra></extra>" if name else "<extra></extra>"),
                       row=1, col=1)
    curves = _distinct_curves(loss_history or {})
    for name, values in curves.items():
        figure.add_trace(go.Scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines+markers", name=name,
                                    legendgroup="loss", line={"width": 1.5}), row=1, col=2)
    low, high = _loss_range(curves)
    figure.add_trace(go.Scatter(x=[int(recorded.epochs[last])] * 2, y=[low, high], mode="lines", showlegend=False,
                                hoverinfo="skip", line={"dash": "dash", "color": "grey"}), row=1, col=2)
    moving = [*range(len(groups)), len(groups) + len(curves)]  # the map's traces and the epoch line
    figure.frames = [go.Frame(name=str(int(epoch)), traces=moving, data=[
        *[go.Scatter(x=_rounded(laid_out[index, rows, 0]), y=_rounded(laid_out[index, rows, 1]))
          for _, rows, _ in groups],
        go.Scatter(x=[int(epoch)] * 2, y=[low, high])]) for index, epoch in enumerate(recorded.epochs)]
    still = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    figure.update_layout(
        height=480, margin={"t": 40, "b": 10, "l": 0, "r": 0},
        sliders=[{"active": last, "x": 0.12, "len": 0.88, "y": 0, "yanchor": "top", "pad": {"t": 40, "b": 10},
                  "currentvalue": {"prefix": f"{t('common.epoch')}: "},
                  "steps": [{"method": "animate", "label": str(int(epoch)), "args": [[str(int(epoch))], still]}
                            for epoch in recorded.epochs]}],
        updatemenus=[{"type": "buttons", "direction": "left", "showactive": False, "x": 0.1, "y": 0,
                      "xanchor": "right", "yanchor": "top", "pad": {"t": 70, "r": 10}, "buttons": [
                          {"label": t("history.play"), "method": "animate", "args": [None, {
                              "mode": "immediate", "fromcurrent": False,
                              "frame": {"duration": PLAY_FRAME_MS, "redraw": False},
                              "transition": {"duration": PLAY_TRANSITION_MS, "easing": "cubic-in-out"}}]},
                          {"label": t("history.pause"), "method": "animate", "args": [[None], still]}]}])
    reach = float(np.abs(laid_out).max()) * (1 + _MARGIN) or 1.0
    figure.update_xaxes(range=[-reach, reach], showticklabels=False, zeroline=False, row=1, col=1)
    figure.update_yaxes(range=[-reach, reach], showticklabels=False, zeroline=False, scaleanchor="x", row=1, col=1)
    final_epoch = int(recorded.epochs[-1])
    figure.update_xaxes(title_text=t("common.epoch"), range=[-0.5, max(final_epoch, 1) + 0.5], tick0=0,
                        dtick=max(1, final_epoch // 10), row=1, col=2)
    figure.update_yaxes(title_text=t("common.loss"), range=[low, high], row=1, col=2)
    return figure


def _point_groups(labels: np.ndarray | None, names: list[str]) -> list[tuple[str, np.ndarray, dict]]:
    """(name, probe rows, marker) per trace: one per class (named by ``names``, else by its number), else
    one coloured by the labels' values (a continuous quantity) or plain."""
    if labels is None:
        return [("", slice(None), {"size": 6})]
    if history.is_class_labels(labels):
        return [(names[label] if label < len(names) else str(label), np.flatnonzero(labels == label), {"size": 6})
                for label in np.unique(labels.astype(np.int64))]
    return [("", slice(None), {"size": 6, "color": labels.astype(float).tolist(), "colorscale": "Viridis"})]


def _distinct_curves(loss_history: dict[str, list[float]]) -> dict[str, list[float]]:
    """The loss curves, leaving out one equal to a curve already drawn (an autoencoder's
    ``reconstruction_loss`` is its ``loss``)."""
    drawn: dict[str, list[float]] = {}
    for name, values in loss_history.items():
        if values and values not in drawn.values():
            drawn[name] = values
    return drawn


def _loss_range(curves: dict[str, list[float]]) -> tuple[float, float]:
    values = [value for series in curves.values() for value in series]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    pad = (high - low) * _MARGIN or abs(high) * _MARGIN or 1.0
    return low - pad, high + pad


def _rounded(values: np.ndarray) -> list[float]:
    return np.round(values, 4).tolist()


def _explain(recorded: CodeHistory, method: str) -> None:
    st.caption(t("history.explain", count=recorded.codes.shape[1], method=t(f"history.method.{method}")))
    st.caption(t("history.look_for"))


def training_history(recorded: CodeHistory | None, loss_history: dict[str, list[float]], names: list[str]) -> bool:
    """The Train page's view of a run (live, or its last run): PCA layouts of the epochs recorded so
    far, computed once per set of codes. False (nothing drawn) when the run records no codes."""
    if recorded is None or not len(recorded.epochs):
        return False
    st.markdown(f"**{t('history.header')}**")
    key = (keys.array_digest(recorded.codes), "pca")
    laid_out = layout_cache().get_or_compute(key, lambda: history.layouts(recorded, "pca"))
    st.plotly_chart(cached_figure(key, laid_out, recorded, names, loss_history), width="stretch",
                    config={"displaylogo": False})
    _explain(recorded, "pca")
    return True


def history_section(choice: models.ModelChoice, bundle, names: list[str]) -> None:
    """The Latent map page's section: the chosen model's history with a choice of layout, or why it
    has none (a pretrained model shipped without one, an upload or an older model)."""
    st.subheader(t("history.header"))
    recorded = stored_history(str(bundle.path), choice.version)
    if recorded is None:
        share.publish(EPOCH_PARAM, None)  # no epoch to open at: a shared link names none
        st.info(t("history.none_pretrained" if choice.is_pretrained else "history.none_saved"))
        return
    method = st.radio(t("history.method"), history.LAYOUT_METHODS, format_func=METHOD_NAMES.get, horizontal=True,
                      help=t("history.method_help"), key="history.method")
    laid_out = _layouts(choice.cache_key, recorded, method)
    if laid_out is None:
        return
    training = bundle.manifest.get("training") or {}
    _replay((choice.cache_key, method), laid_out, recorded, names, training.get("history"))
    _explain(recorded, method)


@st.fragment
def _replay(layout_key: tuple, laid_out: np.ndarray, recorded: CodeHistory, names: list[str],
            loss_history: dict[str, list[float]] | None) -> None:
    """The epoch the figure opens at (kept in the address as ``?epoch=``) and the figure opened there; a
    fragment, so moving the epoch repaints only this."""
    epochs = [int(epoch) for epoch in recorded.epochs]
    if st.session_state.get(EPOCH_KEY) not in epochs:  # another model's epoch, or none yet
        st.session_state.pop(EPOCH_KEY, None)
    share.seed_listed_int(EPOCH_KEY, EPOCH_PARAM, epochs)
    st.session_state.setdefault(EPOCH_KEY, epochs[-1])
    epoch = st.select_slider(t("history.opens_at"), epochs, key=EPOCH_KEY, help=t("history.opens_at_help"))
    share.publish(EPOCH_PARAM, epoch)
    st.plotly_chart(cached_figure_at(layout_key, laid_out, recorded, names, loss_history, epoch),
                    width="stretch", config={"displaylogo": False}, key="history.chart")


def _layouts(model_key: str, recorded: CodeHistory, method: str) -> np.ndarray | None:
    """The model's layouts by ``method``: from the shared cache, made here (PCA), or this session's
    t-SNE job in the server's queue, watched until it is done (None meanwhile)."""
    key = (model_key, method)
    cache = layout_cache()
    found = cache.get(key)
    if found is not None:
        return found
    if method == "pca":
        return cache.get_or_compute(key, lambda: history.layouts(recorded, "pca"))
    job = st.session_state.get(LAYOUT_JOB)
    if job is not None and st.session_state.get(f"{LAYOUT_JOB}.context") != key:  # another model now
        job.stop()
        job.join(SUPERSEDED_WAIT_S)
        del st.session_state[LAYOUT_JOB]
        job = None
    ended = queue_views.ended_job(
        LAYOUT_JOB, failed_text=lambda snapshot: t("history.failed", error_type=snapshot.error_type),
        retry_label=t("history.retry"), retry_key="history.retry")
    if ended is not None:
        return ended.result  # None while a job that ended without layouts waits for a retry
    epochs = len(recorded.epochs)
    if st.session_state.get(LAYOUT_JOB) is None and queue_views.submit(
            LAYOUT_JOB, lambda **queueing: jobs.HistoryLayoutJob(
                recorded, method=method, name="t-SNE", estimate_s=0.2 * epochs,
                on_ready=lambda laid_out: cache.get_or_compute(key, lambda: laid_out), **queueing),
            context=key) is None:
        return None  # this user has another job in the queue; the page said which
    queue_views.watch(LAYOUT_JOB, lambda progress: t("history.computing", epochs=epochs,
                                                     percent=round(100 * progress.fraction)))
    return None

