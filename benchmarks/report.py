"""Shared pieces of the benchmark suite: timing summaries, result files, the report.

Every ``benchmarks/bench_*.py`` script measures one thing and writes its figures with
``write_result(name, body)`` to ``benchmarks/results/<name>.md`` (a markdown body with
no top-level heading); ``benchmarks/run_all.py`` runs the scripts and assembles
``BENCHMARKS.md`` from those files with ``assemble_report``.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    """Median and 95th percentile of repeated measurements, in milliseconds."""

    median_ms: float
    p95_ms: float
    count: int

    def cells(self) -> str:
        """``median | p95`` table cells."""
        return f"{format_ms(self.median_ms)} | {format_ms(self.p95_ms)}"


def summarize(seconds: list[float]) -> Timing:
    """The median and 95th percentile of durations given in seconds."""
    if not seconds:
        raise ValueError("summarize needs at least one measurement.")
    values = np.asarray(seconds, dtype=float) * 1000.0
    return Timing(float(np.median(values)), float(np.percentile(values, 95)), len(values))


def time_calls(function: Callable[[int], object], repeats: int, *, warmup: int = 2) -> Timing:
    """Time ``function(i)`` for ``i`` in ``range(repeats)`` after ``warmup`` untimed calls."""
    for i in range(warmup):
        function(i)
    durations = []
    for i in range(repeats):
        started = time.perf_counter()
        function(i)
        durations.append(time.perf_counter() - started)
    return summarize(durations)


def format_ms(milliseconds: float) -> str:
    """Milliseconds with sensible precision: 0.42, 3.1, 245."""
    if milliseconds < 1:
        return f"{milliseconds:.2f}"
    if milliseconds < 100:
        return f"{milliseconds:.1f}"
    return f"{milliseconds:,.0f}"


def ratio(numerator: float, denominator: float) -> str:
    """``numerator / denominator`` as ``2.5×`` (or ``125×`` from 10 on)."""
    if denominator <= 0:
        return "–"
    value = numerator / denominator
    return f"{value:.1f}×" if value < 10 else f"{value:.0f}×"


def table(header: list[str], rows: list[list[object]], *, align: str | None = None) -> str:
    """A markdown table; ``align`` is one character per column, ``l`` or ``r`` (default: first l, rest r)."""
    align = align or "l" + "r" * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_result(name: str, body: str, *, results_dir: Path = RESULTS_DIR) -> Path:
    """Write one script's section body to ``results/<name>.md``."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{name}.md"
    path.write_text(body.strip() + "\n", encoding="utf-8")
    return path


def load_note() -> str:
    """The machine's 1-minute load average, for the text under a table."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def open_app(dataset: str, model: str, page: str):
    """Streamlit's ``AppTest`` on ``pages/<page>`` with the sidebar's dataset and model set, and
    an empty workspace of its own.

    Unlike a server, ``AppTest`` compiles the scripts afresh on every run; one shared
    script cache makes its reruns cost what the server's do. Returns the app and the
    seconds the page's first run took.
    """
    import tempfile

    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest, app_test

    shared_cache = ScriptCache()
    app_test.ScriptCache = lambda: shared_cache
    os.environ["LATENT_EXPLORER_WORKSPACE"] = tempfile.mkdtemp(prefix="bench-workspace-")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.session_state["dataset"] = dataset
    app.session_state["model"] = model
    app.run()
    started = time.perf_counter()
    app.switch_page(str(ROOT / "pages" / page)).run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"pages/{page} failed: {app.exception[0].message}")
    return app, seconds


# ----- the report ---------------------------------------------------------------------------
# (heading, result names in order). A result that is missing or older than the run is
# reported as not measured instead of showing figures from another run.
SECTIONS: list[tuple[str, list[str]]] = [
    ("1. Slider to image", ["slider", "browser_slider"]),
    ("2. Model calls", ["model_calls"]),
    ("3. Latent map", ["projection", "history", "map_images"]),
    ("4. Training throughput", ["training"]),
    ("5. Start-up and memory", ["startup"]),
    ("6. Quality summary", ["quality"]),
    ("Classroom load", ["load"]),
    ("Classroom load, server only", ["load_protocol"]),
    ("Classroom load, training waits", ["training_cost", "load_training", "load_training_ray"]),
]
# Sections measured by runs of their own (``make load-test``, ``benchmarks/load_protocol.py``, ...):
# heading -> result names, and the command that writes each.
SEPARATE_RUNS = {"Classroom load": ("load",), "Classroom load, server only": ("load_protocol",),
                 "Classroom load, training waits": ("training_cost", "load_training", "load_training_ray")}
SEPARATE_COMMANDS = {"load": "make load-test", "load_protocol": "benchmarks/load_protocol.py",
                     "training_cost": "benchmarks/bench_training_cost.py",
                     "load_training": "benchmarks/load_protocol.py --train",
                     "load_training_ray": "benchmarks/load_protocol.py --train --ray-workers 1 2"}
# The browser script may write one file for both of its parts; it then goes to section 5
# and section 1 points there.
COMBINED_BROWSER_RESULT = "browser"


def machine_lines() -> list[str]:
    """CPU, memory, versions and date, as markdown list items."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            kib = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
        memory = f"{kib / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    versions = [f"Python {platform.python_version()}"]
    for label, distribution in (("TensorFlow", "tensorflow-cpu"), ("Keras", "keras"), ("Streamlit", "streamlit"),
                                ("scikit-learn", "scikit-learn"), ("openTSNE", "openTSNE"), ("NumPy", "numpy"),
                                ("plotly", "plotly"), ("Playwright", "playwright")):
        version = _distribution_version(distribution)
        if distribution == "tensorflow-cpu" and version is None:
            version = _distribution_version("tensorflow")
        if version:
            versions.append(f"{label} {version}")
    chromium = chromium_version()
    if chromium:
        versions.append(chromium)
    return [
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {memory} memory, {platform.system()} {platform.release()}",
        f"- Versions: {', '.join(versions)}",
    ]


