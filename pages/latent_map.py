"""Latent map: the codes of a dataset sample in 2-D, selections decoded, new images placed onto the map."""

import streamlit as st

from latent_core import maps
from ui import codes, history_views
from ui.guard import require_dataset, require_model
from ui.latent_map_views import (chosen_map, image_layer, manifold_section, map_figure, place_section,
                                 show_selection, trust_colouring)
from ui.shell import lang, start_page, t

start_page()
st.header(t("page.latent_map"))
st.write(t("latent_map.intro"))
dataset = require_dataset()
choice, bundle = require_model(encoder=True, latent=True, no_encoder_text="latent_map.no_encoder")
model = bundle.model
names = dataset.class_names(lang())
classifier = codes.load_classifier_for(dataset, model)
with st.spinner(t("latent_map.encoding")):
    sample = codes.code_sample(choice, model, dataset, split="test")
source_text = t("latent_map.source.bundled" if sample.source.startswith(maps.BUNDLED_SAMPLE_PREFIX)
                else "latent_map.source.test")

map_column, side_column = st.columns([3, 2], gap="medium")
with map_column:
    mapped, map_key = chosen_map(choice, dataset, sample, source_text)
    trusted = trust_colouring(codes.sample_key(choice, dataset, split="test"), map_key, mapped, names)
    pictures = image_layer(codes.sample_key(choice, dataset, split="test"), map_key, mapped, sample, model)
    placed = place_section(dataset, model, sample, mapped, map_key, names) if dataset.is_image else None
    figure, trace_rows = map_figure(mapped, sample.labels[mapped.indices], names, placed, trusted, pictures)
    event = st.plotly_chart(figure, key="latent_map.chart", on_select="rerun",
                            selection_mode=("points", "box", "lasso"), config={"displaylogo": False})

with side_column:
    rows = maps.selected_rows(event["selection"]["points"], trace_rows)
    if len(rows):
        show_selection(rows, sample, names, model, classifier)
    else:
        st.info(t("latent_map.select_hint"))

history_views.history_section(choice, bundle, names)
if model.latent_dim == 2 and dataset.is_image:
    manifold_section(codes.sample_key(choice, dataset, split="test"), model, sample, names)
