"""The Latent map page's views: the map and its figure, placing a new image, a selection decoded,
the decoded plane of a 2-D latent.

Maps computed on demand are cached per model version, dataset content, method and point
count (``ui.codes.map_cache``) for every session; t-SNE and UMAP maps are jobs in the
server's shared queue (``ui.queue_views``). Downloads are built only when clicked.
"""

from __future__ import annotations

import hashlib
import logging

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import qualitative

from latent_core import data, drawing, images, jobs, keys, map_images, maps, projection, trust
from latent_core.images import montage, png_bytes, shown_png, upscale
from latent_core.uploads import MAX_PICTURE_BYTES
from ui import codes, models, queue_views, share
from ui.canvas import DRAW_BRUSH, drawing_canvas
from ui.shell import lang, t
from ui.uploads import refusal_text, upload_limit

logger = logging.getLogger(__name__)

DEFAULT_POINTS = 2000
MIN_POINTS = 100
SHOWN_SELECTION = 48
NEIGHBOURS = 10
PALETTE = qualitative.D3 + qualitative.Alphabet
PLACE_SOURCES = ("none", "test", "draw", "upload")
QUEUED_METHODS = ("tsne", "umap")  # seconds or more of CPU each: they wait their turn in the server's queue
MAP_JOB = "latent_map.job"
SUPERSEDED_WAIT_S = 2.0  # a t-SNE job asked to stop ends at its next progress report, well within this
IMAGE_LAYERS = ("dots", "thumbnails", "regions")
REGION_STEPS = (4, 24, 12)  # the "what lives here" grid's cells per side: least, most, default


def method_label(method: str) -> str:
    return {"tsne": "t-SNE", "pca": "PCA", "umap": "UMAP"}.get(method) or t(f"latent_map.method.{method}")


def computed_map(model_key: str, dataset: data.Dataset, sample: maps.CodeSample, method: str,
                 points: int) -> projection.Projection:
    """A map computed on demand, once per model version, dataset content and settings for every
    session. PCA and identity maps take a moment and are made here; a t-SNE or UMAP map is this
    session's job in the server's queue until it is ready: the page shows its place or progress
    and stops there. Other settings replace a job not yet done."""
    key = (model_key, keys.dataset_key(dataset), method, points)
    job = st.session_state.get(MAP_JOB)
    if job is not None and st.session_state.get(f"{MAP_JOB}.context") != key:  # other settings now
        job.stop()
        job.join(SUPERSEDED_WAIT_S)
        del st.session_state[MAP_JOB]
        job = None
    cache = codes.map_cache()
    found = cache.get(key)
    if found is not None:
        return found
    if method not in QUEUED_METHODS:
        try:
            return cache.get_or_compute(key, lambda: projection.project(sample.codes, method=method,
                                                                        max_points=points, seed=0))
        except ValueError as error:  # too few points, or codes that cannot be mapped
            logger.warning("the %s map of %s failed", method, model_key, exc_info=error)
            st.error(t("latent_map.map_failed", error=error))
            st.stop()
    ended = queue_views.ended_job(
        MAP_JOB, failed_text=lambda snapshot: t("latent_map.map_failed", error=snapshot.error),
        retry_label=t("queue.retry"), retry_key="latent_map.retry")
    if ended is not None:
        if ended.completed:
            return ended.result
        st.stop()  # a job that ended without a map waits for a retry
    if st.session_state.get(MAP_JOB) is None and queue_views.submit(MAP_JOB, lambda **queueing: jobs.ProjectionJob(
            sample.codes, method=method, max_points=points, seed=0, name=method_label(method),
            on_ready=lambda mapped: cache.get_or_compute(key, lambda: mapped), **queueing), context=key) is None:
        st.stop()  # this user has another job in the queue; the page said which
    queue_views.watch(MAP_JOB, lambda progress: t("latent_map.computing", method=method_label(method),
                                                  points=f"{points:,}", percent=round(100 * progress.fraction)))
    st.stop()


