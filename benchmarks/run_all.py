"""Run every benchmark and write BENCHMARKS.md: ``make bench`` or ``python benchmarks/run_all.py``.

Contract for benchmark scripts
------------------------------
* A script is ``benchmarks/bench_<topic>.py`` (or ``load_test.py``), runnable on its own
  with the venv's Python from the repository root, and with a ``main()``.
* It writes its figures to ``benchmarks/results/<name>.md``: a markdown body WITHOUT a
  top-level heading (``###`` sub-headings are fine), saying what was measured, how often
  and on what, e.g. with ``benchmarks.report.write_result(name, body)``.
* It accepts ``--quick`` (smaller sizes, for a fast smoke run) and otherwise picks
  defaults that keep the whole suite under about 20 minutes on 2 cores.
* It exits non-zero when it could not measure; this script then reports the failure and
  the section says "not measured" rather than showing an older run's figures.

Which result goes where in BENCHMARKS.md (``benchmarks.report.SECTIONS``):

====================================  ===============================================
1. Slider to image                    ``slider`` (server side, bench_slider.py),
                                      ``browser_slider`` (in the browser, bench_browser.py)
2. Model calls                        ``model_calls`` (bench_model_calls.py)
3. Latent map                         ``projection`` (bench_projection.py), ``history``
                                      (bench_history.py), ``map_images`` (bench_map_images.py,
                                      with a browser)
4. Training throughput                ``training`` (bench_training.py)
5. Start-up and memory                ``startup`` (bench_browser.py)
6. Quality summary                    ``quality`` (bench_quality.py)
Classroom load                        ``load`` (load_test.py, with ``--load-test``; without
                                      it, an existing ``load.md`` is shown marked as a run of its own)
Classroom load, server only           ``load_protocol`` (load_protocol.py), always a run of its own
Classroom load, training waits        ``training_cost`` (bench_training_cost.py), ``load_training``
                                      (load_protocol.py --train) and ``load_training_ray`` (the same
                                      with ``--ray-workers``), runs of their own
====================================  ===============================================

``bench_browser.py`` may instead write a single ``browser.md``: it then fills section 5
and section 1 points to it.

Usage: ``python benchmarks/run_all.py [--quick] [--load-test] [--only NAME ...]``.
``--only`` runs the named scripts (e.g. ``bench_slider``) and still assembles the report
from this run's files only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report import ROOT, RESULTS_DIR, assemble_report, machine_lines  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
# In report order; the browser script last among the benchmarks so in-process runs do not
# compete with a browser for the two cores.
SCRIPTS = ["bench_slider", "bench_model_calls", "bench_projection", "bench_history", "bench_training",
           "bench_quality", "bench_map_images", "bench_browser"]
LOAD_TEST = "load_test"
REPORT = ROOT / "BENCHMARKS.md"
SCRIPT_TIMEOUT_S = 30 * 60

INTRO = [
    "Produced by `make bench` (`benchmarks/run_all.py`) in one run; every figure below comes "
    "from that run. Each section's script lies in `benchmarks/` and can be run on its own.",
    "",
    "The machine's cores were shared with other work while this ran, so absolute times are "
    "noisy (each table notes the load average); ratios measured side by side in the same run "
    "are the figures to trust.",
]


def run_script(name: str, extra_args: list[str]) -> str | None:
    """Run ``benchmarks/<name>.py``; return None on success, else a short failure message."""
    path = BENCH_DIR / f"{name}.py"
    print(f"== {name} {' '.join(extra_args)}", flush=True)
    started = time.perf_counter()
    try:
        completed = subprocess.run([sys.executable, str(path), *extra_args], cwd=ROOT, timeout=SCRIPT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return f"timed out after {SCRIPT_TIMEOUT_S // 60} minutes"
    print(f"== {name} took {time.perf_counter() - started:.0f} s (exit {completed.returncode})", flush=True)
    return None if completed.returncode == 0 else f"exited with status {completed.returncode}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes in every script (a smoke run)")
    parser.add_argument("--load-test", action="store_true", help="also run the classroom load test")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these scripts")
    args = parser.parse_args()

    names = [name for name in SCRIPTS if (BENCH_DIR / f"{name}.py").is_file()]
    if args.load_test and (BENCH_DIR / f"{LOAD_TEST}.py").is_file():
        names.append(LOAD_TEST)
    if args.only:
        names = [name for name in names if name in args.only]
    intro = machine_lines() + [""] + INTRO
    started = time.time()
    failures = {}
    for name in names:
        failure = run_script(name, ["--quick"] if args.quick else [])
        if failure:
            failures[f"{name}.py"] = failure
    wall = time.time() - started
    intro += ["", f"Suite wall time: {wall / 60:.1f} minutes{' (--quick sizes)' if args.quick else ''}."]
    separate = ("load_protocol", "training_cost", "load_training", "load_training_ray")
    if LOAD_TEST not in names:
        separate = ("load", *separate)
    REPORT.write_text(assemble_report(intro=intro, results_dir=RESULTS_DIR, since=started, failures=failures,
                                      separate=separate), encoding="utf-8")
    print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
