"""Train: pick a model kind and settings (or one of the course's architectures, with its
layers and parameters shown before it trains), then watch it learn live; the result is saved at once.

Hosted, the sliders stop at the classroom limits, the 28×28 sets start from the classroom
defaults, and a run waits its turn in the server's shared queue (one job per person, a time
limit per job): before Start the page shows the whole wait (the queue ahead, then the run),
once queued how many jobs are ahead of it and about how long it waits. Checkpoints land in
the workspace while it trains, so a run cut short still leaves its last epochs.
"""

import logging

import numpy as np
import streamlit as st

from latent_core import data, evaluation, hosting
from latent_core.images import montage, shown_png
from latent_core.jobs import (CANCELLED, COMPLETED, DIVERGED, QUEUED, STOPPED, TIMED_OUT, JobSnapshot, TrainingJob,
                              estimate_seconds, workspace_job)
from latent_core.models import build_model
from latent_core.workspace import MAX_NAME_LENGTH, SaveRefused, estimated_bytes
from ui import account, history_views, models, queue_views, train_form
from ui.charts import loss_figure
from ui.guard import require_dataset
from ui.queue_views import duration
from ui.shell import lang, start_page, t

start_page()
logger = logging.getLogger(__name__)

EVALUATION_IMAGES = 2000
# Defaults that train a useful model quickly: digits in well under a minute, the 28×28 sets in a few
# (hosted, the classroom's: hosting.CLASSROOM_TRAINING_DEFAULTS).
DEFAULTS = {
    "digits": {"kind": "dense_ae", "latent": 8, "epochs": 40, "batch": 64, "images": None},
    "swiss_roll": {"kind": "dense_ae", "latent": 2, "epochs": 60, "batch": 64, "images": None},
}
DEFAULTS_28 = {"kind": "conv_ae", "latent": 32, "epochs": 3, "batch": 128, "images": 20_000}
MAX_EPOCHS = 100
MIN_IMAGES = 100


def per_epoch(name: str, snapshot: JobSnapshot, build):
    """What ``build()`` makes of a run's finished epochs (its chart, its preview picture), made again only
    when another epoch has finished (or the language changed): the progress redraws every second,
    the rest of a run's picture once an epoch, so the page takes little from the training."""
    stamp = (snapshot.started_at, len(next(iter(snapshot.history.values()), [])), st.session_state.get("lang"))
    kept = st.session_state.get(f"train.per_epoch.{name}")
    if kept is None or kept[0] != stamp:
        kept = (stamp, build())
        st.session_state[f"train.per_epoch.{name}"] = kept
    return kept[1]


def show_snapshot(snapshot: JobSnapshot, names: list[str]) -> None:
    """Queue place or progress, loss curves (beside the latent space over training, when the run records
    it) and the latest preview of a run."""
    progress = snapshot.progress
    if snapshot.state == QUEUED:
        queue_views.show_waiting(snapshot)
    elif progress is None:
        st.progress(0.0, text=t("train.starting"))
    else:
        st.progress(min(progress.fraction, 1.0), text=t(
            "train.progress", epoch=progress.epoch, epochs=progress.epochs, batch=progress.batch,
            batches=progress.batches_per_epoch, elapsed=duration(progress.elapsed_s), eta=duration(progress.eta_s)))
    if isinstance(snapshot.checkpoint_error, SaveRefused):  # e.g. the user's space filled up
        st.warning(t("train.checkpoint_refused", reason=account.refusal_text(snapshot.checkpoint_error)))
    elif snapshot.checkpoint_error is not None:
        st.warning(t("train.checkpoint_failed", error_type=type(snapshot.checkpoint_error).__name__))
    # The latent space over training comes with the loss curves beside it; without it, the curves alone.
    if not history_views.training_history(snapshot.code_history, snapshot.history, names) and snapshot.history:
        st.plotly_chart(per_epoch("chart", snapshot, lambda: loss_figure(
            snapshot.history, title=t("common.loss_per_epoch"), x_title=t("common.epoch"), y_title=t("common.loss"))),
            width="stretch")
    if snapshot.preview is not None:
        epoch = len(next(iter(snapshot.history.values()), []))
        picture = per_epoch("preview", snapshot, lambda: shown_png(montage(
            snapshot.preview if snapshot.preview_inputs is None else np.concatenate(
                [snapshot.preview_inputs, snapshot.preview]), columns=len(snapshot.preview), cell=56)))
        st.image(picture, caption=t("train.preview" if snapshot.preview_inputs is not None else "train.samples",
                                    epoch=epoch))


def show_outcome(snapshot: JobSnapshot) -> None:
    name = st.session_state.get("training_job_name", "")
    if snapshot.state == COMPLETED:
        st.success(t("train.completed", name=name, time=duration(snapshot.finished_at - snapshot.started_at)))
    elif snapshot.state in (STOPPED, TIMED_OUT):
        if snapshot.state == TIMED_OUT:
            queue_views.show_problem(snapshot)
        st.info(t("train.stopped", name=name, epochs=len(next(iter(snapshot.history.values()), []))))
    elif snapshot.state == CANCELLED:
        st.info(t("train.cancelled", name=name))
    else:
        if snapshot.state == DIVERGED:
            st.error(t("train.diverged"))
        elif isinstance(snapshot.save_error, SaveRefused):  # e.g. the server's space filled up meanwhile
            st.error(account.refusal_text(snapshot.save_error))
        else:
            st.error(t("common.training_failed", error_type=snapshot.error_type))
        if snapshot.saved is not None:
            st.info(t("train.diverged_saved", name=snapshot.saved.name))