def map_figure(mapped: projection.Projection, labels: np.ndarray, names: list[str],
               placed: np.ndarray | None, trusted: trust.MapTrust | None = None,
               pictures: list[dict] | None = None) -> tuple[go.Figure, list[np.ndarray]]:
    """One WebGL trace per class (a colour scale for continuous labels), or one coloured by the
    neighbours each point kept when ``trusted`` is given, and the placed image's star; ``pictures``
    (from :func:`image_layer`) are drawn as the figure's layout images.

    Returns the figure and, per trace, the sample rows it draws, to read selections back.
    """
    figure = go.Figure()
    trace_rows = []
    if trusted is not None:
        figure.add_trace(trust_trace(mapped, labels, names, trusted))
        trace_rows.append(mapped.indices)
    elif names:
        for label, name in enumerate(names):
            at = np.flatnonzero(labels == label)
            if not len(at):
                continue
            rows = mapped.indices[at]
            figure.add_trace(go.Scattergl(
                x=mapped.coordinates[at, 0], y=mapped.coordinates[at, 1], mode="markers", name=name,
                marker={"size": 5, "opacity": 0.75, "color": PALETTE[label % len(PALETTE)]},
                hovertext=[f"{name} · #{row}" for row in rows], hoverinfo="text"))
            trace_rows.append(rows)
    else:
        figure.add_trace(go.Scattergl(
            x=mapped.coordinates[:, 0], y=mapped.coordinates[:, 1], mode="markers", name=t("latent_map.points_name"),
            marker={"size": 5, "color": labels, "colorscale": "Viridis",
                    "colorbar": {"title": {"text": t("latent_map.position")}}},
            hovertext=[f"{value:.2f} · #{row}" for value, row in zip(labels, mapped.indices)], hoverinfo="text"))
        trace_rows.append(mapped.indices)
    if placed is not None:
        figure.add_trace(go.Scatter(
            x=placed[:, 0], y=placed[:, 1], mode="markers", name=t("latent_map.placed_marker"),
            marker={"symbol": "star", "size": 22, "color": "black", "line": {"color": "white", "width": 2}},
            hovertext=[t("latent_map.placed_marker")], hoverinfo="text"))
    axis = {"showticklabels": mapped.method != "tsne", "zeroline": False}
    # Dragging zooms (thumbnails grow with it) and a click selects the point under it; a lasso or a box
    # is one of the map's tools (Streamlit lets a click select only outside the lasso and box modes).
    figure.update_layout(height=620, dragmode="zoom", margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         legend={"itemsizing": "constant"}, xaxis=axis, yaxis=axis, images=pictures or [])
    return figure, trace_rows


@st.cache_data(show_spinner=False, max_entries=16)
def thumbnails(sample_key: str, map_key: tuple, _mapped: projection.Projection,
               _inputs: np.ndarray) -> list[dict]:
    """The map's thumbnail layer (``map_images.thumbnail_layer``), once per map (``sample_key``, ``map_key``)."""
    return map_images.thumbnail_layer(_mapped.coordinates, _inputs[_mapped.indices], map_images.MAX_THUMBNAILS)


@st.cache_data(show_spinner=False, max_entries=8)
def region_grid(sample_key: str, map_key: tuple, steps: int, _mapped: projection.Projection,
                _model) -> dict:
    """The map's "what lives here" picture, each filled cell's mean code decoded in one model call,
    once per map and number of cells."""
    grid = map_images.region_codes(_mapped.coordinates, _mapped.codes, steps=steps)
    return map_images.region_layer(grid, np.clip(_model.decode(grid.codes.astype(np.float32)), 0.0, 1.0))


