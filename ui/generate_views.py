"""The Generate page's views: class images and their sliders, perturbations, interpolation, VAE
prior samples and GAN samples, each a fragment that a slider move reruns alone.

Images come from the model's compiled fast path (``decode``); downloads are built only
when clicked. VAE and GAN tabs also show the classes of ``evaluation.GAN_SAMPLES`` samples
as the dataset's classifier sees them, and name mode collapse (``evaluation.class_coverage``).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latent_core import evaluation, latent, maps
from latent_core.images import montage, png_bytes, shown_png, upscale
from ui import share
from ui.shell import t

DIRECTION_RANGE = 3.0
SLIDER_STEP = 0.1
MAX_DIMENSION_SLIDERS = 8
GAN_NOISE_SLIDERS = 6
SHOWN_SIZE = 224
GRID_COLUMNS = 8
CLASS_KEY = "generate.class"  # the page's class choice, which the class fragments are drawn for
AVERAGE_KEY = "generate.average"  # which class average the class fragments start from
AVERAGE_KINDS = ("plain", "typical")  # latent_core.latent.ClassAverages' plain and typical
GAN_SEED_KEY, GAN_PICK_KEY = "generate.gan_seed", "generate.gan_pick"  # the GAN sample the noise sliders start from


def decoded(model, code_rows: np.ndarray) -> np.ndarray:
    """Images of a few codes through the model's compiled fast path, clipped for display."""
    return np.clip(model.decode(np.asarray(code_rows, dtype=np.float32)), 0.0, 1.0)


