"""What a page needs before it can draw: the sidebar's dataset and model, or one message and a stop.

Every model page starts the same way: the dataset (available? images?), then the model
(loads? is there one? has it an encoder? a latent code?). :func:`require_dataset` and
:func:`require_model` do those checks in that order and show the one message that
applies (shared texts in ``ui/texts/guard.py``), then ``st.stop()`` the page, so a page
body only ever sees what it can use.
"""

from __future__ import annotations

import logging

import streamlit as st

from latent_core import data, store
from latent_core.models import kind_has_latent
from ui import models
from ui.shell import active_dataset, active_model, registered_dataset_name, select_model, t

logger = logging.getLogger(__name__)


def require_dataset(*, images: bool = False) -> data.Dataset:
    """The sidebar's dataset; stops the page when it cannot load, or (``images``) when it holds no images."""
    try:
        dataset = active_dataset()
    except data.DatasetUnavailable as error:
        logger.info("dataset unavailable: %s", error)
        st.error(t("common.dataset_unavailable"))
        st.stop()
    if images and not dataset.is_image:
        st.info(t("guard.not_images"))
        st.stop()
    return dataset


def chosen_model() -> tuple[models.ModelChoice, store.Bundle] | None:
    """The sidebar's model, loaded; None (after saying why) when it does not load, None when there is none."""
    try:
        return active_model()
    except models.LOAD_ERRORS as error:
        _say_load_failed(error)
        return None


def require_model(*, encoder: bool = False, latent: bool = False, no_encoder_text: str = "guard.no_encoder",
                  no_latent_text: str = "guard.no_latent") -> tuple[models.ModelChoice, store.Bundle]:
    """The sidebar's model and its bundle; stops the page when it does not load, when there is
    none, (``encoder``) when it cannot encode, saying so with ``no_encoder_text``, or (``latent``)
    when it has no latent code (a U-Net denoiser), saying so with ``no_latent_text``."""
    try:
        picked = active_model()
    except models.LOAD_ERRORS as error:
        _say_load_failed(error)
        st.stop()
    if picked is None:
        st.info(t("guard.no_model"))
        st.stop()
    model = picked[1].model
    if encoder and not model.has_encoder:
        st.warning(t(no_encoder_text, kind=t(f"kind.{model.kind}")))
        st.stop()
    if latent and not model.has_latent:
        st.warning(t(no_latent_text, kind=t(f"kind.{model.kind}")))
        offer_a_model_with_a_code()
        st.stop()
    return picked


def offer_a_model_with_a_code() -> None:
    """Below a "no latent code" message: a button that makes the dataset's first model with a code the
    sidebar's choice again (the Denoise page offers the library's U-Net, which every page then holds)."""
    with_code = next((choice for choice in models.choices_for(registered_dataset_name(), active_dataset().input_shape)
                      if kind_has_latent(choice.kind)), None)
    if with_code is not None and st.button(t("guard.use_model_with_code", name=with_code.name),
                                           key="guard.use_model_with_code", icon=":material/swap_horiz:"):
        select_model(with_code.key)
        st.rerun()


def _say_load_failed(error: Exception) -> None:
    logger.warning("the chosen model did not load: %s", error, exc_info=error)
    st.error(t("guard.load_failed", error=error))
