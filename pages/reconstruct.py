"""Reconstruct & compress: test images through the chosen model and through PCA of the same size."""

import numpy as np
import streamlit as st

from latent_core import data, keys, metrics
from latent_core.images import as_rgb, error_heatmaps, error_scale_bar, montage, shown_png
from ui.guard import require_dataset, require_model
from ui.reconstruct_views import EVAL_IMAGES, PCA_TRAIN_IMAGES, pca_baseline, pca_fits
from ui.shell import lang, start_page, t

COLUMNS = 8


@st.cache_resource(show_spinner=False, max_entries=16)
def model_errors(model_key: str, dataset_key: str, _model, _dataset: data.Dataset) -> np.ndarray:
    """Per-image MSE of the model's reconstructions of the evaluation images."""
    images = _dataset.x_test[:EVAL_IMAGES]
    return metrics.per_image_mse(images, _model.reconstruct(images))


def pick_images(dataset: data.Dataset, *, count: int, label: int | None, seed: int) -> np.ndarray:
    """Indices of ``count`` test images, all of class ``label`` when given."""
    pool = np.arange(len(dataset.x_test)) if label is None else np.flatnonzero(dataset.y_test == label)
    return np.random.default_rng(seed).choice(pool, size=min(count, len(pool)), replace=False)


def next_examples() -> None:
    st.session_state["reconstruct.seed"] = st.session_state.get("reconstruct.seed", 0) + 1


@st.fragment
def image_grid(dataset: data.Dataset, model, baseline: metrics.PCABaseline | None) -> None:
    """Originals over reconstructions with each image's error (and where it lies, as heatmaps); its
    controls rerun only this part."""
    st.subheader(t("reconstruct.grid"))
    controls = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
    count = controls[0].slider(t("reconstruct.count"), 4, 24, 8, step=4, key="reconstruct.count")
    by_class = dataset.num_classes > 0 and controls[1].radio(
        t("reconstruct.pick"), ["random", "class"], horizontal=True, key="reconstruct.pick",
        format_func=lambda option: t(f"reconstruct.pick.{option}")) == "class"
    names = dataset.class_names(lang())
    chosen_class = controls[2].selectbox(t("common.class"), range(len(names)), key="reconstruct.class",
                                  format_func=names.__getitem__) if by_class else None
    controls[3].button(t("reconstruct.shuffle"), on_click=next_examples)
    show_errors = st.toggle(t("reconstruct.show_errors"), value=True, key="reconstruct.show_errors",
                            help=t("reconstruct.show_errors_help"))

    picked = pick_images(dataset, count=count, label=chosen_class, seed=st.session_state.get("reconstruct.seed", 0))
    originals = dataset.x_test[picked]
    reconstructions = model.reconstruct(originals)
    shown = np.clip(reconstructions, 0.0, 1.0)
    rows = [originals, shown] + ([error_heatmaps(originals, shown)] if show_errors else [])
    errors = metrics.per_image_mse(originals, reconstructions)
    labels = [names[int(dataset.y_test[index])] if names else f"#{index}" for index in picked]
    captions = [t("reconstruct.image_error", name=name, model=error) for name, error in zip(labels, errors)]
    if baseline is not None:
        flat = originals.reshape(len(originals), -1)
        pca_images = baseline.pca.inverse_transform(baseline.pca.transform(flat)).reshape(originals.shape)
        shown_pca = np.clip(pca_images, 0.0, 1.0)
        rows += [shown_pca] + ([error_heatmaps(originals, shown_pca)] if show_errors else [])
        pca_errors = metrics.per_image_mse(originals, pca_images)
        captions = [t("reconstruct.image_errors", name=name, model=error, pca=pca_error)
                    for name, error, pca_error in zip(labels, errors, pca_errors)]
    if show_errors:
        rows = [as_rgb(row) for row in rows]
        st.caption(t("reconstruct.rows_errors" if baseline is not None else "reconstruct.rows_errors_no_pca"))
        st.image(shown_png(error_scale_bar()), caption=t("common.error_scale"), width=240, output_format="PNG")
    else:
        st.caption(t("reconstruct.rows" if baseline is not None else "reconstruct.rows_no_pca"))
    for start in range(0, len(picked), COLUMNS):
        for column, index in zip(st.columns(COLUMNS), range(start, min(start + COLUMNS, len(picked)))):
            column.image(shown_png(montage(np.stack([row[index] for row in rows]), columns=1, cell=84)),
                         caption=captions[index], output_format="PNG")


start_page()
st.header(t("page.reconstruct"))
st.write(t("reconstruct.intro", pca_images=f"{PCA_TRAIN_IMAGES:,}"))
dataset = require_dataset(images=True)
choice, bundle = require_model(encoder=True, latent=True, no_latent_text="reconstruct.no_latent")
model = bundle.model

pixels = int(np.prod(model.input_shape))
with st.spinner(t("reconstruct.scoring")):
    errors = model_errors(choice.cache_key, keys.dataset_key(dataset), model, dataset)
    baseline = (pca_baseline(keys.dataset_key(dataset), model.latent_dim, dataset)
                if pca_fits(model.input_shape, model.latent_dim, dataset) else None)

summary = st.columns(3)
summary[0].metric(t("common.compression"), t("reconstruct.ratio_value",
                  ratio=metrics.compression_ratio(model.input_shape, model.latent_dim)),
                  help=t("reconstruct.ratio_help", pixels=f"{pixels:,}", dims=model.latent_dim))
model_mse = float(np.mean(errors))
evaluated = t("reconstruct.mse_help", count=f"{len(errors):,}")
if baseline is None:
    summary[1].metric(t("reconstruct.model_mse"), f"{model_mse:.4f}", help=evaluated)
    st.info(t("reconstruct.no_pca", dims=model.latent_dim, pixels=f"{pixels:,}"))
else:
    change = 100.0 * (baseline.mse - model_mse) / baseline.mse
    versus = t("reconstruct.versus_pca" if change >= 0 else "reconstruct.behind_pca", percent=abs(change))
    summary[1].metric(t("reconstruct.model_mse"), f"{model_mse:.4f}", delta=versus,
                      delta_color="normal" if change >= 0 else "inverse", help=evaluated)
    summary[2].metric(t("reconstruct.pca_mse", dims=model.latent_dim), f"{baseline.mse:.4f}", help=evaluated)
    verdict = "reconstruct.verdict_better" if change >= 0 else "reconstruct.verdict_worse"
    (st.success if change >= 0 else st.warning)(t(verdict, dims=model.latent_dim,
                                                   pca_images=f"{min(len(dataset.x_train), PCA_TRAIN_IMAGES):,}"))

image_grid(dataset, model, baseline)
