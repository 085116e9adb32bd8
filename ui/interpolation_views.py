"""The interpolation meter on the Generate page: a path between two classes' representatives or two
images, its steps re-encoded and decoded again, the error of each step plotted (peaks are holes
in the latent space), a VAE's prior log-density beside it, and the pixel-space cross-fade.

One fragment: its controls rerun only it. A path is measured once per model version, sample and
settings (``latent_core.interpolation.measure_path``: two decoder calls and one encoder call).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latent_core import interpolation, latent, maps
from latent_core.images import montage, shown_png
from ui.shell import t

CELL = 56
ERROR_COLOUR, CHANGE_COLOUR, DENSITY_COLOUR = "#d62728", "#1f77b4", "#2ca02c"


def _decode(model, codes: np.ndarray) -> np.ndarray:
    """Images of codes as the page shows them (clipped to [0, 1]), which the encoder also accepts."""
    return np.clip(model.decode(np.asarray(codes, dtype=np.float32)), 0.0, 1.0)


@st.cache_resource(show_spinner=False, max_entries=32)
def measured_path(sample_key: str, ends: tuple, steps: int, method: str, _model, _z0: np.ndarray,
                  _z1: np.ndarray) -> interpolation.InterpolationMeter:
    """The meter of one path; ``sample_key`` (model version, dataset content) and ``ends`` (what the
    two ends are) name the codes ``_z0`` and ``_z1``."""
    return interpolation.measure_path(_model.encode, lambda codes: _decode(_model, codes), _z0, _z1, steps,
                                      method=method, with_prior=_model.kind == "vae")


def error_figure(meter: interpolation.InterpolationMeter) -> go.Figure:
    """Re-encoding error (left axis) and image change (right axis) at each step."""
    steps = meter.fractions
    figure = go.Figure([
        go.Scatter(x=steps, y=meter.code_error, mode="lines+markers", name=t("interpolation.code_error"),
                   line={"color": ERROR_COLOUR}),
        go.Scatter(x=steps, y=meter.image_change, mode="lines+markers", name=t("interpolation.image_change"),
                   line={"color": CHANGE_COLOUR, "dash": "dot"}, yaxis="y2"),
    ])
    figure.update_layout(height=300, xaxis_title=t("interpolation.position"),
                         yaxis={"title": t("interpolation.code_error"), "rangemode": "tozero"},
                         yaxis2={"title": t("interpolation.image_change"), "overlaying": "y", "side": "right",
                                 "rangemode": "tozero"},
                         margin={"t": 10, "b": 0, "l": 0, "r": 0}, legend={"orientation": "h", "y": 1.15})
    return figure


def density_figure(meter: interpolation.InterpolationMeter) -> go.Figure:
    """The prior's log-density at each step, with the level of a typical prior sample."""
    typical = interpolation.typical_prior_log_density(meter.codes.shape[1])
    figure = go.Figure(go.Scatter(x=meter.fractions, y=meter.prior_log_density, mode="lines+markers",
                                  name=t("interpolation.log_density"), line={"color": DENSITY_COLOUR}))
    figure.add_hline(y=typical, line_dash="dash", annotation_text=t("interpolation.typical"))
    figure.update_layout(height=240, xaxis_title=t("interpolation.position"),
                         yaxis_title=t("interpolation.log_density"), margin={"t": 10, "b": 0, "l": 0, "r": 0})
    return figure


@st.fragment
def interpolation_meter(sample_key: str, model, sample: maps.CodeSample, means: dict[int, np.ndarray],
                        names: list[str]) -> None:
    """The meter's controls, image strips and charts."""
    modes = {mode: t(f"interpolation.between.{mode}") for mode in ("classes", "images")}
    mode = st.radio(t("interpolation.between"), list(modes), horizontal=True, key="interpolation.between",
                    format_func=modes.get)
    controls = st.columns(4)
    if mode == "classes":
        labels = list(means)
        start = controls[0].selectbox(t("interpolation.from"), labels, index=0, key="interpolation.from_class",
                                      format_func=lambda label: names[label])
        end = controls[1].selectbox(t("interpolation.to"), labels, index=min(1, len(labels) - 1),
                                    key="interpolation.to_class", format_func=lambda label: names[label])
        z0, z1 = means[start], means[end]
        x0, x1 = _decode(model, np.stack([z0, z1]))
        pixel_caption = t("interpolation.pixels_classes")
    else:
        last = len(sample.codes) - 1
        start = int(controls[0].number_input(t("interpolation.from_image", count=len(sample.codes)), 0, last, 0,
                                             key="interpolation.from_image"))
        end = int(controls[1].number_input(t("interpolation.to_image", count=len(sample.codes)), 0, last,
                                           min(1, last), key="interpolation.to_image"))
        z0, z1 = sample.codes[start], sample.codes[end]
        x0, x1 = sample.inputs[start], sample.inputs[end]
        pixel_caption = t("interpolation.pixels_images", start=names[int(sample.labels[start])],
                          end=names[int(sample.labels[end])])
    steps = controls[2].slider(t("interpolation.steps"), 5, 25, 11, 2, key="interpolation.steps")
    methods = {method: t(f"interpolation.method.{method}") for method in latent.INTERPOLATION_METHODS}
    method = controls[3].radio(t("interpolation.method"), list(methods), key="interpolation.method",
                               format_func=methods.get)
    meter = measured_path(sample_key, (mode, start, end), steps, method, model, z0, z1)
    redecoded = _decode(model, meter.reencoded)

    for images, caption in ((meter.images, t("interpolation.latent_strip")),
                            (redecoded, t("interpolation.again_strip")),
                            (interpolation.pixel_path(x0, x1, steps), pixel_caption)):
        strip = montage(images, columns=steps, cell=CELL)
        # its own width, not its caption's
        st.image(shown_png(strip), caption=caption, width=strip.width, output_format="PNG")
    worst = meter.worst_step
    numbers = st.columns(3)
    numbers[0].metric(t("interpolation.peak"), f"{meter.code_error[worst]:.3f}",
                      help=t("interpolation.peak_help"))
    numbers[1].metric(t("interpolation.peak_at"), f"{meter.fractions[worst]:.2f}")
    numbers[2].metric(t("interpolation.distance"), f"{np.linalg.norm(np.asarray(z1) - np.asarray(z0)):.3f}")
    st.plotly_chart(error_figure(meter), width="stretch", key="interpolation.errors")
    st.caption(t("interpolation.reading"))
    if meter.prior_log_density is not None:
        st.plotly_chart(density_figure(meter), width="stretch", key="interpolation.density")
        st.caption(t("interpolation.density_reading", dims=meter.codes.shape[1]))
