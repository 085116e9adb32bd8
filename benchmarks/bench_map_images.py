"""What drawing a map's points as their images costs: the figure built in Python and drawn in the browser.

10,000 real Fashion-MNIST test images (or the bundled 2,000-image sample when the dataset is
not installed) mapped by PCA of their pixels. Three figures as the Latent map page builds
them: dots only (one WebGL ``Scattergl`` trace per class), dots with the thumbnail layer as
one plotly layout image per thumbnail (``map_images.thumbnail_layer``: ``map_images.MAX_THUMBNAILS`` points
picked by ``map_images.spread_points``, each a PNG data URI), and dots with the same
thumbnails pasted into one composite PNG stretched over the map (the alternative). Server
side: building the figure and its JSON. Browser side: headless Chromium draws each figure
with the plotly.js that ships with plotly (``Plotly.newPlot`` until two animation frames
have passed), then zooms in (``Plotly.relayout``), timed in the page.

Usage: ``.venv/bin/python benchmarks/bench_map_images.py [--quick]``.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import load_note, ratio, summarize, table, write_result  # noqa: E402

SPRITE_PIXELS = 2000  # the composite's side: about a full-screen map's size at twice the pixel density
DRAW = """async ([data, layout]) => {
    const div = document.getElementById('map');
    Plotly.purge(div);
    const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
    const started = performance.now();
    await Plotly.newPlot(div, data, layout);
    await frame(); await frame();
    const drawn = performance.now() - started;
    const [x0, x1] = div._fullLayout.xaxis.range, [y0, y1] = div._fullLayout.yaxis.range;
    const zoomStarted = performance.now();
    await Plotly.relayout(div, {'xaxis.range': [x0 + (x1 - x0) / 4, x1 - (x1 - x0) / 4],
                                'yaxis.range': [y0 + (y1 - y0) / 4, y1 - (y1 - y0) / 4]});
    await frame(); await frame();
    return [drawn, performance.now() - zoomStarted];
}"""


def mapped_images(quick: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Images, their labels and a PCA map of their pixels, and where the images come from."""
    from sklearn.decomposition import PCA

    from latent_core.data import load_dataset

    dataset = load_dataset("fashion_mnist")
    count = 2000 if quick else min(10_000, len(dataset.x_test))
    x, y = dataset.x_test[:count], dataset.y_test[:count]
    coordinates = PCA(n_components=2, random_state=0).fit_transform(x.reshape(len(x), -1))
    return x, y, coordinates, f"{count:,} test images of {dataset.source}"


def sprite_image(images: np.ndarray, coordinates: np.ndarray, chosen: np.ndarray, size: float) -> dict:
    """The chosen thumbnails pasted into one transparent PNG over the map's extent, as one layout image."""
    from PIL import Image

    from latent_core.images import upscale

    low = coordinates.min(axis=0) - size / 2
    high = coordinates.max(axis=0) + size / 2
    scale = SPRITE_PIXELS / float(np.max(high - low))
    width, height = (int(np.ceil((high - low)[axis] * scale)) for axis in (0, 1))
    sheet = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    side = max(1, int(round(size * scale)))
    for at in chosen:
        tile = upscale(images[at], side).convert("RGBA")
        x, y = coordinates[at]
        sheet.paste(tile, (int((x - low[0]) * scale - side / 2), int((high[1] - y) * scale - side / 2)))
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG")
    return {"source": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"),
            "xref": "x", "yref": "y", "x": float(low[0]), "y": float(high[1]), "sizex": float(high[0] - low[0]),
            "sizey": float(high[1] - low[1]), "sizing": "stretch", "layer": "above"}


def build(variant: str, images, labels, coordinates) -> str:
    """One figure as the page builds it (a WebGL trace per class and the layout images), as the JSON
    ``st.plotly_chart`` sends."""
    import plotly.graph_objects as go

    from latent_core import map_images

    pictures = []
    if variant == "thumbnails":
        pictures = map_images.thumbnail_layer(coordinates, images, map_images.MAX_THUMBNAILS)
    elif variant == "sprite":
        chosen = map_images.spread_points(coordinates, map_images.MAX_THUMBNAILS)
        pictures = [sprite_image(images, coordinates, chosen, map_images.thumbnail_size(coordinates, chosen))]
    figure = go.Figure()
    for label in range(10):
        at = np.flatnonzero(labels == label)
        figure.add_trace(go.Scattergl(x=coordinates[at, 0], y=coordinates[at, 1], mode="markers", name=str(label),
                                      marker={"size": 5, "opacity": 0.75},
                                      hovertext=[f"{label} · #{row}" for row in at], hoverinfo="text"))
    figure.update_layout(height=620, dragmode="lasso", margin={"l": 10, "r": 10, "t": 10, "b": 10},
                         images=pictures)
    return figure.to_json()