def image_layer(sample_key: str, map_key: tuple, mapped: projection.Projection, sample: maps.CodeSample,
                model) -> list[dict]:
    """What the map shows besides its dots: its points' own images (thumbnails) or the decoded
    "what lives here" grid, as plotly layout images; none for dots only, or data that are not images."""
    if sample.inputs.ndim != 4:
        return []
    labels = {layer: t(f"latent_map.images.{layer}") for layer in IMAGE_LAYERS}
    share.seed_choice("latent_map.images", "images", IMAGE_LAYERS)
    layer = st.radio(t("latent_map.images"), IMAGE_LAYERS, horizontal=True, key="latent_map.images",
                     format_func=labels.get, help=t("latent_map.images_help", count=map_images.MAX_THUMBNAILS))
    share.publish("images", layer)
    if layer == "thumbnails":
        st.caption(t("latent_map.thumbnails_explain", count=min(map_images.MAX_THUMBNAILS, len(mapped.indices))))
        return thumbnails(sample_key, map_key, mapped, sample.inputs)
    if layer != "regions":
        return []
    low, high, default = REGION_STEPS
    share.seed_int("latent_map.region_steps", "cells", low, high)
    steps = st.slider(t("latent_map.region_steps"), low, high, default, key="latent_map.region_steps")
    share.publish("cells", steps)
    st.caption(t("latent_map.regions_explain"))
    return [region_grid(sample_key, map_key, steps, mapped, model)]


def trust_trace(mapped: projection.Projection, labels: np.ndarray, names: list[str],
                trusted: trust.MapTrust) -> go.Scattergl:
    """The map's points coloured by their neighbour recall on a fixed 0–100% scale, red where the map lost them."""
    kept = np.rint(trusted.recall * trusted.neighbours).astype(int)
    point_names = [names[int(label)] for label in labels] if names else [f"{value:.2f}" for value in labels]
    return go.Scattergl(
        x=mapped.coordinates[:, 0], y=mapped.coordinates[:, 1], mode="markers", name=t("latent_map.colour.trust"),
        marker={"size": 5, "color": trusted.recall, "colorscale": "RdYlBu", "cmin": 0.0, "cmax": 1.0,
                "colorbar": {"title": {"text": t("latent_map.trust_axis", k=trusted.neighbours)},
                             "tickformat": ".0%"}},
        hovertext=[t("latent_map.trust_hover", name=name, row=row, kept=count, k=trusted.neighbours)
                   for name, row, count in zip(point_names, mapped.indices, kept)], hoverinfo="text")


def trust_colouring(sample_key: str, map_key: tuple, mapped: projection.Projection,
                    names: list[str]) -> trust.MapTrust | None:
    """The colouring choice; for "neighbours kept", the map's trust (computed once per map and
    kept), its numbers and what to look for. None when points are coloured by their labels."""
    labels = {"labels": t("common.class") if names else t("latent_map.colour.position"),
              "trust": t("latent_map.colour.trust")}
    share.seed_choice("latent_map.colour", "colour", list(labels))
    colouring = st.radio(t("latent_map.colour"), list(labels), horizontal=True, key="latent_map.colour",
                         format_func=labels.get, help=t("latent_map.colour_help"))
    share.publish("colour", colouring)
    if colouring != "trust":
        return None
    with st.spinner(t("latent_map.trust_computing", points=f"{len(mapped.indices):,}")):
        trusted = codes.map_trust(sample_key, map_key, mapped)
    numbers = st.columns(2)
    numbers[0].metric(t("latent_map.trustworthiness"), f"{trusted.trustworthiness:.3f}",
                      help=t("latent_map.trustworthiness_help", k=trusted.neighbours))
    numbers[1].metric(t("latent_map.mean_recall", k=trusted.neighbours), f"{trusted.mean_recall:.0%}")
    st.caption(t("latent_map.trust_explain", k=trusted.neighbours))
    return trusted


