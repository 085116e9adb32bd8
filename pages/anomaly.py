"""Anomaly detection: an autoencoder that knows one "normal" class flags everything else by its error (or by
its error with its code's distance from the normal class's codes).

A detector trained here is a job in the server's shared queue, watched while it waits and trains;
the session keeps it once it is done.
"""

import logging
import uuid

import numpy as np
import streamlit as st

from latent_core import anomaly, data, evaluation, keys, metrics
from latent_core.images import as_rgb, error_heatmaps, montage, shown_png
from ui import anomaly_views, models, queue_views
from ui.guard import require_dataset
from ui.shell import lang, registered_dataset_name, start_page, t

logger = logging.getLogger(__name__)

start_page()

EXTREME_IMAGES = 12


@st.cache_data(show_spinner=False, max_entries=32)
def roc_of(scores: np.ndarray, anomalous: np.ndarray) -> metrics.RocCurve:
    """The ROC curve and AUROC of these scores and labels (hashed by content), once: the same
    whatever the threshold."""
    return metrics.roc(scores, anomalous)


def scored(key: str, kind: str) -> str:
    """The text key ``key`` for the score ``kind``: the error's own, or its ``.combined`` variant."""
    return key if kind == "error" else f"{key}.{kind}"


@st.fragment
def threshold_view(model_key: str, kind: str, scores: np.ndarray, anomalous: np.ndarray, default: float) -> None:
    """The threshold slider and everything that depends on it; moving it reruns only this part,
    which recomputes only the threshold's point."""
    scale = anomaly.threshold_scale(scores, default)
    position = st.select_slider(t(scored("anomaly.threshold", kind)), range(len(scale.thresholds)),
                                value=scale.default_position, format_func=scale.labels.__getitem__,
                                key=f"anomaly.threshold.{model_key}.{kind}",
                                help=t(scored("anomaly.threshold_help", kind)))
    threshold = scale.thresholds[position]
    curve, point = roc_of(scores, anomalous), metrics.threshold_point(scores, anomalous, threshold)
    numbers = st.container(horizontal=True, horizontal_alignment="distribute")  # wraps on a narrow screen
    numbers.metric(t("anomaly.precision"), f"{point.precision:.1%}", help=t("anomaly.precision_help"), width="content")
    numbers.metric(t("anomaly.recall"), f"{point.recall:.1%}", help=t("anomaly.recall_help"), width="content")
    numbers.metric(t("anomaly.accuracy"), f"{point.accuracy:.1%}", width="content")
    numbers.metric(t("anomaly.f1"), f"{point.f1:.3f}", width="content")
    numbers.metric(t("anomaly.auroc"), f"{curve.auroc:.3f}", help=t("anomaly.auroc_help"), width="content")
    st.caption(t("anomaly.flagged", flagged=point.flagged, total=len(scores), false_alarms=point.false_alarms,
                 normals=point.normals))
    charts = st.columns(2)
    names = {"normal": t("anomaly.normal"), "anomalous": t("anomaly.anomalous")}
    charts[0].plotly_chart(anomaly_views.histogram(scores, anomalous, threshold, names,
                                                   t(scored("anomaly.error_axis", kind))), width="stretch")
    charts[1].plotly_chart(anomaly_views.roc_figure(curve, point), width="stretch")


def show_extremes(title: str, shown: np.ndarray, labels: np.ndarray, scores: np.ndarray, names: list[str],
                  model=None, rows_caption: str = "") -> None:
    """The images ``shown`` with their classes and scores; given the ``model``, also its reconstructions
    and where they differ (error heatmaps, explained by ``rows_caption``), one column per image."""
    st.markdown(f"**{title}**")
    if model is None:
        st.image(shown_png(montage(shown, columns=len(shown), cell=64)), output_format="PNG")
    else:
        rebuilt = np.clip(model.reconstruct(shown), 0.0, 1.0)
        rows = np.concatenate([as_rgb(shown), as_rgb(rebuilt), error_heatmaps(shown, rebuilt)])
        st.image(shown_png(montage(rows, columns=len(shown), cell=64)), caption=rows_caption, output_format="PNG")
    st.caption(" · ".join(t("anomaly.image_score", name=names[int(label)], score=score)
                          for label, score in zip(labels, scores)))


def train_here(dataset: data.Dataset, normal_class: int, class_name: str) -> None:
    """Queue a quick detector of ``normal_class``; the page then shows it waiting and training."""
    try:
        job = queue_views.submit("anomaly.job", lambda **queueing: anomaly.quick_detector_job(
            dataset.x_train, dataset.y_train, normal_class, name=class_name, **queueing),
            context=keys.dataset_key(dataset))
    except anomaly.ClassSplitError as error:
        st.error(t(f"anomaly.split.{error.reason}", name=class_name))
        return
    if job is not None:  # else the page says which job of this user is queued already
        st.rerun()


def keep_finished_detector() -> None:
    """Once the session's detector job is done, keep its detector (a stopped or timed-out one too)."""
    finished = queue_views.take_finished("anomaly.job")
    if finished is not None and finished[0].saved is not None:
        snapshot, dataset_key = finished
        trained = st.session_state.setdefault("anomaly.detectors", {})
        trained[(dataset_key, snapshot.saved.normal_class)] = (f"session:{uuid.uuid4().hex}", snapshot.saved)


