"""Data: what the chosen dataset looks like, how big it is and where it came from."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latent_core import data, user_data
from latent_core.images import montage, shown_png
from latent_core.uploads import MAX_DATASET_BYTES
from ui.shell import (active_dataset, add_user_dataset, dataset_title, selected_dataset_name, start_page, t,
                      uploaded_dataset_chosen)
from ui.uploads import refusal_text, upload_limit

start_page()

choice = selected_dataset_name()
st.header(t("data.header", title=dataset_title(choice)))
about_key = "data.about.user" if uploaded_dataset_chosen() else f"data.about.{choice}"
st.write(t(about_key))

try:
    dataset = active_dataset()
except data.DatasetUnavailable as error:
    st.error(t("common.dataset_unavailable"))
    st.code(str(error), language=None)
    dataset = None

if dataset is not None:
    counts = st.columns(4)
    counts[0].metric(t("data.train_count"), f"{len(dataset.x_train):,}")
    counts[1].metric(t("data.test_count"), f"{len(dataset.x_test):,}")
    counts[2].metric(t("data.shape"), " × ".join(str(d) for d in dataset.input_shape))
    counts[3].metric(t("data.classes"), dataset.num_classes if dataset.num_classes else "–")
    st.caption(t("data.source", source=dataset.source))
    for note in dataset.notes:
        st.info(t("data.note", note=note))

    if dataset.is_image:
        st.subheader(t("data.samples"))
        controls = st.columns([3, 1])
        per_class = controls[0].slider(t("data.samples_per_class"), 4, 16, 8)
        if controls[1].button(t("data.reshuffle")):
            st.session_state["sample_seed"] = st.session_state.get("sample_seed", 0) + 1
        rng = np.random.default_rng(st.session_state.get("sample_seed", 0))
        names = dataset.class_names(st.session_state.get("lang", "en"))
        grid = st.columns(2)
        for label, name in enumerate(names):
            members = np.flatnonzero(dataset.y_test == label)
            if len(members) == 0:
                members = np.flatnonzero(dataset.y_train == label)
                pool = dataset.x_train
            else:
                pool = dataset.x_test
            if len(members) == 0:
                continue
            picked = rng.choice(members, size=min(per_class, len(members)), replace=False)
            grid[label % 2].image(shown_png(montage(pool[picked], columns=per_class, cell=48)),
                                  caption=f"{label}: {name}")
    else:
        figure = go.Figure(go.Scatter3d(
            x=dataset.x_train[:, 0], y=dataset.x_train[:, 1], z=dataset.x_train[:, 2], mode="markers",
            marker={"size": 2.5, "color": dataset.y_train, "colorscale": "Viridis"}))
        figure.update_layout(height=520, margin={"l": 0, "r": 0, "t": 0, "b": 0})
        st.plotly_chart(figure, width="stretch")
        st.caption(t("data.roll_caption"))

with st.expander(t("data.upload.header")):
    st.write(t("data.upload.help"))
    upload = st.file_uploader(t("data.upload.label"), type=["npz", "zip"])
    if upload is not None and upload.file_id != st.session_state.get("last_upload_id"):
        st.session_state["last_upload_id"] = upload.file_id
        try:
            uploaded = user_data.load_user_dataset(upload.getvalue(), filename=upload.name,
                                              max_bytes=upload_limit(MAX_DATASET_BYTES))
        except user_data.DataFormatError as error:
            st.session_state["upload_message"] = [("error", t("data.upload.failed", error=refusal_text(error)))]
        else:
            add_user_dataset(uploaded)
            messages = [("success", t("data.upload.done", name=uploaded.name, classes=uploaded.num_classes,
                                      count=f"{len(uploaded.x_train) + len(uploaded.x_test):,}"))]
            if uploaded.num_classes == 1:
                messages.append(("warning", t("data.upload.one_class")))
            st.session_state["upload_message"] = messages
            st.rerun()
    for kind, message in st.session_state.pop("upload_message", None) or []:
        getattr(st, kind)(message)
