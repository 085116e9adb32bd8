"""The Train page's model settings, drawn from what each model kind says about itself.

The page names no kind: it offers ``kinds_for`` the data, and for the chosen class its
latent size, the losses it supports and a widget per ``TrainOption`` (a slider for a
number or a range, a multiselect for several choices, a select slider for numeric
choices, a radio for named ones, a text field for a list of layer widths, a toggle for
a flag), each starting at the constructor's default. The options that shape the layer
stack (``TrainOption.layers``) come in the layer builder, under the course's presets
(``latent_core.models.architectures``), above the table of the layers they build.

Every widget is keyed by the dataset and the kind, so a preset can set them and each
kind keeps its own values while another is shown.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from latent_core.models import kinds_for, model_class
from latent_core.models.architectures import Architecture, plan, preset, presets_for
from latent_core.models.base import LatentModel
from latent_core.models.options import SettingsRefused, TrainOption, format_list
from ui.shell import t
from ui.text import TEXT

MAX_LATENT_DIM = 256
logger = logging.getLogger(__name__)


def _key(scope: str, *parts: str) -> str:
    return ".".join(("train", scope, *parts))


def _start_at(key: str, default) -> str:
    """``key``, its value set to ``default`` unless the session holds one (set so, never
    through the widget's own default, a preset can change it)."""
    if key not in st.session_state:
        st.session_state[key] = default
    return key


def choose_kind(input_shape: tuple[int, ...], *, suggested: str, scope: str) -> type[LatentModel]:
    """A picker of the kinds that train on ``input_shape`` (``suggested`` first chosen, when
    offered) with the chosen kind's help; returns the chosen class."""
    kinds = kinds_for(input_shape)
    key = _key(scope, "kind")
    if st.session_state.get(key) not in kinds:
        st.session_state[key] = suggested if suggested in kinds else kinds[0]
    kind = st.selectbox(t("train.kind"), kinds, key=key, format_func=lambda name: t(f"kind.{name}"))
    st.caption(t(f"train.kind_help.{kind}"))
    if len(input_shape) != 3:
        st.caption(t("train.not_for_points"))
    return model_class(kind)


def _offered(kind_class: type[LatentModel], input_shape, *, layers: bool) -> list[TrainOption]:
    return [option for option in kind_class.train_options
            if option.layers == layers and not (option.images_only and len(input_shape) != 3)]


def model_settings(kind_class: type[LatentModel], input_shape: tuple[int, ...], *, scope: str) -> dict:
    """Widgets for the loss and the kind's options other than its layers; returns them as
    keyword options."""
    options = {}
    losses = kind_class.supported_losses(input_shape)
    if losses:
        key = _start_at(_key(scope, kind_class.kind, "loss"), losses[0])
        if st.session_state[key] not in losses:
            st.session_state[key] = losses[0]
        options["loss"] = st.selectbox(t("train.loss"), losses, key=key, format_func=str.upper)
    for option in _offered(kind_class, input_shape, layers=False):
        options[option.name] = option_widget(option, kind_class.option_default(option.name),
                                             key=_key(scope, kind_class.kind, option.name), kind=kind_class.kind)
    return options


def layer_settings(kind_class: type[LatentModel], input_shape: tuple[int, ...], *, scope: str,
                   suggested_latent_dim: int) -> dict | None:
    """The course's presets for this data, then widgets for the kind's layer options;
    returns them as keyword options, or None when one of them does not read (its widget
    says why)."""
    offered = [candidate.key for candidate in presets_for(input_shape)]
    if offered:
        st.pills(t("train.presets"), offered, key=_key(scope, "preset"),
                 format_func=lambda key: t(f"train.preset.{key}"), on_change=_apply_preset,
                 args=(scope, tuple(input_shape), suggested_latent_dim))
    options, readable = {}, True
    for option in _offered(kind_class, input_shape, layers=True):
        value = option_widget(option, kind_class.option_default(option.name),
                              key=_key(scope, kind_class.kind, option.name), kind=kind_class.kind)
        readable = readable and value is not None
        options[option.name] = value
    return options if readable else None


def _apply_preset(scope: str, input_shape: tuple[int, ...], suggested_latent_dim: int) -> None:
    """Set the kind, the code size, the loss and the layer options of the chosen preset into
    their widgets (the kinds with presets have no other options)."""
    chosen = st.session_state.get(_key(scope, "preset"))
    if chosen is None:  # the chosen pill clicked again: nothing to set
        return
    picked = preset(chosen)
    kind_class = model_class(picked.kind)
    st.session_state[_key(scope, "kind")] = picked.kind
    st.session_state[_key(scope, picked.kind, "latent")] = picked.latent_dim or suggested_latent_dim
    losses = kind_class.supported_losses(input_shape)
    if losses:
        st.session_state[_key(scope, picked.kind, "loss")] = losses[0]
    for option in kind_class.train_options:
        if option.layers:
            st.session_state[_key(scope, picked.kind, option.name)] = _widget_value(option,
                                                                                   picked.value(option.name))


def latent_size(slot, kind_class: type[LatentModel], input_shape: tuple[int, ...], options: dict | None, *,
                scope: str, suggested_latent_dim: int) -> int:
    """The code size in ``slot`` (a container above): a number to choose, or the size the
    layer ``options`` fix, shown as such (for a kind without a latent code, the bottleneck's
    size, said to be no code)."""
    fixed = kind_class.fixed_latent_dim(input_shape, options) if options is not None else None
    with slot:
        if fixed is not None and not kind_class.has_latent:
            st.caption(t("train.bottleneck_bypassed", size=f"{fixed:,}"))
            return fixed
        if fixed is not None:
            st.number_input(t("common.latent_size"), value=fixed, disabled=True)
            st.caption(t("train.code_is_feature_map", size=fixed))
            return fixed
        default = (suggested_latent_dim if kind_class.latent_dim_from_data
                   else kind_class.option_default("latent_dim"))
        key = _start_at(_key(scope, kind_class.kind, "latent"), min(default, MAX_LATENT_DIM))
        return int(st.number_input(t("common.latent_size"), min_value=1, max_value=MAX_LATENT_DIM, key=key))


def _widget_value(option: TrainOption, value):
    """``value`` of ``option`` as its widget holds it."""
    if option.type == "int_list":
        return format_list(value)
    if option.type == "number":
        return float(value)
    if option.type == "range":
        return tuple(float(v) for v in value)
    if option.type == "some_of":
        return list(value)
    return value


def _choice_label(option: TrainOption, value) -> str:
    """A choice as shown: its text ``train.choice.<option>.<value>`` where there is one,
    else the value itself (numbers as ``1e-04``)."""
    key = f"train.choice.{option.name}.{value}"
    if key in TEXT:
        return t(key)
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def option_widget(option: TrainOption, default, *, key: str, kind: str | None = None):
    """The widget for one option, starting at ``default``; returns the chosen value (None
    for a list that does not read, with the reason under its field). Its label is the kind's
    own text ``train.option.<kind>.<name>`` where there is one, else ``train.option.<name>``."""
    own_label = f"train.option.{kind}.{option.name}"
    label = t(own_label if own_label in TEXT else f"train.option.{option.name}")
    if option.type in ("number", "range"):  # a slider's own default says whether it picks a range
        return st.slider(label, float(option.minimum), float(option.maximum), _widget_value(option, default),
                         float(option.step), key=key)
    _start_at(key, _widget_value(option, default))
    if option.type == "some_of":
        return tuple(st.multiselect(label, option.choices, key=key))
    if option.type == "flag":
        return st.toggle(label, key=key)
    if option.type == "int_list":
        text = st.text_input(label, key=key, help=t("train.list_help", minimum=int(option.minimum),
                                                     maximum=int(option.maximum), count=option.max_length))
        try:
            return option.parse_list(text)
        except SettingsRefused as refused:
            st.error(t(f"train.refused.{refused.code}", **refused.details))
            return None
    def format_choice(value) -> str:
        return _choice_label(option, value)

    if all(isinstance(choice, (int, float)) for choice in option.choices):
        return st.select_slider(label, option.choices, key=key, format_func=format_choice)
    return st.radio(label, option.choices, key=key, horizontal=True, format_func=format_choice)


@st.cache_data(show_spinner=False, max_entries=64)
def _planned(kind: str, input_shape: tuple[int, ...], latent_dim: int, options: dict,
             max_parameters: int | None) -> Architecture:
    """``architectures.plan``, once per kind, data shape, code size, options and limit."""
    return plan(kind, input_shape=input_shape, latent_dim=latent_dim, options=options,
                max_parameters=max_parameters)


def show_architecture(kind_class: type[LatentModel], input_shape: tuple[int, ...], latent_dim: int,
                      options: dict, *, scope: str, suggested_latent_dim: int,
                      max_parameters: int | None) -> Architecture | None:
    """The table of the layers these settings build (before any training) and their
    parameter count; None, with the reason, when they build nothing."""
    chosen = st.session_state.get(_key(scope, "preset"))
    if chosen is not None and not preset(chosen).matches(kind_class.kind, latent_dim, options, input_shape=input_shape,
                                                         suggested_latent_dim=suggested_latent_dim):
        st.caption(t("train.preset_changed", preset=t(f"train.preset.{chosen}")))
    try:
        architecture = _planned(kind_class.kind, tuple(input_shape), latent_dim, options, max_parameters)
    except SettingsRefused as refused:
        logger.info("%s does not build with %s: %s", kind_class.kind, options, refused)
        st.error(t(f"train.refused.{refused.code}", **refused.details))
        return None
    except ValueError as error:  # a model class refuses options that do not fit together (in English)
        logger.warning("%s does not build with %s: %s", kind_class.kind, options, error)
        st.error(t("train.bad_settings", kind=t(f"kind.{kind_class.kind}")))
        return None
    st.dataframe(pd.DataFrame([{
        t("train.col.part"): row["part"], t("train.col.layer"): row["layer"], t("train.col.type"): row["type"],
        t("train.col.shape"): row["output_shape"], t("train.col.activation"): row["activation"] or "",
        t("train.col.parameters"): row["parameters"],
    } for row in architecture.rows]), hide_index=True, width="stretch")
    st.caption(t("train.parameters", count=f"{architecture.parameters:,}"))
    return architecture