st.header(t("train.header"))
st.write(t("train.intro"))

dataset = require_dataset()

job: TrainingJob | None = st.session_state.get("training_job")
polled_as = job.snapshot() if job is not None else None
if job is not None and not polled_as.finished:
    st.subheader(t("train.running", name=st.session_state.get("training_job_name", "")))
    if st.button(t("train.stop"), icon=":material/stop_circle:", type="primary"):
        job.stop()

    @st.fragment(run_every=queue_views.poll_seconds(polled_as))
    def live_progress() -> None:
        snapshot = job.snapshot()
        show_snapshot(snapshot, dataset.class_names(lang()))
        if queue_views.page_outdated(polled_as, snapshot):
            st.rerun()

    live_progress()
    st.stop()

if job is not None:
    with st.expander(t("train.last_run"), expanded=True):
        final = job.snapshot()
        show_outcome(final)
        show_snapshot(final, dataset.class_names(lang()))

limits = models.limits()
defaults = DEFAULTS.get(dataset.name) or (hosting.CLASSROOM_TRAINING_DEFAULTS if limits.hosted else DEFAULTS_28)
left, right = st.columns(2)
with left:
    kind_class = train_form.choose_kind(dataset.input_shape, suggested=defaults["kind"], scope=dataset.name)
    kind = kind_class.kind
    latent_slot = st.container()  # filled once the layers say whether they fix the code size
    options = train_form.model_settings(kind_class, dataset.input_shape, scope=dataset.name)
with right:
    max_epochs = limits.cap("max_epochs", MAX_EPOCHS)
    epochs = st.slider(t("train.epochs"), 1, max_epochs, min(defaults["epochs"], max_epochs))
    batch_size = st.select_slider(t("train.batch"), [16, 32, 64, 128, 256, 512], value=defaults["batch"])
    learning_rate = st.select_slider(t("train.lr"), [1e-4, 3e-4, 1e-3, 3e-3, 1e-2], value=1e-3,
                                     format_func=lambda value: f"{value:g}")
    available = limits.cap("max_training_images", len(dataset.x_train))
    images = st.slider(t("train.images"), min(MIN_IMAGES, available), available,
                       min(defaults["images"] or available, available), step=max(1, available // 100))
    if max_epochs < MAX_EPOCHS or available < len(dataset.x_train):
        st.caption(t("train.capped", epochs=max_epochs, images=f"{available:,}"))
    seed = st.number_input(t("common.seed"), min_value=0, max_value=2**31 - 1, value=0)
    name_slot = st.container()

st.subheader(t("train.layers"))
layer_options = train_form.layer_settings(kind_class, dataset.input_shape, scope=dataset.name,
                                          suggested_latent_dim=defaults["latent"])
latent_dim = train_form.latent_size(latent_slot, kind_class, dataset.input_shape, layer_options, scope=dataset.name,
                                    suggested_latent_dim=defaults["latent"])
with name_slot:
    size = f" {latent_dim}-D" if kind_class.has_latent else ""
    name = st.text_input(t("train.name"), value=f"{t(f'kind.{kind}')} {dataset.name}{size}", max_chars=MAX_NAME_LENGTH)
architecture = None
if layer_options is not None:  # a list that does not read says so under its field
    options.update(layer_options)
    architecture = train_form.show_architecture(kind_class, dataset.input_shape, latent_dim, options,
                                                scope=dataset.name, suggested_latent_dim=defaults["latent"],
                                                max_parameters=limits.max_model_parameters)

estimate = estimate_seconds(kind, dataset.input_shape, images=images, epochs=epochs,
                            multiply_adds=None if architecture is None else architecture.multiply_adds)
queue_views.show_expected_wait(estimate, lambda run: t("train.expected", time=run))

if st.button(t("train.start"), type="primary", icon=":material/play_arrow:") and architecture is not None:
    name = name.strip()  # the field's max_chars keeps it within MAX_NAME_LENGTH
    model = None
    if not name:
        st.error(t("train.name_missing"))
    else:
        try:  # a model class refuses options that do not fit together (its message is English)
            model = build_model(kind, input_shape=dataset.input_shape, latent_dim=latent_dim, seed=int(seed), **options)
        except ValueError as error:
            logger.warning("%s does not build with %s: %s", kind, options, error)
            st.error(t("train.bad_settings", kind=t(f"kind.{kind}")))
    workspace = models.workspace()
    if model is not None:
        try:
            workspace.check_room(estimated_bytes(model))  # a full workspace refuses before any training
        except SaveRefused as error:
            st.error(account.refusal_text(error))
            model = None
    if model is not None:
        training_data = data.subsample(dataset, max_train=images, max_test=EVALUATION_IMAGES, seed=int(seed))
        job = queue_views.submit("training_job", lambda **queueing: workspace_job(
            workspace, model, training_data, name=name,
            measure=lambda trained: evaluation.measure(trained, training_data), estimate_s=estimate,
            epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, seed=int(seed), **queueing))
        if job is not None:
            st.session_state["training_job_name"] = name
            st.session_state["training_job_adopted"] = False
            st.rerun()
