"""Classroom load test that measures the server alone: simulated students speaking Streamlit's
websocket protocol (``benchmarks/streamlit_client.py``), driven by Locust.

One ``streamlit run`` server on a free loopback port in hosted mode; Locust starts
``--users`` students over ``--ramp`` seconds. Each opens the app, opens the Generate page
and picks a pretrained Fashion-MNIST model in the sidebar (round robin over five), then
until time is up: moves the first class-direction slider ``MOVES_PER_VISIT`` times with a
pause of 0.5–2 s between moves (each move a fragment rerun, timed from the ``BackMsg`` sent
to its ``script_finished``, then the new image fetched as a browser does), and opens the
Latent map. No browser renders anything: what is timed is the server's share of what a
student waits for. Alongside, ``--browsers`` real headless Chromium sessions (default 3;
``benchmarks/load_test.py --url``, at the lowest CPU priority) do the same on the first replica,
timed in the page from the key press to the new image painted: the browser's share.

``--replicas 1 2`` repeats every class size on that many app replicas sharing one workspace
(``LATENT_EXPLORER_WORKSPACE``), each student's session kept on one replica (student k on
replica k mod n) as a load balancer's sticky cookie keeps it: what a second interpreter buys
when one server's GIL is the limit.

Errors: exceptions on a page, runs that end without success or time out, closed sockets.
The server's CPU seconds and memory (its process tree, from ``/proc``) are sampled every
second. Writes ``benchmarks/results/load_protocol.md`` (``--json PATH`` also writes the raw
figures). Loopback only, bounded: students stop after ``--seconds``, and the run is cut
off ``HARD_LIMIT_GRACE_S`` later whatever hangs.

``--train`` runs the other classroom moment instead: every student opens the Train page,
reads the wait it shows before Start (the queue ahead of them, then their own run), clicks
Start on the hosted defaults and watches the run as a browser does (each ``run_every``
fragment polled at its interval) until the page says it finished. It records, per student,
the wait shown, the place the queue gave and when the training finished; with the time for
all of them to finish, the server's CPU seconds and the machine's load average (sampled every
5 s), into ``benchmarks/results/load_training.md``.

``--train --ray-workers 1 2`` runs that class once per worker count with the trainings on a Ray
cluster on loopback (``python -m latent_core.cluster head --cpus N``: N trainings at once), the app
joined to it as ``LATENT_EXPLORER_RAY_ADDRESS`` says, and compares the waits in
``benchmarks/results/load_training_ray.md``; the machine's CPU seconds (``/proc/stat``) are reported
beside the server's, since the trainings then run in Ray's worker processes.

Run: ``python benchmarks/load_protocol.py --users 30 --seconds 120 [--replicas 1 2]``, or
``python benchmarks/load_protocol.py --train --users 30 --ramp 15 --seconds 840 [--ray-workers 1 2]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import gevent
from locust import User, between, constant, events, task
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
BROWSERS = 3
BROWSER_STAGGER_S = 2.0
SLIDER, OPEN_APP, OPEN_GENERATE, OPEN_MAP, PICK_MODEL, IMAGE = (
    "slider move", "open the app", "open Generate", "open Latent map", "pick a model", "image fetch")
_students = iter(range(10**9))
_replicas: list[str] = []  # the servers' addresses; student k keeps to replica k mod n, as a sticky cookie would
_sessions_per_replica: list[int] = []  # the students each replica served


class Student(User):
    """One student: a websocket session of their own, timed step by step (Locust's request events)."""

    wait_time = between(*PAUSE_S)

    def on_start(self) -> None:
        self.index = next(_students)
        self.model = MODELS[self.index % len(MODELS)]
        host = self.host
        if _replicas:
            host = _replicas[self.index % len(_replicas)]
            _sessions_per_replica[self.index % len(_replicas)] += 1
        self.session = StreamlitSession(host, timeout_s=STEP_TIMEOUT_S)
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


OPEN_TRAIN, START, POLL = "open Train", "start training", "progress poll"
START_LABEL = "Start training"
FINISHED_TEXT = "Finished "
TIMES = ("started", "running_at", "finished", "ended")  # monotonic seconds, reported from the run's start
ENDINGS = {"Stopped": "stopped", "left the queue before it started": "left the queue", "Training failed": "failed"}
WAIT_TEXT = re.compile(r"(?:Ready in|Expected time:?(?: on 2 CPU cores:)?) about ([\d.]+) (s|min)")
QUEUE_WAIT_TEXT = re.compile(r"starts in about ([\d.]+) (s|min)")
_trainings: list[dict] = []


def shown_seconds(text: str, pattern: re.Pattern = WAIT_TEXT) -> float | None:
    """The seconds in the Train page's wait before Start ("Ready in about 4.5 min: …"), or with
    ``QUEUE_WAIT_TEXT`` in a queued job's place ("… · starts in about 3.0 min")."""
    found = pattern.search(text)
    if found is None:
        return None
    return float(found.group(1)) * (60.0 if found.group(2) == "min" else 1.0)


class TrainingStudent(User):
    """One student who starts the hosted default training and watches it to its end: the Train
    page's wait before Start read, Start clicked, then every ``run_every`` fragment polled at
    its interval, as the browser's timers do, until the page says the run finished. A ``User``
    of its own, not a ``Student``: Locust would give it the Generate visits of a subclass's base too."""

    wait_time = constant(1.0)
    step = Student.step
    on_stop = Student.on_stop

    def on_start(self) -> None:
        self.index = next(_students)
        self.session = StreamlitSession(self.host, timeout_s=STEP_TIMEOUT_S)
        self.record = {"student": self.index}
        _trainings.append(self.record)

    @task
    def visit(self) -> None:
        if "started" in self.record:  # one training each; then the student only waits
            gevent.sleep(1.0)
            return
        self.step(OPEN_APP, lambda: self.session.run(""))
        page = self.step(OPEN_TRAIN, lambda: self.session.run("train"))
        if page is None or START_LABEL not in page.widgets:
            self.record.update(started=time.monotonic(), outcome="no Train page")
            return
        shown = next((text for text in page.texts if shown_seconds(text) is not None), "")
        self.record.update(shown=shown, shown_s=shown_seconds(shown))
        self.session.set_widget(page.widgets[START_LABEL], True)
        self.record["started"] = time.monotonic()
        after = self.step(START, lambda: self.session.run())
        if after is None:
            self.record["outcome"] = "start failed"
            return
        self.record["queued_text"] = next((text for text in after.texts if "starts" in text or "Epoch" in text), "")
        self.watch(dict(after.auto_reruns))

    def watch(self, polls: dict[str, float]) -> None:
        """Poll the page's fragments until it says the training finished (or failed)."""
        due = {fragment: time.monotonic() + interval for fragment, interval in polls.items()}
        while due:
            fragment = min(due, key=due.get)
            gevent.sleep(max(0.0, due[fragment] - time.monotonic()))
            polled = self.step(POLL, lambda: self.session.run(fragment_id=fragment, auto=True))
            due[fragment] = time.monotonic() + polls[fragment]
            if polled is None:
                continue
            texts = " ".join(polled.texts)
            if "running_at" not in self.record and "Epoch " in texts:
                self.record["running_at"] = time.monotonic()
            if FINISHED_TEXT in texts:
                self.record.update(finished=time.monotonic(), outcome="finished")
                return
            ending = next((outcome for words, outcome in ENDINGS.items() if words in texts), None)
            if ending is not None:  # e.g. stopped at the time limit
                self.record.update(ended=time.monotonic(), outcome=ending)
                return
            for gone in polled.stopped_auto_reruns:
                due.pop(gone, None)
            for new_fragment, interval in polled.auto_reruns.items():
                polls[new_fragment] = interval
                due.setdefault(new_fragment, time.monotonic() + interval)
        self.record["outcome"] = self.record.get("outcome", "ended without finishing")


def run_trainings(url: str, users: int, limit_s: float, ramp_s: float, server: AppServer | None = None) -> dict:
    """``users`` students each start the hosted default training within ``ramp_s`` seconds;
    runs until all have finished or ``limit_s`` has passed; the figures as a dict."""
    failures: list[str] = []

    def record(request_type, name, response_time, response_length, exception, **_):
        if exception is not None:
            failures.append(f"{name}: {type(exception).__name__}: {str(exception)[:160]}")

    events.request.add_listener(record)
    environment = Environment(user_classes=[TrainingStudent], host=url, events=events)
    runner = environment.create_local_runner()
    loads: list[float] = []
    baseline_cpu = server.cpu_seconds() if server is not None else None
    machine_cpu = machine_cpu_seconds()
    started = time.monotonic()

    def sample() -> None:
        while True:
            loads.append(os.getloadavg()[0])
            gevent.sleep(5.0)

    def until_done() -> None:
        while time.monotonic() - started < limit_s:
            gevent.sleep(2.0)
            if len(_trainings) == users and all("outcome" in entry for entry in _trainings):
                break
        runner.quit()

    sampler = gevent.spawn(sample)
    runner.start(users, spawn_rate=max(users / max(ramp_s, 0.1), 0.1))
    gevent.spawn(until_done)
    runner.greenlet.join()
    sampler.kill()
    events.request.remove_listener(record)
    figures = {"users": users, "ramp_s": ramp_s, "limit_s": limit_s, "wall_s": time.monotonic() - started,
               "failures": failures, "loads": loads, "cpus": os.cpu_count(),
               "students": [{name: value - started if name in TIMES else value for name, value in entry.items()}
                            for entry in _trainings]}
    figures["machine_cpu_s"] = machine_cpu_seconds() - machine_cpu
    if baseline_cpu is not None:
        figures["server_cpu_s"] = server.cpu_seconds() - baseline_cpu
    return figures


def machine_cpu_seconds() -> float:
    """CPU seconds every process on this machine has used since it booted (``/proc/stat``: all but idle
    and iowait)."""
    with open("/proc/stat", encoding="utf-8") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def local_ray_cluster(cpus: int) -> Iterator[str]:
    """A Ray cluster on loopback whose workers hold ``cpus`` trainings at once (``python -m
    latent_core.cluster head``), stopped afterwards (``ray stop``); its address."""
    import socket
    import subprocess

    from latent_core import cluster

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, **cluster.LOOPBACK_ONLY_ENV, "RAY_USAGE_STATS_ENABLED": "0",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # the venv's ``ray``
    subprocess.run([sys.executable, "-m", "latent_core.cluster", "head", "--cpus", str(cpus), "--port", str(port)],
                   check=True, env=env, timeout=120, stdout=subprocess.DEVNULL)
    try:
        yield f"{cluster.LOOPBACK}:{port}"
    finally:
        subprocess.run(["ray", "stop"], env=env, timeout=120, stdout=subprocess.DEVNULL, check=False)


def ray_training_report(runs: list[dict], defaults: str) -> str:
    """The markdown comparing ``run_trainings`` runs on Ray clusters of different sizes."""
    def last_student(run: dict) -> dict:
        return max(run["students"], key=lambda entry: entry.get("started", float("-inf")))

    def minutes(seconds: float | None) -> str:
        return "–" if seconds is None else f"{seconds / 60:.1f}"

    columns = []
    for run in runs:
        students = run["students"]
        finished = [entry for entry in students if entry.get("outcome") == "finished"]
        first_start = min((entry["started"] for entry in students if "started" in entry), default=0.0)
        last_end = max((entry["finished"] for entry in finished), default=None)
        last = last_student(run)
        loads = run["loads"] or [0.0]
        columns.append([f"{len(finished)} of {run['users']}",
                        "–" if last_end is None else f"**{(last_end - first_start) / 60:.1f}**",
                        minutes(last.get("shown_s")),
                        minutes(last["finished"] - last["started"] if "finished" in last else None),
                        f"{len(run['failures'])} / {len(students) - len(finished)}",
                        f"{run.get('server_cpu_s', 0):.0f}",
                        f"{run['machine_cpu_s']:.0f} (of {run['wall_s'] * run['cpus']:.0f})",
                        f"{run['machine_cpu_s'] / max(len(finished), 1):.1f}",
                        f"{min(loads):.1f} / {statistics.median(loads):.1f} / {max(loads):.1f}"])
    labels = ["trainings finished", "first Start to last finish, min (goal ≤ 10)",
              "last student to Start: wait shown before Start, min", "… measured: Start to finished, min",
              "protocol errors / runs not finished", "app server CPU during the run, s",
              "machine CPU during the run, s (of wall × CPUs)", "… per training finished, s", "load average (1 min, every 5 s): min / median / max"]
    rows = [[label, *[column[index] for column in columns]] for index, label in enumerate(labels)]
    header = ["", *[f"{run['ray_workers']} Ray worker CPU{'s' if run['ray_workers'] > 1 else ''}" for run in runs]]
    return "\n".join([
        f"The same class as above ({runs[0]['users']} simulated students, each starting the hosted default training: "
        f"{defaults}, within {runs[0]['ramp_s']:.0f} s of each other) with the trainings on a Ray cluster on loopback "
        f"(`LATENT_EXPLORER_RAY_ADDRESS`), one training per worker CPU at once; the app server, the Ray processes and "
        f"the trainings share the machine's {runs[0]['cpus']} CPUs. The wait shown before Start counts the "
        f"workers.", "", table(header, rows)])


def training_report(run: dict, defaults: str) -> str:
    """The markdown of one ``run_trainings`` run."""
    students = sorted(run["students"], key=lambda entry: entry.get("started", float("inf")))
    finished = [entry for entry in students if entry.get("outcome") == "finished"]
    first_start = min((entry["started"] for entry in students if "started" in entry), default=0.0)
    last_end = max((entry["finished"] for entry in finished), default=None)
    errors = [entry for entry in students if entry.get("outcome") != "finished"]
    loads = run["loads"] or [0.0]
    rows = [["students who started a training", f"{len(students)} of {run['users']}"],
            ["trainings finished", f"**{len(finished)}**"],
            ["first Start to last finish, min (goal ≤ 10)", "–" if last_end is None else
             f"**{(last_end - first_start) / 60:.1f}**"],
            ["protocol errors / runs not finished", f"{len(run['failures'])} / {len(errors)}"],
            ["server CPU during the run, s (of wall × CPUs)",
             f"{run.get('server_cpu_s', 0):.0f} (of {run['wall_s'] * run['cpus']:.0f})"],
            ["… per training finished, s", f"{run.get('server_cpu_s', 0) / max(len(finished), 1):.1f}"],
            ["… spread over 2 CPUs of its own, min (the least such a server would take)",
             f"{run.get('server_cpu_s', 0) / 2 / 60:.1f}"],
            ["load average over the run (1 min, every 5 s): min / median / max",
             f"{min(loads):.1f} / {statistics.median(loads):.1f} / {max(loads):.1f} on {run['cpus']} CPUs"]]
    def minutes(seconds: float | None) -> str:
        return "–" if seconds is None else f"{seconds / 60:.1f}"

    per_student = [[str(index + 1), minutes(entry.get("shown_s")),
                    minutes(shown_seconds(entry.get("queued_text", ""), QUEUE_WAIT_TEXT)),
                    minutes(entry["running_at"] - entry["started"] if "running_at" in entry else None),
                    minutes(entry["finished"] - entry["started"] if "finished" in entry else None),
                    entry.get("outcome", "–")] for index, entry in enumerate(students)]
    lines = [f"{run['users']} simulated students (Streamlit's websocket protocol, Locust) against one "
             f"`streamlit run` server on loopback in hosted mode, each starting the hosted default training "
             f"({defaults}) within {run['ramp_s']:.0f} s of each other, then polling the page's fragments as a "
             f"browser does until it says the run finished. *Shown*: the wait the Train page showed before Start "
             f"(the queue ahead, then the run); *measured*: Start to the page saying it finished.", "",
             table(["", "value"], rows), "",
             table(["student (in order of Start)", "wait shown before Start, min",
                    "queue's wait for a slot shown after Start, min", "Start to its first epoch's progress, min",
                    "measured: Start to finished, min", "outcome"], per_student)]
    if run["failures"]:
        lines += ["", "First errors:", ""] + [f"- {failure}" for failure in run["failures"][:5]]
    return "\n".join(lines)


def start_browsers(url: str, sessions: int, seconds: float, json_path: Path):
    """``sessions`` real Chromium sessions against ``url`` for about ``seconds``, in a process of their
    own (Playwright's asyncio does not mix with Locust's gevent); returns it, or None for none."""
    if sessions <= 0:
        return None
    import subprocess  # gevent's, once Locust has patched the standard library

    return subprocess.Popen([sys.executable, str(Path(__file__).with_name("load_test.py")), "--url", url,
                             "--sessions", str(sessions), "--minutes", f"{seconds / 60:.3f}",
                             "--stagger", str(BROWSER_STAGGER_S), "--json", str(json_path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def browsers_ended(process, json_path: Path, timeout_s: float) -> dict | None:
    """The browsers' figures once their process has ended (killed after ``timeout_s``)."""
    if process is None:
        return None
    try:
        _, errors = process.communicate(timeout=timeout_s)
    except Exception:  # it hangs: the figures it has not written are not measured
        process.kill()
        _, errors = process.communicate()
    try:
        if process.returncode != 0 or not json_path.is_file():
            return {"sessions": 0, "slider_ms": [], "map_s": [],
                    "errors": [f"browser run failed ({process.returncode}): {(errors or '').strip()[-300:]}"]}
        return json.loads(json_path.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(json_path.parent, ignore_errors=True)


def run_class(urls: list[str], users: int, seconds: float, ramp_s: float, servers: list[AppServer] = (),
              browsers: int = 0) -> dict:
    """Run ``users`` students for ``seconds`` after the ramp, spread over the replicas at ``urls`` (each
    student on one), with ``browsers`` real browser sessions alongside on the first; the figures as a
    dict, the servers' CPU and memory summed (the browsers' CPU is not the servers')."""
    browser_json = Path(tempfile.mkdtemp(prefix="latent-explorer-browsers-")) / "browsers.json"
    browser_run = start_browsers(urls[0], browsers, ramp_s + seconds, browser_json)
    timings: dict[str, list[float]] = {}
    failures: list[str] = []

    def record(request_type, name, response_time, response_length, exception, **_):
        if exception is None:
            timings.setdefault(name, []).append(response_time / 1000)
        else:
            failures.append(f"{name}: {type(exception).__name__}: {str(exception)[:160]}")

    events.request.add_listener(record)
    _replicas[:] = urls
    _sessions_per_replica[:] = [0] * len(urls)
    environment = Environment(user_classes=[Student], host=urls[0], events=events)
    runner = environment.create_local_runner()
    samples: list[tuple[float, int]] = []  # (servers' CPU seconds, RSS bytes)

    def measured() -> tuple[float, int]:
        return (sum(server.cpu_seconds() for server in servers), sum(server.memory().rss for server in servers))

    def sample() -> None:
        while True:
            if servers:
                samples.append(measured())
            gevent.sleep(1.0)

    sampler = gevent.spawn(sample)
    baseline = measured() if servers else None
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
    figures = {"users": users, "replicas": len(urls), "sessions_per_replica": list(_sessions_per_replica),
               "seconds": seconds, "ramp_s": ramp_s, "wall_s": wall, "failures": failures,
               "timings": timings,
               "driver_cpu_s": (used.ru_utime + used.ru_stime) - (driver_cpu.ru_utime + driver_cpu.ru_stime)}
    if baseline is not None and samples:
        figures.update(server_cpu_s=samples[-1][0] - baseline[0], server_rss_start=baseline[1],
                       server_rss_peak=max(rss for _, rss in samples), server_rss_end=samples[-1][1])
    browser = browsers_ended(browser_run, browser_json, HARD_LIMIT_GRACE_S + 180)
    if browser is not None:
        figures["browsers"] = browser
    return figures


def report(runs: list[dict]) -> str:
    """The markdown of one or more class sizes side by side."""
    def spread(values: list[float] | None, scale: float = 1.0, suffix: str = "") -> str:
        """p50 / p95 of ``values`` (seconds), in milliseconds times ``scale``."""
        if not values:
            return "–"
        timing = summarize(values)
        return f"{format_ms(timing.median_ms * scale)} / {format_ms(timing.p95_ms * scale)}{suffix}"

    def cell(run: dict, name: str, scale: float = 1.0, suffix: str = "") -> str:
        return spread(run["timings"].get(name), scale, suffix)

    def sessions(run: dict) -> int:
        return run["users"] + (run.get("browsers") or {}).get("sessions", 0)

    header = ["", *[f"{run['users']} students" + (f", {run['replicas']} replicas" if run.get("replicas", 1) > 1 else "")
                    for run in runs]]
    rows = [
        ["errors (goal: none)", *[f"**{len(run['failures'])}**" for run in runs]],
        ["slider moves timed", *[str(len(run["timings"].get(SLIDER, []))) for run in runs]],
        ["slider move, server round trip p50 / p95, ms (goal p95 ≤ 300 at 30)", *[cell(run, SLIDER) for run in runs]],
        ["new image fetched p50 / p95, ms", *[cell(run, IMAGE) for run in runs]],
        ["open Generate p50 / p95, ms", *[cell(run, OPEN_GENERATE) for run in runs]],
        ["open Latent map p50 / p95, ms", *[cell(run, OPEN_MAP) for run in runs]],
        ["first page of a new session p50 / p95, ms", *[cell(run, OPEN_APP) for run in runs]],
        ["server CPU during the run, s (of wall × 2 CPUs; one interpreter uses at most one)",
         *[f"{run['server_cpu_s']:.0f} (of {run['wall_s'] * 2:.0f})" if "server_cpu_s" in run else "–"
           for run in runs]],
        ["server RSS at start → peak", *[f"{mib(run['server_rss_start'])} → {mib(run['server_rss_peak'])}"
                                              if "server_rss_peak" in run else "–" for run in runs]],
        ["… per session above the start (students and real browsers), MiB",
         *[f"{(run['server_rss_peak'] - run['server_rss_start']) / 2**20 / sessions(run):.1f}"
           if "server_rss_peak" in run else "–" for run in runs]],
        ["load generator CPU (Locust and the protocol), s", *[f"{run['driver_cpu_s']:.0f}" for run in runs]],
    ]
    if any(run.get("browsers") for run in runs):
        rows += [
            ["real browsers alongside (on the first replica): sessions / errors",
             *[f"{run['browsers']['sessions']} / **{len(run['browsers']['errors'])}**" if run.get("browsers")
               else "–" for run in runs]],
            ["… slider move, key press to the new image painted p50 / p95, ms",
             *[spread([ms / 1000 for ms in run.get("browsers", {}).get("slider_ms", [])]) for run in runs]],
            ["… open Latent map, click to its points drawn p50 / p95, s",
             *[spread(run.get("browsers", {}).get("map_s"), 1 / 1000) for run in runs]],
        ]
    first = runs[0]
    alongside = max((run.get("browsers") or {}).get("sessions", 0) for run in runs)
    lines = [
        f"Simulated students speaking Streamlit's websocket protocol (`BackMsg`/`ForwardMsg`), driven by "
        f"Locust against `streamlit run` servers on loopback in hosted mode (one, or where a column says so "
        f"replicas sharing one workspace, each student's session kept on one replica as a load balancer's "
        f"sticky cookie keeps it; CPU and memory are the replicas' sums); each class ramps up over "
        f"{first['ramp_s']:.0f} s, then runs {first['seconds']:.0f} s. Each student opens the app, opens Generate, "
        f"picks a pretrained Fashion-MNIST model (round robin over {len(MODELS)}), then repeatedly moves the "
        f"first class-direction slider {MOVES_PER_VISIT} times with a pause of {PAUSE_S[0]}–{PAUSE_S[1]} s and "
        f"opens the Latent map. A slider move is a fragment rerun timed from the `BackMsg` sent to its "
        f"`script_finished`; no browser renders anything, so these are the server's share. "
        + (f"Beside them, {alongside} real headless Chromium sessions do the same on the first replica "
           "(`benchmarks/load_test.py --url`, at the lowest CPU priority, on the same CPUs), timed in the page "
           "from the key press to the new image painted: what a student's browser adds. " if alongside else "")
        + f"{load_note()}.",
        "",
        table(header, rows),
    ]
    for run in runs:
        if run["failures"]:
            lines += ["", f"First errors at {run['users']} students:", ""]
            lines += [f"- {failure}" for failure in run["failures"][:5]]
    return "\n".join(lines)


@contextlib.contextmanager
def warmed_hosted_server(page: str, workspace: Path | None = None,
                         ray_address: str | None = None) -> Iterator[AppServer]:
    """A fresh hosted-mode server on loopback (on the shared ``workspace`` where given, else on one of its
    own; training on the Ray cluster at ``ray_address`` where given), healthy, whose first session has opened
    the app and then ``page``: TensorFlow, the dataset and the library's models loaded before the class arrives."""
    env = {"LATENT_EXPLORER_HOSTED": "1", "LATENT_EXPLORER_OFFLINE": "1"}
    if workspace is not None:
        env["LATENT_EXPLORER_WORKSPACE"] = str(workspace)
    if ray_address is not None:  # a cluster started by ``ray start``: its token is in ~/.ray/auth_token
        from latent_core import cluster

        env.update({cluster.RAY_ADDRESS_ENV: ray_address, cluster.RAY_AUTH_MODE_ENV: "token"})
    with AppServer(env=env) as server:
        server.wait_until_healthy()
        warm = StreamlitSession(server.url, timeout_s=STEP_TIMEOUT_S)
        warm.run("")
        warm.run(page)
        warm.close()
        yield server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[10, 30], help="class sizes, one run each")
    parser.add_argument("--seconds", type=float, default=90.0, help="seconds each class runs after its ramp")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the students arrive")
    parser.add_argument("--url", help="an app already running (else one is started here, hosted)")
    parser.add_argument("--replicas", type=int, nargs="+", default=[1],
                        help="app replicas on one shared workspace, one set of runs each (default 1)")
    parser.add_argument("--browsers", type=int, default=BROWSERS,
                        help=f"real Chromium sessions alongside each class (default {BROWSERS}; 0: none)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--no-report", action="store_true", help="do not write benchmarks/results/load_protocol.md")
    parser.add_argument("--train", action="store_true",
                        help="each student starts the hosted default training instead (--seconds: the time limit)")
    parser.add_argument("--ray-workers", type=int, nargs="+",
                        help="--train: run the class once per number of Ray worker CPUs (trainings on Ray)")
    args = parser.parse_args()
    if args.train:
        train_class(args)
        return
    runs = []
    if args.url:
        runs = [run_class([args.url], users, args.seconds, args.ramp, browsers=args.browsers) for users in args.users]
    else:
        for replicas in args.replicas:
            for users in args.users:  # fresh servers per class size: memory and CPU are that class's
                with contextlib.ExitStack() as stack:
                    workspace = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="latent-explorer-load-")))
                    servers = [stack.enter_context(warmed_hosted_server("generate", workspace)) for _ in range(replicas)]
                    runs.append(run_class([server.url for server in servers], users, args.seconds, args.ramp, servers,
                                          browsers=args.browsers))
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1), encoding="utf-8")
    if not args.no_report:
        write_result("load_protocol", report(runs))
    print(report(runs))
    os._exit(0)  # gevent's hub and Locust's greenlets: leave at once, the figures are written