def verdicts(classifier, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's class and confidence for each image."""
    probabilities = classifier.predict_proba(images)
    best = np.argmax(probabilities, axis=1)
    return best, probabilities[np.arange(len(best)), best]


def show_verdict(classifier, image: np.ndarray, names: list[str]) -> None:
    if classifier is None:
        st.caption(t("generate.no_classifier"))
        return
    best, confidence = verdicts(classifier, image[np.newaxis])
    st.metric(t("generate.classifier_says"), names[int(best[0])], t("generate.confidence",
              percent=round(100 * float(confidence[0]))), delta_color="off")


def verdict_summary(classifier, images: np.ndarray, names: list[str]) -> str:
    """How many images the classifier puts in each class, most common first."""
    if classifier is None:
        return ""
    found, counts = np.unique(verdicts(classifier, images)[0], return_counts=True)
    order = np.argsort(-counts)
    return t("generate.classes_seen", classes=", ".join(f"{names[found[i]]} ×{counts[i]}" for i in order))


@st.cache_data(show_spinner=False, max_entries=16)
def sampled_classes(model_key: str, classifier_key: str, _model, _classifier) -> np.ndarray:
    """The classifier's class for each of the library's ``GAN_SAMPLES`` samples, once per model and classifier."""
    return evaluation.sample_classes(_model, _classifier)


def class_histogram(model_key: str, classifier_key: str | None, model, classifier, names: list[str]) -> None:
    """The classes of many samples as a bar chart, and whether they show mode collapse."""
    if classifier is None or len(names) < 2:
        st.caption(t("generate.no_classifier"))
        return
    coverage = evaluation.class_coverage(sampled_classes(model_key, classifier_key, model, classifier), len(names))
    figure = go.Figure(go.Bar(x=names, y=coverage.shares, marker_color=["#d62728" if c in coverage.rare else "#1f77b4"
                                                                       for c in range(len(names))]))
    figure.add_hline(y=coverage.min_share, line_dash="dash", annotation_text=t("generate.rare_line"))
    figure.update_layout(height=260, yaxis_title=t("generate.share_axis"), yaxis_tickformat=".0%",
                         margin={"t": 20, "b": 0, "l": 0, "r": 0})
    st.markdown(f"**{t('generate.histogram', count=f'{evaluation.GAN_SAMPLES:,}')}**")
    st.plotly_chart(figure, width="stretch")
    numbers = {"entropy": f"{coverage.entropy:.2f}", "max_entropy": f"{coverage.max_entropy:.2f}",
               "min_entropy": f"{coverage.min_entropy:.2f}", "min_share": f"{coverage.min_share:.0%}"}
    if coverage.collapsed:
        rare = ", ".join(f"{names[c]} ({coverage.shares[c]:.1%})" for c in coverage.rare) or t("generate.none_rare")
        st.warning(t("generate.collapse", rare=rare, **numbers), icon=":material/warning:")
    else:
        st.success(t("generate.no_collapse", **numbers))
    st.caption(t("generate.histogram_judge"))


def downloads(prefix: str, picture, code_rows: np.ndarray, labels: list[str] | None = None) -> None:
    """PNG of the picture, and the codes behind it as CSV and NPZ, each built only when clicked
    (a slider move then encodes nothing it does not show)."""
    columns = st.columns(3)
    columns[0].download_button(t("generate.download_png"), lambda: png_bytes(picture), file_name=f"{prefix}.png",
                               mime="image/png", key=f"generate.{prefix}.png", on_click="ignore",
                               icon=":material/download:", help=t("generate.download_png_help"))
    columns[1].download_button(t("generate.download_csv"), lambda: maps.codes_csv(code_rows, labels),
                               file_name=f"{prefix}-codes.csv", mime="text/csv", key=f"generate.{prefix}.csv",
                               on_click="ignore", icon=":material/download:",
                               help=t("generate.download_codes_help", format="CSV"))
    columns[2].download_button(t("generate.download_npz"), lambda: maps.codes_npz(code_rows),
                               file_name=f"{prefix}-codes.npz", mime="application/octet-stream",
                               key=f"generate.{prefix}.npz", on_click="ignore",
                               icon=":material/download:", help=t("generate.download_codes_help", format="NPZ"))


def reset_sliders(keys: list[str]) -> None:
    for key in keys:
        st.session_state[key] = 0.0


@st.fragment
def shape_sliders(model, mean: np.ndarray, directions: latent.Directions, names: list[str], classifier,
                  label: int, average: str) -> None:
    """Sliders along class ``label``'s directions (and per dimension) from its ``average`` code ``mean``,
    that repaint only this part."""
    share.redraw_if_changed(CLASS_KEY, label)
    share.redraw_if_changed(AVERAGE_KEY, average)
    class_name = names[label]
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.caption(t("generate.directions_help"))
        direction_keys = [f"generate.direction.{i}" for i in range(len(directions.std))]
        share.seed_numbers(direction_keys, "dir", -DIRECTION_RANGE, DIRECTION_RANGE, SLIDER_STEP)
        values = [st.slider(t("generate.direction", number=i + 1,
                              share=round(100 * float(directions.explained_variance_ratio[i]))),
                            -DIRECTION_RANGE, DIRECTION_RANGE, 0.0, SLIDER_STEP, key=key)
                  for i, key in enumerate(direction_keys)]
        share.publish_numbers("dir", values, SLIDER_STEP)
        code = latent.code_from_sliders(mean, directions, np.array(values))
        dimension_keys = []
        if model.latent_dim <= MAX_DIMENSION_SLIDERS:
            with st.expander(t("generate.dimensions")):
                dimension_keys = [f"generate.dim.{i}" for i in range(model.latent_dim)]
                share.seed_numbers(dimension_keys, "dims", -DIRECTION_RANGE, DIRECTION_RANGE, SLIDER_STEP)
                dimension_values = [st.slider(t("generate.dimension", index=i), -DIRECTION_RANGE, DIRECTION_RANGE,
                                              0.0, SLIDER_STEP, key=key) for i, key in enumerate(dimension_keys)]
                share.publish_numbers("dims", dimension_values, SLIDER_STEP)
            code = code + latent.code_from_dimension_sliders(mean, directions, np.array(dimension_values)) - mean
        else:
            share.publish("dims", None)
        st.button(t("generate.reset"), key="generate.reset", on_click=reset_sliders,
                  args=(direction_keys + dimension_keys,))
    with right:
        image = decoded(model, code[np.newaxis])[0]
        st.image(shown_png(upscale(image, SHOWN_SIZE)), caption=t("generate.slider_image", name=class_name),
                 output_format="PNG")
        show_verdict(classifier, image, names)
        downloads("class-image", upscale(image, 280), code[np.newaxis].astype(np.float32), [class_name])


@st.fragment
def perturbations(model, mean: np.ndarray, directions: latent.Directions, names: list[str], classifier,
                  label: int, average: str) -> None:
    """A grid of random codes around class ``label``'s representative (its ``average`` code ``mean``); spread
    and seed rerun only this part."""
    share.redraw_if_changed(CLASS_KEY, label)
    share.redraw_if_changed(AVERAGE_KEY, average)
    class_name = names[label]
    controls = st.columns(3)
    spread = controls[0].slider(t("generate.spread"), 0.0, 3.0, 1.0, 0.1, key="generate.spread",
                                help=t("generate.spread_help"))
    count = controls[1].slider(t("generate.count"), 8, 48, 16, 8, key="generate.count")
    seed = controls[2].number_input(t("common.seed"), 0, 10_000, 0, key="generate.seed")
    grid_codes = latent.perturbation_grid(mean, n=count, spread=spread, seed=int(seed),
                                          scale=directions.dimension_std)
    images = decoded(model, grid_codes)
    picture = montage(images, columns=GRID_COLUMNS, cell=72)
    st.image(shown_png(picture), caption=t("generate.perturbed", count=count, name=class_name,
                                classes=verdict_summary(classifier, images, names)), output_format="PNG")
    downloads("perturbations", picture, grid_codes)


@st.fragment
def interpolation(model, sample: maps.CodeSample, means: dict[int, np.ndarray], names: list[str], classifier) -> None:
    """A strip of decoded steps between two classes' means or two images' codes."""
    modes = {mode: t(f"generate.between.{mode}") for mode in ("classes", "images")}
    mode = st.radio(t("generate.between"), list(modes), horizontal=True, key="generate.between",
                    format_func=modes.get)
    ends = st.columns(4)
    class_labels = {label: names[label] for label in means}
    if mode == "classes":
        options = list(means)
        start = ends[0].selectbox(t("generate.from"), options, index=0, key="generate.from_class",
                                  format_func=class_labels.get)
        end = ends[1].selectbox(t("generate.to"), options, index=min(1, len(options) - 1), key="generate.to_class",
                                format_func=class_labels.get)
        z0, z1 = means[start], means[end]
        ends_text = t("generate.ends_classes", start=names[start], end=names[end])
    else:
        last = len(sample.codes) - 1
        start = ends[0].number_input(t("generate.from_image", count=len(sample.codes)), 0, last, 0,
                                     key="generate.from_image")
        end = ends[1].number_input(t("generate.to_image", count=len(sample.codes)), 0, last, min(1, last),
                                   key="generate.to_image")
        z0, z1 = sample.codes[start], sample.codes[end]
        ends_text = t("generate.ends_images", start=names[int(sample.labels[start])],
                      end=names[int(sample.labels[end])])
    steps = ends[2].slider(t("generate.steps"), 3, 16, 8, key="generate.steps")
    methods = {method: t(f"generate.method.{method}") for method in latent.INTERPOLATION_METHODS}
    method = ends[3].radio(t("generate.method"), list(methods), key="generate.method", format_func=methods.get,
                           help=t("generate.method_help"))
    path = latent.interpolate(z0, z1, steps, method=method)
    images = decoded(model, path)
    if mode == "images":
        st.image(shown_png(montage(sample.inputs[[start, end]], columns=2, cell=72)), caption=t("generate.originals"),
                 output_format="PNG")
    picture = montage(images, columns=steps, cell=72)
    caption = ends_text
    if classifier is not None:
        caption += " · " + t("generate.classes_seen",
                             classes=" → ".join(names[int(label)] for label in verdicts(classifier, images)[0]))
    st.image(shown_png(picture), caption=caption, output_format="PNG")
    downloads("interpolation", picture, path)


@st.fragment
def prior_samples(model, names: list[str], classifier) -> None:
    """New images from codes drawn from the VAE's standard normal prior."""
    controls = st.columns(2)
    count = controls[0].slider(t("generate.count"), 8, 48, 16, 8, key="generate.prior_count")
    seed = controls[1].number_input(t("common.seed"), 0, 10_000, 0, key="generate.prior_seed")
    prior_codes = latent.prior_samples(count, model.latent_dim, int(seed))
    images = decoded(model, prior_codes)
    picture = montage(images, columns=GRID_COLUMNS, cell=72)
    st.image(shown_png(picture), caption=t("generate.prior_caption", count=count,
                                classes=verdict_summary(classifier, images, names)), output_format="PNG")
    downloads("prior-samples", picture, prior_codes)


def gan_samples(model, names: list[str], classifier) -> None:
    """A grid of GAN samples, then sliders over the noise of one of them."""
    controls = st.columns(2)
    seed = int(controls[0].number_input(t("common.seed"), 0, 10_000, 0, key=GAN_SEED_KEY))
    count = 16
    noise = latent.prior_samples(count, model.latent_dim, seed)
    images = decoded(model, noise)
    picture = montage(images, columns=GRID_COLUMNS, cell=72)
    st.image(shown_png(picture), output_format="PNG",
             caption=t("generate.gan_caption", count=count, classes=verdict_summary(classifier, images, names)))
    downloads("gan-samples", picture, noise)
    pick = int(controls[1].number_input(t("generate.gan_pick", count=count), 1, count, 1, key=GAN_PICK_KEY))
    st.subheader(t("generate.gan_sliders"))
    st.caption(t("generate.gan_sliders_help", count=min(GAN_NOISE_SLIDERS, model.latent_dim), dims=model.latent_dim))
    noise_sliders(model, noise[pick - 1], (seed, pick), names, classifier)


@st.fragment
def noise_sliders(model, base: np.ndarray, base_key: tuple, names: list[str], classifier) -> None:
    """Sliders over the first noise values of one sample (``base_key``: its seed and number), starting from its
    own values."""
    share.redraw_if_changed(GAN_SEED_KEY, base_key[0])
    share.redraw_if_changed(GAN_PICK_KEY, base_key[1])
    keys = [f"generate.noise.{i}" for i in range(min(GAN_NOISE_SLIDERS, model.latent_dim))]
    if st.session_state.get("generate.noise_base") != base_key:
        st.session_state["generate.noise_base"] = base_key
        for key, value in zip(keys, base):
            st.session_state[key] = round(float(np.clip(value, -DIRECTION_RANGE, DIRECTION_RANGE)), 1)
    left, right = st.columns([3, 2], gap="medium")
    code = np.array(base, dtype=np.float32)
    with left:
        for i, key in enumerate(keys):
            code[i] = left.slider(t("generate.noise", index=i), -DIRECTION_RANGE, DIRECTION_RANGE, step=0.1, key=key)
    with right:
        image = decoded(model, code[np.newaxis])[0]
        st.image(shown_png(upscale(image, SHOWN_SIZE)), caption=t("generate.gan_image"), output_format="PNG")
        show_verdict(classifier, image, names)
        downloads("gan-image", upscale(image, 280), code[np.newaxis])