st.header(t("page.anomaly"))
st.write(t("anomaly.intro"))
dataset = require_dataset()
if not dataset.is_image or dataset.num_classes < 2:
    st.info(t("anomaly.not_images"))
    st.stop()

names = dataset.class_names(lang())
class_labels = dict(enumerate(names))
setup = st.columns([2, 3])
classes = list(class_labels)
normal_class = setup[0].selectbox(t("anomaly.normal_class"), classes, format_func=class_labels.get,
                                  index=classes.index(anomaly_views.FIRST_NORMAL_CLASS), key="anomaly.normal_class")
class_name = class_labels[normal_class]
detectors = models.anomaly_detectors(registered_dataset_name(), dataset.input_shape)
sources = (["pretrained"] if normal_class in detectors else []) + ["here"]
source_labels = {"pretrained": t("anomaly.source.pretrained"), "here": t("anomaly.source.here")}
source = setup[1].radio(t("anomaly.source"), sources, format_func=source_labels.get, horizontal=True,
                        key="anomaly.source")
if not detectors:
    st.caption(t("anomaly.no_pretrained"))

if source == "pretrained":
    entry = detectors[normal_class]
    try:
        model = models.load_choice(entry.key).model
    except models.LOAD_ERRORS as error:
        logger.warning("the anomaly detector %s did not load", entry.name, exc_info=error)
        st.error(t("anomaly.load_failed", error=error))
        st.stop()
    model_key = entry.cache_key
    st.caption(t("anomaly.pretrained_about", name=entry.name, kind=t(f"kind.{entry.kind}"), dims=entry.latent_dim))
else:
    keep_finished_detector()
    training = queue_views.active("anomaly.job")
    if training is not None:
        st.info(t("anomaly.training", name=training.name))
        queue_views.watch("anomaly.job")
        st.stop()
    found = st.session_state.get("anomaly.detectors", {}).get((keys.dataset_key(dataset), normal_class))
    if found is None:
        st.info(t("anomaly.train_first", name=class_name,
                  count=f"{min(int(np.sum(dataset.y_train == normal_class)), anomaly.QUICK_DETECTOR_IMAGES):,}"))
        if st.button(t("anomaly.train", name=class_name), type="primary", icon=":material/play_arrow:"):
            train_here(dataset, normal_class, class_name)
        st.stop()
    model_key, detector = found
    model = detector.model
    st.caption(t("anomaly.trained_about", images=f"{detector.images:,}", name=class_name,
                 epochs=detector.result.epochs_completed, seconds=f"{detector.result.seconds:.1f}"))
    if st.button(t("anomaly.retrain")):
        train_here(dataset, normal_class, class_name)

if tuple(model.input_shape) != tuple(dataset.input_shape):
    st.error(t("anomaly.shape_mismatch", model=model.input_shape, data=dataset.input_shape))
    st.stop()

kinds = list(anomaly.SCORE_KINDS)
normal_training = int(np.sum(dataset.y_train == normal_class))
if not model.has_latent or normal_training < anomaly.MIN_REFERENCE_IMAGES:
    kinds = ["error"]
score_kind = st.radio(t("anomaly.score"), kinds, format_func=lambda kind: t(f"anomaly.score.{kind}"),
                      horizontal=True, key="anomaly.score", help=t("anomaly.score_help"))
if len(kinds) == 1 and model.has_latent:
    st.caption(t("anomaly.score.not_offered", name=class_name, count=normal_training,
                 needed=anomaly.MIN_REFERENCE_IMAGES))

picked = anomaly_views.evaluation_indices(dataset)  # rows of the test split; its images are read per row
labels = dataset.y_test[picked]
try:
    anomalous = anomaly.is_anomaly(labels, normal_class)
except anomaly.ClassSplitError as error:
    st.warning(t(f"anomaly.split.{error.reason}", name=class_name))
    st.stop()
with st.spinner(t("anomaly.scoring")):
    if score_kind == "combined":
        scores = anomaly_views.combined_scores(model_key, keys.dataset_key(dataset), normal_class, model, dataset)
    else:
        scores = anomaly_views.detector_scores(model_key, keys.dataset_key(dataset), model, dataset)

try:
    split = metrics.threshold_split(anomalous)
except ValueError:
    st.warning(t("anomaly.split.too_few_normals", name=class_name))
    st.stop()
default = metrics.default_threshold(scores[split.fit], percentile=evaluation.ANOMALY_PERCENTILE)
picked, labels, scores, anomalous = (picked[split.evaluate], labels[split.evaluate], scores[split.evaluate],
                                     anomalous[split.evaluate])
st.subheader(t("anomaly.results", name=class_name))
st.caption(t("anomaly.evaluated", fit=f"{len(split.fit):,}", total=f"{len(scores):,}",
             what=t(f"anomaly.what.{score_kind}"),
             normals=f"{int((~anomalous).sum()):,}", others=f"{int(anomalous.sum()):,}", default=default))
threshold_view(model_key, score_kind, scores, anomalous, default)

most, least = anomaly.extremes(scores, EXTREME_IMAGES)
show_extremes(t(scored("anomaly.most", score_kind)), dataset.x_test[picked[most]], labels[most], scores[most], names,
              model=model, rows_caption=t(scored("anomaly.most_rows", score_kind)))
show_extremes(t(scored("anomaly.least", score_kind)), dataset.x_test[picked[least]], labels[least], scores[least],
              names)