def _distribution_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def chromium_version() -> str | None:
    """``Chromium 156.0…`` from the browser the browser benchmarks drive, or None."""
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    try:
        output = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return output.strip() or None


def section_body(names: list[str], results_dir: Path, since: float | None) -> list[str]:
    """The bodies of the named results, each or a line saying it was not measured."""
    parts = []
    for name in names:
        path = results_dir / f"{name}.md"
        if path.is_file() and (since is None or path.stat().st_mtime >= since):
            parts.append(path.read_text(encoding="utf-8").strip())
        else:
            parts.append(f"_Not measured in this run (no fresh `benchmarks/results/{name}.md`)._")
    return parts


def assemble_report(*, intro: list[str], results_dir: Path = RESULTS_DIR, since: float | None = None,
                    failures: dict[str, str] | None = None, separate: tuple[str, ...] = ()) -> str:
    """BENCHMARKS.md: ``intro`` lines, then every section from its result files.

    Only files written at or after ``since`` (a timestamp) count, so the report never
    mixes runs; ``failures`` (script → message) are listed under the intro. Results named
    in ``separate`` (the load test, when this run did not include it) are shown whenever
    their file exists, marked as coming from a run of their own with the file's date.
    """
    def fresh(name: str) -> bool:
        path = results_dir / f"{name}.md"
        return path.is_file() and (since is None or path.stat().st_mtime >= since)

    combined_browser = (fresh(COMBINED_BROWSER_RESULT) and not fresh("startup")
                        and not fresh("browser_slider"))
    lines = ["# Benchmarks", "", *intro, ""]
    if failures:
        lines += ["Scripts that failed in this run:", ""]
        lines += [f"- `{script}`: {message}" for script, message in failures.items()]
        lines.append("")
    for heading, names in SECTIONS:
        if heading in SEPARATE_RUNS:
            shown = [name for name in SEPARATE_RUNS[heading]
                     if name in separate and (results_dir / f"{name}.md").is_file()]
            if shown:
                lines += [f"## {heading}", ""]
                for name in shown:
                    path = results_dir / f"{name}.md"
                    written = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.timezone.utc)
                    lines += [f"_From a separate run of its own (`{SEPARATE_COMMANDS[name]}`, "
                              f"{written.strftime('%Y-%m-%d %H:%M UTC')}), not from this suite run._", "",
                              path.read_text(encoding="utf-8").strip(), ""]
                continue
            if not any(fresh(name) for name in names):
                continue
        if combined_browser and "browser_slider" in names:
            names = [name for name in names if name != "browser_slider"]
        if combined_browser and "startup" in names:
            names = [COMBINED_BROWSER_RESULT]
        lines += [f"## {heading}", ""]
        for part in section_body(names, results_dir, since):
            lines += [part, ""]
        if combined_browser and heading.startswith("1."):
            lines += ["In the browser: see section 5.", ""]
    return "\n".join(lines).rstrip() + "\n"
