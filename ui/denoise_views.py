"""Parts of the Denoise page: the offer of a better denoiser (the library's U-Net denoiser first) and
why skip connections denoise better, with the library's own figures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from latent_core.evaluation import denoising_sweep
from ui import models
from ui.shell import registered_dataset_name, select_model, t

UNET_KIND = "unet_denoiser"
BOTTLENECK_KIND = "denoising_ae"
COMPARED_STRENGTH = 0.2


def library_denoisers(input_shape) -> tuple[models.ModelChoice | None, models.ModelChoice | None]:
    """The library's U-Net denoiser and bottleneck denoising AE for the sidebar's dataset (None where
    there is none)."""
    dataset_name = registered_dataset_name()
    found = [next(iter(models.pretrained_choices(dataset_name, input_shape, kind=kind)), None)
             for kind in (UNET_KIND, BOTTLENECK_KIND)]
    return found[0], found[1]


def denoiser_hint(model_kind: str, unet: models.ModelChoice | None,
                  bottleneck: models.ModelChoice | None) -> None:
    """Say which library denoiser does better than the chosen model, with a button to use it."""
    if model_kind == UNET_KIND:
        return
    better = unet if unet is not None else (bottleneck if model_kind != BOTTLENECK_KIND else None)
    if better is None:
        if model_kind != BOTTLENECK_KIND:
            st.caption(t("denoise.train_denoiser"))
        return
    hint, switch = st.columns([4, 1], vertical_alignment="center")
    hint.info(t("denoise.try_unet" if better is unet else "denoise.try_denoiser", name=better.name))
    if switch.button(t("denoise.use_denoiser"), key="denoise.use_denoiser"):
        select_model(better.key)
        st.rerun()


def sweep_table(unet: models.ModelChoice, bottleneck: models.ModelChoice | None) -> pd.DataFrame:
    """PSNR (of the mean MSE) per noise strength of the noisy inputs and each library denoiser, from
    their manifests' metrics."""
    columns = {t("denoise.why.noisy"): denoising_sweep(unet.metrics, output="noisy")}
    for choice in (bottleneck, unet):
        if choice is not None:
            columns[choice.name] = denoising_sweep(choice.metrics)
    table = pd.DataFrame(columns)
    table.index = [f"{strength:.1f}" for strength in table.index]
    table.index.name = "σ"
    return table.round(1)


def why_skip_connections(unet: models.ModelChoice | None, bottleneck: models.ModelChoice | None) -> None:
    """Why the skip-connection denoiser beats the bottleneck one, with the PSNRs the library measured."""
    if unet is None:
        return
    with st.expander(t("denoise.why.title")):
        st.write(t("denoise.why.body"))
        table = sweep_table(unet, bottleneck)
        if table.empty:
            return
        st.dataframe(table, width="content")
        unet_mean = denoising_sweep(unet.metrics, per_image=True).get(COMPARED_STRENGTH)
        at = f"{COMPARED_STRENGTH:.1f}"
        if bottleneck is not None and at in table.index:
            st.caption(t("denoise.why.compared", strength=at, unet=unet.name, bottleneck=bottleneck.name,
                         unet_psnr=table.loc[at, unet.name], bottleneck_psnr=table.loc[at, bottleneck.name]))
        clean = bottleneck.metrics.get("test_psnr") if bottleneck is not None else None
        if clean is not None:
            st.caption(t("denoise.why.ceiling", bottleneck=bottleneck.name, clean=clean))
        st.caption(t("denoise.why.source"))
        if unet_mean is not None:
            st.caption(t("denoise.why.per_image", name=unet.name, strength=at, value=unet_mean))