def browser_times(figures: dict[str, str], repeats: int) -> dict[str, tuple]:
    """Draw and zoom times of each figure in headless Chromium, each figure drawn ``repeats`` times."""
    import plotly
    from playwright.sync_api import sync_playwright

    from benchmarks.browser_harness import CHROMIUM, CHROMIUM_ARGS

    script = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_content('<div id="map" style="width:900px;height:620px"></div>')
        page.add_script_tag(path=str(script))
        arguments = {variant: [json.loads(text)["data"], json.loads(text)["layout"]]
                     for variant, text in figures.items()}
        for variant in figures:  # warm-up: compiles the shaders, loads the page's code paths
            page.evaluate(DRAW, arguments[variant])
        runs = {variant: [] for variant in figures}
        for _ in range(repeats):  # the figures in turn, so a change in the machine's load hits each alike
            for variant in figures:
                runs[variant].append(page.evaluate(DRAW, arguments[variant]))
        for variant, measured in runs.items():
            results[variant] = (summarize([draw / 1000 for draw, _ in measured]),
                                summarize([zoom / 1000 for _, zoom in measured]))
        browser.close()
    return results


def difference(drawn: dict[str, tuple], variant: str, part: int) -> str:
    """How many milliseconds ``variant`` adds to dots only in the draw (``part`` 0) or the zoom (1)."""
    return f"{drawn[variant][part].median_ms - drawn['dots'][part].median_ms:+,.0f} ms"


def main() -> None:
    from latent_core import map_images

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 images and fewer repeats")
    arguments = parser.parse_args()
    repeats = 3 if arguments.quick else 7
    images, labels, coordinates, source = mapped_images(arguments.quick)
    variants = {"dots": "dots only", "thumbnails": "dots + thumbnails, one layout image each (the app's)",
                "sprite": "dots + thumbnails in one composite PNG"}
    figures, build_times = {}, {}
    for variant in variants:
        durations = []
        for _ in range(repeats):
            started = time.perf_counter()
            figures[variant] = build(variant, images, labels, coordinates)
            durations.append(time.perf_counter() - started)
        build_times[variant] = summarize(durations)
    drawn = browser_times(figures, repeats)
    rows = [[label, build_times[variant].cells(), f"{len(figures[variant]) / 1e3:,.0f}",
             drawn[variant][0].cells(), drawn[variant][1].cells()] for variant, label in variants.items()]
    body = "\n".join([
        "### Points drawn as their images",
        "",
        f"{source}, mapped by PCA of their pixels; the thumbnail layer draws "
        f"{map_images.MAX_THUMBNAILS} of them chosen to cover the map. Build: the figure and its JSON "
        "in Python (what the page does once per map; the page caches the thumbnails). Draw: headless Chromium "
        "(software WebGL, no GPU) from `Plotly.newPlot` until two animation frames have passed; zoom: "
        f"`Plotly.relayout` to the middle half, the same. Median and p95 of {repeats} after a warm-up; "
        f"{load_note()}.",
        "",
        table(["figure", "build median ms", "build p95 ms", "JSON KB", "draw median ms", "draw p95 ms",
               "zoom median ms", "zoom p95 ms"],
              [[row[0], *row[1].split(" | "), row[2], *row[3].split(" | "), *row[4].split(" | ")] for row in rows]),
        "",
        "Difference of medians against dots only: thumbnails as separate images "
        f"{difference(drawn, 'thumbnails', 0)} to a draw and {difference(drawn, 'thumbnails', 1)} to a zoom; "
        f"as one composite PNG {difference(drawn, 'sprite', 0)} and {difference(drawn, 'sprite', 1)}. "
        "The app draws one layout image per thumbnail: the server builds that figure "
        f"{ratio(build_times['sprite'].median_ms, build_times['thumbnails'].median_ms)} faster than the "
        f"composite, its JSON is {ratio(len(figures['sprite']), len(figures['thumbnails']))} smaller, and each "
        f"thumbnail stays a {map_images.THUMBNAIL_PIXELS}-pixel picture however far the map is zoomed, where the "
        f"composite spreads {SPRITE_PIXELS:,} pixels over the whole map.",
    ])
    write_result("map_images", body)
    print(body)


if __name__ == "__main__":
    main()