def image_to_place(dataset: data.Dataset, model) -> tuple[np.ndarray, str] | None:
    """The image the user chose to place on the map and a caption, or None."""
    names = dataset.class_names(lang())
    labels = {source: t(f"latent_map.place.{source}") for source in PLACE_SOURCES if source != "none"}
    labels["none"] = t("common.none")
    kept = st.session_state.get("latent_map.kept_place_source", "none")  # a widget's own state ends with its page
    source = st.radio(t("latent_map.place"), PLACE_SOURCES, index=PLACE_SOURCES.index(kept), horizontal=True,
                      key="latent_map.place_source", format_func=labels.get)
    st.session_state["latent_map.kept_place_source"] = source
    if source == "test":
        count = len(dataset.x_test)
        if st.session_state.get("latent_map.place_index", 0) >= count:
            st.session_state["latent_map.place_index"] = 0
        index = st.number_input(t("latent_map.place_index", count=f"{count:,}"), min_value=0, max_value=count - 1,
                                key="latent_map.place_index")
        caption = t("latent_map.placed_test", index=index,
                    name=names[int(dataset.y_test[index])] if names else "")
        return dataset.x_test[index], caption
    if source == "draw":
        st.caption(t("latent_map.draw_help"))
        pixels = drawing_canvas("latent_map.draw", background_color="#000000", stroke_width=DRAW_BRUSH)
        try:
            image = drawing.to_dataset_style(pixels, model.input_shape,
                                             bright_ink=drawing.has_bright_ink(dataset.x_train[:500]))
        except drawing.EmptyDrawingError:
            st.info(t("latent_map.empty_drawing"))
            return None
        return image, t("common.drawing_as_seen")
    if source == "upload":
        upload = st.file_uploader(t("latent_map.upload"), type=["png", "jpg", "jpeg"], key="latent_map.upload")
        if upload is None:
            return None
        try:
            picture = images.read_picture(upload.getvalue(), name=upload.name,
                                          max_bytes=upload_limit(MAX_PICTURE_BYTES))
        except images.PictureError as error:
            st.error(t("latent_map.upload_failed", error=refusal_text(error)))
            return None
        if picture.is_colour and model.input_shape[-1] == 1:
            st.info(t("latent_map.upload_grey"))
        bright_ink = drawing.has_bright_ink(dataset.x_train[:500])
        return maps.image_from_upload(picture, model.input_shape, bright_ink=bright_ink), upload.name
    return None


def placement(map_key: tuple, mapped: projection.Projection, image: np.ndarray, model) -> tuple[np.ndarray, np.ndarray]:
    """The image's code and its place on the map, kept in the session so a rerun does not redo it
    (keyed by the map, which names the model version and the dataset's content, and the image)."""
    image_key = (map_key, hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest())
    kept = st.session_state.get("latent_map.placed")
    if kept is None or kept[0] != image_key:
        code = model.encode(image[np.newaxis])
        kept = (image_key, code, projection.place(mapped, code))
        st.session_state["latent_map.placed"] = kept
    return kept[1], kept[2]


def show_selection(rows: np.ndarray, sample: maps.CodeSample, names: list[str], model, classifier) -> None:
    """The selected points' images and their mean code decoded; one point's image large beside
    its code decoded."""
    if len(rows) == 1 and sample.inputs.ndim == 4:
        show_point(int(rows[0]), sample, names, model)
        return
    st.subheader(t("latent_map.selected", count=f"{len(rows):,}"))
    if names:
        found, counts = np.unique(sample.labels[rows].astype(int), return_counts=True)
        order = np.argsort(-counts)
        st.caption(", ".join(f"{names[found[i]]} ×{counts[i]}" for i in order))
    mean = sample.codes[rows].mean(axis=0, keepdims=True)
    decoded = model.decode(mean)[0]
    if sample.inputs.ndim != 4:
        st.write(t("latent_map.mean_point", point=", ".join(f"{value:.2f}" for value in decoded)))
        return
    shown = rows[:SHOWN_SELECTION]
    st.image(shown_png(montage(sample.inputs[shown], columns=8, cell=44)), output_format="PNG",
             caption=t("latent_map.shown", shown=len(shown), count=len(rows)))
    image = np.clip(decoded, 0.0, 1.0)
    caption = t("latent_map.mean_image", count=len(rows))
    if classifier is not None:
        probabilities = classifier.predict_proba(image[np.newaxis])[0]
        best = int(np.argmax(probabilities))
        caption = t("latent_map.mean_verdict", caption=caption, name=names[best] if names else best,
                    percent=round(100 * float(probabilities[best])))
    st.image(shown_png(upscale(image, 168)), caption=caption, output_format="PNG")
    labels = [names[int(label)] for label in sample.labels[rows]] if names else None
    downloads = st.columns(2)
    downloads[0].download_button(t("latent_map.download_mean"), lambda: png_bytes(upscale(image, 280)),
                                 file_name="selection-mean.png", mime="image/png", on_click="ignore")
    downloads[1].download_button(t("latent_map.download_codes"), lambda: maps.codes_csv(sample.codes[rows], labels),
                                 file_name="selected-codes.csv", mime="text/csv", on_click="ignore")


