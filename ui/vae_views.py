"""Inside a VAE (the Concepts page): KL per latent dimension and active units of a chosen VAE, its
aggregate posterior beside the prior for a 2-D latent, and the β sweep shipped for the 8×8 digits.

A VAE is measured once per model version and dataset content (``ModelChoice.cache_key``,
``keys.dataset_key``) on up to ``vae_internals.MAX_INSPECTED`` test images; the sweep is read once
per version of its file (``pretrained/beta_sweep/digits.json``, ``scripts/build_beta_sweep.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latent_core import data, keys, vae_internals
from ui import models
from ui.shell import lang, t

logger = logging.getLogger(__name__)
ACTIVE_COLOUR, COLLAPSED_COLOUR, PRIOR_COLOUR = "#1f77b4", "#bbbbbb", "#7f7f7f"
KL_FLOOR = 1e-4  # nats: the log axis' bottom, so a collapsed dimension still shows as a stub
POSTERIOR_POINTS = 2000


@st.cache_resource(show_spinner=False, max_entries=8)
def vae_report(model_key: str, dataset_key: str, _model, _dataset: data.Dataset) -> vae_internals.VaeReport:
    """The chosen VAE measured on the dataset's test images, once per model version and dataset content."""
    return vae_internals.inspect_vae(_model, _dataset.x_test)


@st.cache_resource(show_spinner=False, max_entries=2)
def beta_sweep(path: str, version: str) -> vae_internals.BetaSweep | None:
    """The shipped β sweep; ``version`` (the file's stamp) reloads a rebuilt one."""
    return vae_internals.read_beta_sweep(path)


def kl_figure(kl_per_dim: np.ndarray) -> go.Figure:
    """One bar per latent dimension (log scale), active ones coloured, with the threshold line."""
    threshold = vae_internals.ACTIVE_THRESHOLD_NATS
    figure = go.Figure(go.Bar(x=[str(index + 1) for index in range(len(kl_per_dim))],
                              y=np.maximum(kl_per_dim, KL_FLOOR),
                              marker_color=[ACTIVE_COLOUR if kl > threshold else COLLAPSED_COLOUR
                                            for kl in kl_per_dim]))
    figure.add_hline(y=threshold, line_dash="dash", annotation_text=t("vae_inside.threshold", nats=threshold))
    figure.update_layout(height=280, xaxis_title=t("vae_inside.dimension"), yaxis_title=t("vae_inside.kl_nats"),
                         xaxis_type="category", yaxis_type="log", margin={"t": 10, "b": 0, "l": 0, "r": 0})
    return figure


