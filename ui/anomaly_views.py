"""The Anomaly page's figures (the score histogram, the ROC curve at the chosen threshold) and its detectors'
scores of the evaluation images (the error, and the error with the code's distance), cached here so that the
warm-up can score the page's first view too."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latent_core import anomaly, data, metrics
from ui.shell import t

EVAL_IMAGES = 10_000
FIRST_NORMAL_CLASS = 0  # the class the page's picker starts at


def evaluation_indices(dataset: data.Dataset) -> np.ndarray:
    """The test images (a fixed random subset of them beyond ``EVAL_IMAGES``): the whole test
    split of every library dataset, so the figures match the library's."""
    count = len(dataset.x_test)
    if count <= EVAL_IMAGES:
        return np.arange(count)
    return np.sort(np.random.default_rng(0).choice(count, size=EVAL_IMAGES, replace=False))


@st.cache_data(show_spinner=False, max_entries=32)
def detector_scores(model_key: str, dataset_key: str, _model, _dataset: data.Dataset) -> np.ndarray:
    """Per-image reconstruction error of the evaluation images (:func:`evaluation_indices`), once per model
    and dataset; the images are gathered only then, not on every run that reads the scores."""
    return anomaly.anomaly_scores(_model, _dataset.x_test[evaluation_indices(_dataset)])


@st.cache_data(show_spinner=False, max_entries=32)
def combined_scores(model_key: str, dataset_key: str, normal_class: int, _model, _dataset: data.Dataset) -> np.ndarray:
    """The evaluation images' combined scores (``anomaly.CombinedScorer``: the error with the code's distance from
    the normal class's training codes), once per model, dataset and normal class."""
    normal = anomaly.normal_images(_dataset.x_train, _dataset.y_train, normal_class,
                                   limit=anomaly.CODE_REFERENCE_IMAGES)
    scorer = anomaly.fit_combined_scorer(_model, normal)
    return scorer.scores(_model, _dataset.x_test[evaluation_indices(_dataset)])


def histogram(scores: np.ndarray, anomalous: np.ndarray, threshold: float, names: dict[str, str],
              axis_title: str) -> go.Figure:
    """Scores of normal and anomalous images as overlaid histograms, the threshold as a dashed line."""
    bins = {"start": float(scores.min()), "end": float(scores.max()), "size": float(np.ptp(scores)) / 60 or 1e-6}
    figure = go.Figure([
        go.Histogram(x=scores[~anomalous], name=names["normal"], xbins=bins, opacity=0.7,
                     marker_color="#1f77b4", histnorm="probability"),
        go.Histogram(x=scores[anomalous], name=names["anomalous"], xbins=bins, opacity=0.6,
                     marker_color="#d62728", histnorm="probability"),
    ])
    figure.add_vline(x=threshold, line_dash="dash", annotation_text=t("anomaly.threshold_line"))
    figure.update_layout(barmode="overlay", height=340, xaxis_title=axis_title,
                         yaxis_title=t("anomaly.share_axis"), margin={"t": 30, "b": 0, "l": 0, "r": 0},
                         legend={"orientation": "h", "y": 1.12})
    return figure


def roc_figure(curve: metrics.RocCurve, point: metrics.ThresholdPoint) -> go.Figure:
    """The ROC curve with chance and the slider's operating point marked."""
    figure = go.Figure([
        go.Scatter(x=curve.false_positive_rate, y=curve.true_positive_rate, mode="lines",
                   name=t("anomaly.roc_name", auroc=curve.auroc)),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name=t("anomaly.chance")),
        go.Scatter(x=[point.false_alarm_rate], y=[point.recall], mode="markers", marker={"size": 12, "symbol": "x"},
                   name=t("anomaly.operating_point")),
    ])
    figure.update_layout(height=340, xaxis_title=t("anomaly.fpr_axis"), yaxis_title=t("anomaly.tpr_axis"),
                         margin={"t": 30, "b": 0, "l": 0, "r": 0}, legend={"orientation": "h", "y": 1.12})
    figure.update_xaxes(range=[0, 1])
    figure.update_yaxes(range=[0, 1.02])
    return figure