def show_point(row: int, sample: maps.CodeSample, names: list[str], model) -> None:
    """A clicked point: its image and the image its code decodes to, side by side."""
    name = names[int(sample.labels[row])] if names else f"{float(sample.labels[row]):.2f}"
    st.subheader(t("latent_map.point", name=name, row=row))
    decoded = np.clip(model.decode(sample.codes[row][np.newaxis]), 0.0, 1.0)[0]
    columns = st.columns(2)
    columns[0].image(shown_png(upscale(sample.inputs[row], 168)), caption=t("latent_map.point_image"),
                     output_format="PNG")
    columns[1].image(shown_png(upscale(decoded, 168)), caption=t("latent_map.point_decoded"), output_format="PNG")


@st.cache_resource(show_spinner=False, max_entries=8)
def decoded_grid(sample_key: str, steps: int, _model, _codes: np.ndarray) -> maps.ManifoldGrid:
    """The decoded plane over the codes' range, once per model version, data and steps."""
    return maps.manifold_grid(lambda grid: np.clip(_model.decode(grid), 0.0, 1.0), _codes, steps=steps)


def manifold_figure(grid: maps.ManifoldGrid, sample: maps.CodeSample, names: list[str], show_codes: bool) -> go.Figure:
    """The decoded grid as a picture over the latent plane, the data's codes drawn on top."""
    cell = max(28, grid.images.shape[1] * 2)
    picture = montage(grid.images, columns=grid.steps, cell=cell, padding=0)
    figure = go.Figure()
    figure.add_layout_image(source=picture, xref="x", yref="y", x=grid.x_range[0], y=grid.y_range[1],
                            sizex=grid.x_range[1] - grid.x_range[0], sizey=grid.y_range[1] - grid.y_range[0],
                            sizing="stretch", layer="below")
    if show_codes:
        for label, name in enumerate(names):
            at = np.flatnonzero(sample.labels == label)
            figure.add_trace(go.Scattergl(x=sample.codes[at, 0], y=sample.codes[at, 1], mode="markers", name=name,
                                          marker={"size": 4, "opacity": 0.6, "color": PALETTE[label % len(PALETTE)]},
                                          hovertext=[name] * len(at), hoverinfo="text"))
    figure.update_layout(height=640, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"itemsizing": "constant"},
                         xaxis={"range": list(grid.x_range), "title": {"text": "z₀"}, "zeroline": False,
                                "showgrid": False, "constrain": "domain"},
                         yaxis={"range": list(grid.y_range), "title": {"text": "z₁"}, "zeroline": False,
                                "showgrid": False})
    return figure


