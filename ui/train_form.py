"""The Train page's model settings, drawn from what each model kind says about itself.

The page names no kind: it offers ``kinds_for`` the data, and for the chosen class its
latent size, the losses it supports and a widget per ``TrainOption`` (a slider for a
number or a range, a multiselect for several choices, a select slider for numeric
choices, a radio for named ones), each starting at the constructor's default.
"""

from __future__ import annotations

import streamlit as st

from latent_core.models import kinds_for, model_class
from latent_core.models.base import LatentModel
from latent_core.models.options import TrainOption
from ui.shell import t

MAX_LATENT_DIM = 256


def choose_kind(input_shape: tuple[int, ...], *, suggested: str) -> type[LatentModel]:
    """A picker of the kinds that train on ``input_shape`` (``suggested`` first chosen, when
    offered) with the chosen kind's help; returns the chosen class."""
    kinds = kinds_for(input_shape)
    kind = st.selectbox(t("train.kind"), kinds, index=kinds.index(suggested) if suggested in kinds else 0,
                        format_func=lambda name: t(f"kind.{name}"))
    st.caption(t(f"train.kind_help.{kind}"))
    if len(input_shape) != 3:
        st.caption(t("train.not_for_points"))
    return model_class(kind)


def model_settings(kind_class: type[LatentModel], input_shape: tuple[int, ...], *,
                   suggested_latent_dim: int) -> tuple[int, dict]:
    """Widgets for the latent size, the loss and the kind's own options; returns the latent
    size and the keyword options to build the model with."""
    latent_default = (suggested_latent_dim if kind_class.latent_dim_from_data
                      else kind_class.option_default("latent_dim"))
    latent_dim = st.number_input(t("common.latent_size"), min_value=1, max_value=MAX_LATENT_DIM, value=latent_default)
    options = {}
    losses = kind_class.supported_losses(input_shape)
    if losses:
        options["loss"] = st.selectbox(t("train.loss"), losses, format_func=str.upper)
    for option in kind_class.train_options:
        if option.images_only and len(input_shape) != 3:
            continue
        options[option.name] = option_widget(option, kind_class.option_default(option.name))
    return int(latent_dim), options


def option_widget(option: TrainOption, default):
    """The widget for one option, starting at ``default``; returns the chosen value."""
    label = t(f"train.option.{option.name}")
    if option.type == "number":
        return st.slider(label, float(option.minimum), float(option.maximum), float(default), float(option.step))
    if option.type == "range":
        low, high = (float(value) for value in default)
        return st.slider(label, float(option.minimum), float(option.maximum), (low, high), float(option.step))
    if option.type == "some_of":
        return tuple(st.multiselect(label, option.choices, default=list(default)))
    if all(isinstance(choice, (int, float)) for choice in option.choices):
        return st.select_slider(label, option.choices, value=default, format_func=lambda value: f"{value:g}")
    return st.radio(label, option.choices, index=option.choices.index(default), horizontal=True)