def train_class(args) -> None:
    """``--train``: one class of ``args.users[0]`` students, each starting the hosted default training."""
    from latent_core.hosting import CLASSROOM_TRAINING_DEFAULTS as defaults

    described = (f"{defaults['kind']}, {defaults['latent']}-D, {defaults['images']:,} Fashion-MNIST images, "
                 f"{defaults['epochs']} epochs, batch {defaults['batch']}")
    if args.ray_workers:
        ray_train_classes(args, described)
        return
    with warmed_hosted_server("train") as server:
        run = run_trainings(server.url, args.users[0], args.seconds, args.ramp, server)
    finish_training_run(args, run, training_report(run, described), "load_training")


def finish_training_run(args, figures, text: str, result_name: str) -> None:
    """Write the raw ``figures`` (``--json``) and the report ``text`` (unless ``--no-report``), print it, leave."""
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    if not args.no_report:
        write_result(result_name, text)
    print(text)
    os._exit(0)  # gevent's hub and Locust's greenlets: leave at once, the figures are written


def ray_train_classes(args, described: str) -> None:
    """``--train --ray-workers N ...``: the class once per cluster size, each on a fresh cluster and server."""
    runs = []
    for workers in args.ray_workers:
        _trainings.clear()
        with local_ray_cluster(workers) as address:
            with warmed_hosted_server("train", ray_address=address) as server:
                run = run_trainings(server.url, args.users[0], args.seconds, args.ramp, server)
        runs.append({**run, "ray_workers": workers})
    finish_training_run(args, runs, ray_training_report(runs, described), "load_training_ray")


if __name__ == "__main__":
    main()
