"""The Model library's views of a plain Keras model: its layer diagram, and the controls
that move its encoder/decoder split or say what range its generator's outputs have."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from latent_core.models.keras_ae import OUTPUT_RANGES
from latent_core.workspace import SaveRefused
from ui import account, models
from ui.shell import select_model, t

PART_COLOURS = {"encoder": "#1f77b4", "decoder": "#ff7f0e", "generator": "#2ca02c"}


def layer_diagram(rows: list[dict], split: int | None) -> go.Figure:
    """Every layer as a bar as tall as its output's number of values (log scale), coloured by
    the part it belongs to, with a dashed line where the encoder ends."""
    figure = go.Figure()
    for part, colour in PART_COLOURS.items():
        shown = [row for row in rows if row["part"] == part]
        if shown:
            figure.add_bar(x=[row["index"] for row in shown], y=[row["values"] for row in shown],
                           name=t(f"library.part.{part}"), marker_color=colour,
                           customdata=[[row["name"], row["type"], str(row["shape"])] for row in shown],
                           hovertemplate="%{customdata[0]} (%{customdata[1]})<br>%{customdata[2]}: %{y:,} "
                                         + t("library.diagram.values") + "<extra></extra>")
    if split is not None:
        figure.add_vline(x=split + 0.5, line_dash="dash", line_color="#444",
                         annotation_text=t("library.diagram.code"), annotation_position="top")
    figure.update_layout(height=300, margin={"t": 30, "b": 0, "l": 0, "r": 0}, bargap=0.15,
                         yaxis_title=t("library.diagram.values"), legend={"orientation": "h"})
    figure.update_yaxes(type="log")
    figure.update_xaxes(tickmode="array", tickvals=[row["index"] for row in rows],
                        ticktext=[row["name"] for row in rows], tickangle=-45)
    return figure


def save_changed(choice: models.ModelChoice, manifest: dict, model) -> None:
    """Save ``model`` (the chosen one under other options) over its workspace entry, select it
    and rerun; a quota refusal is said instead."""
    try:
        entry = models.workspace().save(model, name=choice.name, dataset=manifest.get("dataset"),
                                        metrics=manifest.get("metrics"), entry_id=choice.entry_id)
    except SaveRefused as error:
        st.error(account.refusal_text(error))
        return
    select_model(models.workspace_key(entry.id))
    st.rerun()


def plain_model_controls(choice: models.ModelChoice, manifest: dict, model) -> None:
    """The layer diagram of a plain Keras model, and (for the user's own) a slider over the
    layers its encoder may end after, or the range its generator's outputs have."""
    rows = model.layer_rows()
    split = getattr(model, "split", None)
    st.plotly_chart(layer_diagram(rows, split), width="stretch", key=f"library.diagram.{choice.cache_key}")
    if choice.is_pretrained:
        return
    if split is not None:
        choices = model.split_choices()
        if len(choices) > 1:
            labels = {row["index"]: t("library.split.option", name=row["name"], type=row["type"],
                                      values=row["values"]) for row in rows}
            moved = st.select_slider(t("library.split"), options=choices, value=split, format_func=labels.get,
                                     help=t("library.split.help"), key=f"library.split.{choice.cache_key}")
            if moved != split:
                save_changed(choice, manifest, model.with_options(split=moved))
        else:
            st.caption(t("library.split.fixed"))
    if hasattr(model, "output_range"):
        picked = st.radio(t("library.output_range"), OUTPUT_RANGES, index=OUTPUT_RANGES.index(model.output_range),
                          format_func=lambda value: t(f"library.output_range.{value}"), horizontal=True,
                          help=t("library.output_range.help"), key=f"library.range.{choice.cache_key}")
        if picked != model.output_range:
            save_changed(choice, manifest, model.with_options(output_range=picked))
