"""Classroom load test that measures the server alone: simulated students speaking Streamlit's
websocket protocol (``benchmarks/streamlit_client.py``), driven by Locust.

One ``streamlit run`` server on a free loopback port in hosted mode; Locust starts
``--users`` students over ``--ramp`` seconds. Each opens the app, opens the Generate page
and picks a pretrained Fashion-MNIST model in the sidebar (round robin over five), then
until time is up: moves the first class-direction slider ``MOVES_PER_VISIT`` times with a
pause of 0.5–2 s between moves (each move a fragment rerun, timed from the ``BackMsg`` sent
to its ``script_finished``, then the new image fetched as a browser does), and opens the
Latent map. No browser renders anything: what is timed is the server's share of what a
student waits for.

Errors: exceptions on a page, runs that end without success or time out, closed sockets.
The server's CPU seconds and memory (its process tree, from ``/proc``) are sampled every
second. Writes ``benchmarks/results/load_protocol.md`` (``--json PATH`` also writes the raw
figures). Loopback only, bounded: students stop after ``--seconds``, and the run is cut
off ``HARD_LIMIT_GRACE_S`` later whatever hangs.

Run: ``python benchmarks/load_protocol.py --users 30 --seconds 120``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import gevent
from locust import User, between, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser_harness import AppServer, mib  # noqa: E402
from benchmarks.report import format_ms, load_note, summarize, table, write_result  # noqa: E402
from benchmarks.streamlit_client import RunFailed, StreamlitSession  # noqa: E402

MODELS = ["fashion_mnist_conv_ae_32", "fashion_mnist_dense_ae_64", "fashion_mnist_vae_16",
          "fashion_mnist_vae_2", "fashion_mnist_denoising_ae"]
MOVES_PER_VISIT = 8
PAUSE_S = (0.5, 2.0)
STEP_TIMEOUT_S = 120.0
HARD_LIMIT_GRACE_S = 120.0
SLIDER, OPEN_APP, OPEN_GENERATE, OPEN_MAP, PICK_MODEL, IMAGE = (
    "slider move", "open the app", "open Generate", "open Latent map", "pick a model", "image fetch")
_students = iter(range(10**9))


class Student(User):
    """One student: a websocket session of their own, timed step by step (Locust's request events)."""

    wait_time = between(*PAUSE_S)

    def on_start(self) -> None:
        self.index = next(_students)
        self.model = MODELS[self.index % len(MODELS)]
        self.session = StreamlitSession(self.host, timeout_s=STEP_TIMEOUT_S)
        self.step(OPEN_APP, lambda: self.session.run(""))
        generate = self.step(OPEN_GENERATE, lambda: self.session.run("generate"))
        if generate is None:
            return
        picker = generate.widgets["Model"]
        label = next(option for option in picker.proto.options if option.startswith(f"{self.model} "))
        self.session.set_widget(picker, label)
        self.step(PICK_MODEL, lambda: self.session.run())

    def on_stop(self) -> None:
        self.session.close()

    def step(self, name: str, action):
        """Run ``action`` (one rerun) and report it to Locust: its time, or its failure."""
        started = time.perf_counter()
        try:
            result = action()
            if result.exceptions:
                raise RunFailed(f"exception on the page: {result.exceptions[0]}")
        except (RunFailed, OSError, ConnectionError) as failure:  # websocket errors are OSErrors too
            events.request.fire(request_type="ws", name=name, response_time=(time.perf_counter() - started) * 1000,
                                response_length=0, exception=failure, context={})
            return None
        events.request.fire(request_type="ws", name=name, response_time=result.seconds * 1000,
                            response_length=result.messages, exception=None, context={})
        return result

    @task
    def visit(self) -> None:
        """Generate: slider moves with pauses; then the Latent map."""
        page = self.step(OPEN_GENERATE, lambda: self.session.run("generate"))
        if page is None:
            return
        slider = next(widget for widget in page.widgets.values() if widget.kind == "slider" and widget.fragment_id)
        for _ in range(MOVES_PER_VISIT):
            self.session.set_widget(slider, round(random.uniform(-2.0, 2.0), 1))
            moved = self.step(SLIDER, lambda: self.session.run(fragment_id=slider.fragment_id))
            if moved is not None and moved.image_urls:
                started = time.perf_counter()
                size = self.session.fetch(moved.image_urls[0])
                events.request.fire(request_type="http", name=IMAGE, response_time=(time.perf_counter() - started)
                                    * 1000, response_length=size, exception=None, context={})
            gevent.sleep(random.uniform(*PAUSE_S))
        self.step(OPEN_MAP, lambda: self.session.run("latent_map"))


def run_class(url: str, users: int, seconds: float, ramp_s: float, server: AppServer | None = None) -> dict:
    """Run ``users`` students against ``url`` for ``seconds`` after the ramp; the figures as a dict."""
    timings: dict[str, list[float]] = {}
    failures: list[str] = []

    def record(request_type, name, response_time, response_length, exception, **_):
        if exception is None:
            timings.setdefault(name, []).append(response_time / 1000)
        else:
            failures.append(f"{name}: {type(exception).__name__}: {str(exception)[:160]}")

    events.request.add_listener(record)
    environment = Environment(user_classes=[Student], host=url, events=events)
    runner = environment.create_local_runner()
    samples: list[tuple[float, int]] = []  # (server CPU seconds, RSS bytes)

    def sample() -> None:
        while True:
            if server is not None:
                samples.append((server.cpu_seconds(), server.memory().rss))
            gevent.sleep(1.0)

    sampler = gevent.spawn(sample)
    baseline = (server.cpu_seconds(), server.memory().rss) if server is not None else None
    driver_cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    runner.start(users, spawn_rate=max(users / max(ramp_s, 0.1), 0.1))
    gevent.spawn_later(ramp_s + seconds, runner.quit)
    hard_limit = gevent.spawn_later(ramp_s + seconds + HARD_LIMIT_GRACE_S, runner.quit)
    runner.greenlet.join()
    hard_limit.kill()
    sampler.kill()
    events.request.remove_listener(record)
    wall = time.monotonic() - started
    used = resource.getrusage(resource.RUSAGE_SELF)
    figures = {"users": users, "seconds": seconds, "ramp_s": ramp_s, "wall_s": wall, "failures": failures,
               "timings": timings,
               "driver_cpu_s": (used.ru_utime + used.ru_stime) - (driver_cpu.ru_utime + driver_cpu.ru_stime)}
    if baseline is not None and samples:
        figures.update(server_cpu_s=samples[-1][0] - baseline[0], server_rss_start=baseline[1],
                       server_rss_peak=max(rss for _, rss in samples), server_rss_end=samples[-1][1])
    return figures


def report(runs: list[dict]) -> str:
    """The markdown of one or more class sizes side by side."""
    def cell(run: dict, name: str, scale: float = 1.0, suffix: str = "") -> str:
        values = run["timings"].get(name)
        if not values:
            return "–"
        timing = summarize(values)
        return f"{format_ms(timing.median_ms * scale)} / {format_ms(timing.p95_ms * scale)}{suffix}"

    header = ["", *[f"{run['users']} students" for run in runs]]
    rows = [
        ["errors (goal: none)", *[f"**{len(run['failures'])}**" for run in runs]],
        ["slider moves timed", *[str(len(run["timings"].get(SLIDER, []))) for run in runs]],
        ["slider move, server round trip p50 / p95, ms (goal p95 ≤ 300 at 30)", *[cell(run, SLIDER) for run in runs]],
        ["new image fetched p50 / p95, ms", *[cell(run, IMAGE) for run in runs]],
        ["open Generate p50 / p95, ms", *[cell(run, OPEN_GENERATE) for run in runs]],
        ["open Latent map p50 / p95, ms", *[cell(run, OPEN_MAP) for run in runs]],
        ["first page of a new session p50 / p95, ms", *[cell(run, OPEN_APP) for run in runs]],
        ["server CPU during the run, s (of wall × 2 CPUs)",
         *[f"{run['server_cpu_s']:.0f} (of {run['wall_s'] * 2:.0f})" if "server_cpu_s" in run else "–"
           for run in runs]],
        ["server RSS at start → peak", *[f"{mib(run['server_rss_start'])} → {mib(run['server_rss_peak'])}"
                                              if "server_rss_peak" in run else "–" for run in runs]],
        ["… per student above the start, MiB",
         *[f"{(run['server_rss_peak'] - run['server_rss_start']) / 2**20 / run['users']:.1f}"
           if "server_rss_peak" in run else "–" for run in runs]],
        ["load generator CPU (Locust and the protocol), s", *[f"{run['driver_cpu_s']:.0f}" for run in runs]],
    ]
    first = runs[0]
    lines = [
        f"Simulated students speaking Streamlit's websocket protocol (`BackMsg`/`ForwardMsg`), driven by "
        f"Locust against one `streamlit run` server on loopback in hosted mode; each class ramps up over "
        f"{first['ramp_s']:.0f} s, then runs {first['seconds']:.0f} s. Each student opens the app, opens Generate, "
        f"picks a pretrained Fashion-MNIST model (round robin over {len(MODELS)}), then repeatedly moves the "
        f"first class-direction slider {MOVES_PER_VISIT} times with a pause of {PAUSE_S[0]}–{PAUSE_S[1]} s and "
        f"opens the Latent map. A slider move is a fragment rerun timed from the `BackMsg` sent to its "
        f"`script_finished`; no browser renders anything, so these are the server's share. {load_note()}.",
        "",
        table(header, rows),
    ]
    for run in runs:
        if run["failures"]:
            lines += ["", f"First errors at {run['users']} students:", ""]
            lines += [f"- {failure}" for failure in run["failures"][:5]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 30], help="class sizes, one run each")
    parser.add_argument("--seconds", type=float, default=90.0, help="seconds each class runs after its ramp")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the students arrive")
    parser.add_argument("--url", help="an app already running (else one is started here, hosted)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--no-report", action="store_true", help="do not write benchmarks/results/load_protocol.md")
    args = parser.parse_args()
    runs = []
    if args.url:
        runs = [run_class(args.url, users, args.seconds, args.ramp) for users in args.users]
    else:
        for users in args.users:  # a fresh server per class size: memory and CPU are that class's
            with AppServer(env={"LATENT_EXPLORER_HOSTED": "1", "LATENT_EXPLORER_OFFLINE": "1"}) as server:
                server.wait_until_healthy()
                warm = StreamlitSession(server.url, timeout_s=STEP_TIMEOUT_S)  # TensorFlow and the library loaded
                warm.run("")
                warm.run("generate")
                warm.close()
                runs.append(run_class(server.url, users, args.seconds, args.ramp, server))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1), encoding="utf-8")
    if not args.no_report:
        write_result("load_protocol", report(runs))
    print(report(runs))
    os._exit(0)  # gevent's hub and Locust's greenlets: leave at once, the figures are written


if __name__ == "__main__":
    main()