def cloud_figure(codes: np.ndarray, *, colours=None, names: list[str] | None = None, limit: float) -> go.Figure:
    """A 2-D cloud of codes (coloured by class when ``colours`` are labels) with the prior's 1σ and 2σ circles."""
    angle = np.linspace(0, 2 * np.pi, 120)
    traces = []
    if colours is None:
        traces.append(go.Scatter(x=codes[:, 0], y=codes[:, 1], mode="markers", showlegend=False,
                                 marker={"size": 4, "color": PRIOR_COLOUR, "opacity": 0.5}))
    else:
        for label in np.unique(colours):
            chosen = colours == label
            traces.append(go.Scatter(x=codes[chosen, 0], y=codes[chosen, 1], mode="markers",
                                     name=names[int(label)] if names else str(label),
                                     marker={"size": 4, "opacity": 0.6}))
    for radius in (1, 2):
        traces.append(go.Scatter(x=radius * np.cos(angle), y=radius * np.sin(angle), mode="lines", showlegend=False,
                                 hoverinfo="skip", line={"color": "black", "dash": "dot", "width": 1}))
    figure = go.Figure(traces)
    figure.update_layout(height=380, xaxis_title="z₁", yaxis_title="z₂", margin={"t": 10, "b": 0, "l": 0, "r": 0},
                         legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"})
    figure.update_xaxes(range=[-limit, limit])
    figure.update_yaxes(range=[-limit, limit])  # both clouds on the same fixed axes
    return figure


def posterior_beside_prior(report: vae_internals.VaeReport, labels: np.ndarray, names: list[str]) -> None:
    """For a 2-D latent: prior samples and aggregate posterior samples on the same axes."""
    shown = min(len(report.mean), POSTERIOR_POINTS)
    posterior = vae_internals.posterior_samples(report.mean[:shown], report.log_var[:shown], seed=0)
    prior = np.random.default_rng(1).standard_normal((shown, 2))
    limit = float(max(3.5, np.percentile(np.abs(posterior), 99.5) * 1.1))
    st.markdown(f"**{t('vae_inside.posterior_header')}**")
    left, right = st.columns(2)
    left.plotly_chart(cloud_figure(prior, limit=limit), width="stretch", key="vae_inside.prior")
    left.caption(t("vae_inside.prior_caption", count=f"{shown:,}"))
    right.plotly_chart(cloud_figure(posterior, colours=labels[:shown], names=names, limit=limit), width="stretch",
                       key="vae_inside.posterior")
    right.caption(t("vae_inside.posterior_caption", count=f"{shown:,}"))
    centre, covariance = vae_internals.aggregate_moments(report.mean, report.log_var)
    st.caption(t("vae_inside.moments", mean=", ".join(f"{value:.2f}" for value in centre),
                 variances=", ".join(f"{value:.2f}" for value in np.diag(covariance))))
    st.caption(t("vae_inside.posterior_reading"))


def chosen_vae(choice: models.ModelChoice, model, dataset: data.Dataset) -> None:
    """KL per dimension and active units of one VAE on the dataset's test images (and the clouds for 2-D)."""
    report = vae_report(choice.cache_key, keys.dataset_key(dataset), model, dataset)
    measured = min(len(dataset.x_test), vae_internals.MAX_INSPECTED)
    st.subheader(t("vae_inside.model_header", name=choice.name))
    numbers = st.columns(3)
    numbers[0].metric(t("vae_inside.active", dims=model.latent_dim), report.active)
    numbers[1].metric(t("vae_inside.kl_total"), f"{report.kl_total:.2f}")
    numbers[2].metric(t("vae_inside.reconstruction"), f"{report.reconstruction:.2f}",
                      help=t("vae_inside.reconstruction_help", loss=model.loss_name.upper()))
    st.plotly_chart(kl_figure(report.kl_per_dim), width="stretch", key="vae_inside.kl")
    st.caption(t("vae_inside.kl_reading", count=f"{measured:,}", nats=vae_internals.ACTIVE_THRESHOLD_NATS))
    if model.latent_dim == 2:
        posterior_beside_prior(report, np.asarray(dataset.y_test), dataset.class_names(lang()))


def sweep_figures(sweep: vae_internals.BetaSweep) -> tuple[go.Figure, go.Figure]:
    """The trade-off (reconstruction against KL, one point per β) and KL per dimension for each β."""
    points = sweep.points
    tradeoff = go.Figure(go.Scatter(x=[p.kl_total for p in points], y=[p.reconstruction for p in points],
                                    mode="lines+markers+text", text=[f"β={p.beta:g}" for p in points],
                                    textposition="top right", marker={"size": 9}))
    widest = max(p.kl_total for p in points)
    tradeoff.update_xaxes(range=[-0.05 * widest, 1.2 * widest])  # room for the labels
    tradeoff.update_layout(height=320, xaxis_title=t("vae_inside.kl_total"), yaxis_title=t("vae_inside.reconstruction"),
                           margin={"t": 10, "b": 0, "l": 0, "r": 0})
    rows = [t("vae_inside.sweep_row", beta=f"{p.beta:g}", active=p.active) for p in points]
    heatmap = go.Figure(go.Heatmap(z=np.log10(np.maximum([p.kl_per_dim for p in points], KL_FLOOR)),
                                   x=[str(index + 1) for index in range(len(points[0].kl_per_dim))], y=rows,
                                   colorscale="Viridis", colorbar={"title": t("vae_inside.log_kl")},
                                   zmin=np.log10(KL_FLOOR)))
    heatmap.update_layout(height=320, xaxis_title=t("vae_inside.dimension"), xaxis_type="category",
                          margin={"t": 10, "b": 0, "l": 0, "r": 0})
    return tradeoff, heatmap


def sweep_view(path: Path | None = None) -> None:
    """The β sweep at ``path`` (default: the shipped one), or a line saying how to build it."""
    path = vae_internals.BETA_SWEEP_PATH if path is None else path
    st.subheader(t("vae_inside.sweep_header"))
    try:
        sweep = beta_sweep(str(path), keys.bundle_version(path.parent, (path.name,)))
    except ValueError:
        logger.exception("the beta sweep in %s could not be read", path)
        sweep = None
    if sweep is None:
        st.info(t("vae_inside.no_sweep"))
        return
    settings, first, last = sweep.settings, sweep.points[0], sweep.points[-1]
    st.write(t("vae_inside.sweep_intro", count=len(sweep.points), dims=settings.get("latent_dim", "?"),
               epochs=settings.get("epochs", "?"), train=f"{settings.get('train_size', 0):,}",
               test=f"{settings.get('test_size', 0):,}"))
    tradeoff, heatmap = sweep_figures(sweep)
    left, right = st.columns(2)
    left.plotly_chart(tradeoff, width="stretch", key="vae_inside.tradeoff")
    right.plotly_chart(heatmap, width="stretch", key="vae_inside.sweep_kl")
    st.caption(t("vae_inside.sweep_reading", low=f"{first.beta:g}", high=f"{last.beta:g}", first=first.active,
                 last=last.active, dims=len(first.kl_per_dim)))