def chosen_map(choice: models.ModelChoice, dataset: data.Dataset, sample: maps.CodeSample,
               source_text: str) -> tuple[projection.Projection, tuple]:
    """The map the user's method asks for: precomputed when the library has it, else computed
    here (up to the hosting cap of points). Returns the map and a key naming it: the model's
    version, the dataset's content, the method and the points."""
    methods = [m for m in projection.available_methods() if m != "identity" or choice.latent_dim == 2]
    controls = st.columns([3, 2])
    share.seed_choice("latent_map.method", "map", methods)
    method = controls[0].radio(t("latent_map.method"), methods, horizontal=True, key="latent_map.method",
                               format_func=method_label, help=t("latent_map.method_help"))
    share.publish("map", method)
    latent_map = codes.latent_map_of(choice)
    if latent_map is not None and method in latent_map.coordinates:
        mapped = latent_map.projection(method)
        st.caption(t("latent_map.precomputed", count=f"{len(mapped.indices):,}", source=source_text))
        share.publish("points", None)
        return mapped, (choice.cache_key, keys.dataset_key(dataset), method, "precomputed")
    available = models.limits().cap("max_tsne_points", len(sample.codes))  # hosted: a classroom limit
    points = available
    if available > MIN_POINTS:
        share.seed_int("latent_map.points", "points", MIN_POINTS, available)
        points = controls[1].slider(t("latent_map.points"), MIN_POINTS, available, min(DEFAULT_POINTS, available),
                                    step=50, key="latent_map.points", help=t("latent_map.points_help"))
    share.publish("points", points if available > MIN_POINTS else None)
    mapped = computed_map(choice.cache_key, dataset, sample, method, points)
    st.caption(t("latent_map.computed", count=f"{len(mapped.indices):,}", source=source_text))
    return mapped, (choice.cache_key, keys.dataset_key(dataset), method, points)


def place_section(dataset: data.Dataset, model, sample: maps.CodeSample, mapped: projection.Projection,
                  map_key: tuple, names: list[str]) -> np.ndarray | None:
    """Place a test image, a drawing or an upload onto the map: its nearest neighbours shown,
    its place (for the star on the map) returned; None when nothing is placed."""
    with st.expander(t("latent_map.place_header")):
        st.caption(t("latent_map.place_how_fitted" if mapped.fitted is not None else
                     "latent_map.place_how_neighbours"))
        chosen = image_to_place(dataset, model)
        if chosen is None:
            return None
        image, caption = chosen
        placed_code, placed = placement(map_key, mapped, image, model)
        near = np.argsort(np.linalg.norm(mapped.codes - placed_code, axis=1))[:NEIGHBOURS]
        near_rows = mapped.indices[near]
        pictures = st.columns([1, 3])
        pictures[0].image(shown_png(upscale(image, 112)), caption=caption, output_format="PNG")
        verdict = ""
        if names:
            found, counts = np.unique(sample.labels[near_rows].astype(int), return_counts=True)
            verdict = t("latent_map.neighbours_class", name=names[found[np.argmax(counts)]],
                        count=int(counts.max()), k=len(near_rows))
        pictures[1].image(shown_png(montage(sample.inputs[near_rows], columns=NEIGHBOURS // 2, cell=44)),
                          caption=t("latent_map.neighbours", verdict=verdict), output_format="PNG")
        return placed


def manifold_section(sample_key: str, model, sample: maps.CodeSample, names: list[str]) -> None:
    """The decoded plane of a 2-D latent with the data's codes over it, and its picture to download."""
    st.subheader(t("latent_map.manifold_header"))
    st.write(t("latent_map.manifold_intro"))
    grid_controls = st.columns([3, 2])
    steps = grid_controls[0].slider(t("latent_map.grid_steps"), 6, 30, 16, key="latent_map.grid_steps")
    show_codes = grid_controls[1].toggle(t("latent_map.grid_codes"), value=True, key="latent_map.grid_codes")
    grid = decoded_grid(sample_key, steps, model, sample.codes)
    st.plotly_chart(manifold_figure(grid, sample, names, show_codes), key="latent_map.manifold",
                    config={"displaylogo": False})
    cell = max(28, grid.images.shape[1] * 2)
    st.download_button(t("latent_map.download_grid"),
                       lambda: png_bytes(montage(grid.images, columns=steps, cell=cell, padding=0)),
                       file_name="manifold-grid.png", mime="image/png", on_click="ignore")
