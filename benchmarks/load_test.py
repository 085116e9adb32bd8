"""Classroom load test: a class of concurrent browser sessions on one `streamlit run` server.

One server on a free loopback port (hosted mode, ``LATENT_EXPLORER_HOSTED=1``, unless
``--not-hosted``) and one headless Chromium with a context per student, all driven at once by
Playwright's async API at a lower CPU priority than the server. Each session, started a little
after the one before, opens the app, picks a pretrained Fashion-MNIST model in the sidebar (round
robin over five), then until time is up: opens the Generate page, moves the first class-direction slider a few times with a pause
between moves (each move timed from the key press to the new image painted), and opens the
Latent map until its points are drawn.

Counted as errors: Streamlit exceptions on the page, uncaught page errors, console errors,
closed websockets and "Connection error" notices, and steps that time out. The server's resident
memory (with any children) is sampled every second for its peak.

Writes ``benchmarks/results/load.md``. Loopback only; bounded in time: the sessions stop after
``--minutes`` and the whole run is cut off at a hard limit.
Run: ``make load-test`` or ``python benchmarks/load_test.py [--sessions 30] [--minutes 3] [--port N]``;
``--url URL --json PATH`` times sessions against an app already running and writes their figures
(``benchmarks/load_protocol.py`` runs three such browsers beside its simulated students).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser_harness import (  # noqa: E402
    EXCEPTION, POINTS_DRAWN, SLIDER_IMAGE, VIEWPORT, AppServer, MemoryPoller, SliderMove, chromium_options,
    install_probe, mib, move_slider, tree_cpu_seconds, settle, slider_key, streamlit_options, websocket_closes)
from benchmarks.report import format_ms, load_note, summarize, table, write_result  # noqa: E402
from latent_core.hosting import HOSTED_ENV  # noqa: E402

MODELS = ["fashion_mnist_conv_ae_32", "fashion_mnist_dense_ae_64", "fashion_mnist_vae_16",
          "fashion_mnist_vae_2", "fashion_mnist_denoising_ae"]
FIRST_PAGE_HEADING = "Data: Fashion-MNIST"
MOVES_PER_VISIT = 8
PAUSE_S = (0.5, 2.0)  # a student's pause between two slider moves, uniform
STEP_TIMEOUT_S = 60
SETUP_ALLOWANCE_S = 180  # on top of the ramp and --minutes: first page loads, model loads
HARD_LIMIT_GRACE_S = 60  # after the sessions' own limit: then the process ends, whatever hangs
# Students' browsers run on their own machines: here they get a lower CPU priority than the server,
# so the server is not starved by the pages it serves (the browser-side stages then wait instead).
BROWSER_NICENESS = 19
STAGE_NAMES = {"to_send": "browser sends the rerun", "to_answer": "server answers",
               "server_run": "fragment run to the new image's message", "render": "React draws it",
               "image_load": "image fetched and decoded", "paint": "painted"}


@dataclass
class SessionLog:
    """What one simulated student did and met."""

    index: int
    model: str
    slider_moves: list[SliderMove] = field(default_factory=list)
    map_s: list[float] = field(default_factory=list)  # click to points drawn
    map_run_s: list[float] = field(default_factory=list)  # click to the server's run ended
    errors: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)
    outside_requests: Counter = field(default_factory=Counter)  # URLs off the loopback server that failed
    reached_generate: bool = False

    def error(self, kind: str, message: str) -> None:
        self.errors.append((kind, message.strip().splitlines()[0][:200] if message.strip() else kind))


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds the server and the browser side (Chromium, Playwright, this script) used during the sessions."""

    server_s: float
    browser_s: float
    wall_s: float


@dataclass(frozen=True)
class LoadResult:
    """The figures of one load test run."""

    sessions: list[SessionLog]
    minutes: float
    stagger_s: float
    hosted: bool
    peak_rss: int
    final_peak: int
    load_before: str
    load_after: str
    wall_s: float
    cpu: CpuUse
    options: dict[str, str] = field(default_factory=dict)  # Streamlit config options given to the server


def log_console_error(log: SessionLog, message, server_url: str) -> None:
    """A console error is the app's unless it is a failed load of something off the server (the
    machine is offline: e.g. Streamlit fetching a Material icon for the favicon from Google)."""
    if message.type != "error":
        return
    source = message.location.get("url") or ""
    if source.startswith("http") and not source.startswith(server_url):
        log.outside_requests[source] += 1
    else:
        log.error("console error", message.text)


async def check_page(page, log: SessionLog) -> None:
    """Count what is wrong on the page now: Streamlit exceptions and connection notices."""
    exceptions = page.locator(EXCEPTION)
    for index in range(await exceptions.count()):
        log.error("exception", await exceptions.nth(index).inner_text())
    if await page.get_by_text("Connection error").count():
        log.error("connection", "Connection error shown")


async def open_nav(page, title: str, heading: str | None = None) -> None:
    await page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    await page.get_by_role("heading", name=re.compile(f"^{re.escape(heading or title)}")).first.wait_for()


async def start(page, url: str, model: str) -> None:
    """Open the app and pick ``model`` in the sidebar's model selectbox (the second one)."""
    await page.goto(url, wait_until="domcontentloaded")
    await page.get_by_role("heading", name=FIRST_PAGE_HEADING).wait_for()
    await settle(page, STEP_TIMEOUT_S)
    await page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1).click()
    await page.get_by_role("option", name=re.compile(f"^{re.escape(model)} ")).click()
    await settle(page, STEP_TIMEOUT_S)


async def generate_visit(page, log: SessionLog, rng: random.Random, deadline: float) -> None:
    """The Generate page: a few timed slider moves with pauses between them."""
    await open_nav(page, "Generate")
    await page.locator(SLIDER_IMAGE).first.wait_for()
    await settle(page, STEP_TIMEOUT_S)
    log.reached_generate = True
    for move in range(MOVES_PER_VISIT):
        if time.monotonic() > deadline:
            return
        log.slider_moves.append(await move_slider(page, slider_key(move), STEP_TIMEOUT_S))
        await asyncio.sleep(rng.uniform(*PAUSE_S))


async def latent_map_visit(page, log: SessionLog) -> None:
    """The Latent map page until the server's run has ended, then until its points are drawn."""
    started = time.monotonic()
    await open_nav(page, "Latent map")
    await settle(page, STEP_TIMEOUT_S)
    log.map_run_s.append(time.monotonic() - started)
    await page.wait_for_function(f"() => ({POINTS_DRAWN})() > 0")
    log.map_s.append(time.monotonic() - started)


async def student(browser, url: str, index: int, stagger_s: float, deadline: float) -> SessionLog:
    """One session from its staggered start until ``deadline``; every failure is logged and the
    session starts over from the first page, so one failure never ends it."""
    log = SessionLog(index, MODELS[index % len(MODELS)])
    rng = random.Random(index)
    await asyncio.sleep(index * stagger_s)
    context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(STEP_TIMEOUT_S * 1000)
    await install_probe(context)
    page = await context.new_page()
    page.on("pageerror", lambda error: log.error("page error", str(error)))
    page.on("console", lambda message: log_console_error(log, message, url))
    closed_websockets = 0
    started = False
    while time.monotonic() < deadline:
        try:
            if not started:
                await start(page, url, log.model)
                started = True
            await generate_visit(page, log, rng, deadline)
            await check_page(page, log)
            if time.monotonic() < deadline:
                await latent_map_visit(page, log)
                await check_page(page, log)
        except Exception as error:  # a timeout or a missing element
            log.error("timeout" if "timeout" in f"{type(error).__name__} {error}".lower() else "step failed",
                      str(error))
            closed_websockets += await look_before_leaving(page, log)
            started = False
    closed_websockets += await look_before_leaving(page, log)
    if closed_websockets:
        log.error("websocket closed", f"{closed_websockets} websocket(s) closed")
    await context.close()
    return log


async def look_before_leaving(page, log: SessionLog) -> int:
    """Count what the page shows before it is reloaded or closed; return its closed websockets."""
    try:
        await check_page(page, log)
        return await websocket_closes(page)
    except Exception as error:  # the page itself is gone
        log.error("page lost", str(error))
        return 0


async def run(sessions: int, minutes: float, stagger_s: float, url: str,
              server_cpu_seconds=lambda: 0.0) -> tuple[list[SessionLog], CpuUse]:
    """All sessions at once in one browser against the app at ``url``; their logs and the CPU time
    both sides used meanwhile (the server's from ``server_cpu_seconds``, 0 for a server not started here)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium_options())
        started, server_before, all_before = time.monotonic(), server_cpu_seconds(), tree_cpu_seconds(os.getpid())
        deadline = started + sessions * stagger_s + minutes * 60
        logs = await asyncio.gather(*[student(browser, url, index, stagger_s, deadline)
                                      for index in range(sessions)])
        server_s = server_cpu_seconds() - server_before
        cpu = CpuUse(server_s, tree_cpu_seconds(os.getpid()) - all_before - server_s, time.monotonic() - started)
        await browser.close()
    return list(logs), cpu


def browser_figures(logs: list[SessionLog]) -> dict:
    """What the sessions measured, as plain lists (for a load test that runs these browsers beside its
    own simulated students): slider moves key press to painted, ms; Latent map opens to points drawn,
    s; errors as "kind: message"."""
    return {"sessions": len(logs), "slider_ms": [move.total for log in logs for move in log.slider_moves],
            "map_s": [seconds for log in logs for seconds in log.map_s],
            "errors": [f"{kind}: {message}" for log in logs for kind, message in log.errors]}


def alongside(url: str, sessions: int, minutes: float, stagger_s: float, json_path: Path) -> None:
    """``--url``: the sessions against an app already running, their figures written to ``json_path``."""
    import json

    os.nice(BROWSER_NICENESS)
    time_limit = sessions * stagger_s + minutes * 60 + SETUP_ALLOWANCE_S
    logs, _ = asyncio.run(asyncio.wait_for(run(sessions, minutes, stagger_s, url), time_limit))
    json_path.write_text(json.dumps(browser_figures(logs)), encoding="utf-8")


def render_load(result: LoadResult) -> str:
    """The load test's section of BENCHMARKS.md."""
    logs = result.sessions
    all_moves = [move for log in logs for move in log.slider_moves]
    moves = [move.total for move in all_moves]
    maps = [seconds for log in logs for seconds in log.map_s]
    errors = Counter(kind for log in logs for kind, _ in log.errors)
    examples = {}
    for log in logs:
        for kind, message in log.errors:
            examples.setdefault((kind, message), log.index)
    slider = summarize([value / 1000 for value in moves]) if moves else None
    map_timing = summarize(maps) if maps else None
    map_runs = [seconds for log in logs for seconds in log.map_run_s]
    map_run_timing = summarize(map_runs) if map_runs else None
    per_session = [summarize([move.total / 1000 for move in log.slider_moves]).median_ms
                   for log in logs if log.slider_moves]
    total_errors = sum(errors.values())
    available_cpu_s = result.cpu.wall_s * os.cpu_count()
    lines = [
        "### Classroom load test",
        "",
        f"{len(logs)} concurrent browser sessions (one headless Chromium, a context each, started "
        f"{result.stagger_s:g} s apart) against one `streamlit run` server on loopback"
        f"{' in hosted mode (`' + HOSTED_ENV + '=1`)' if result.hosted else ''}"
        f"{''.join(f' with `--{name} {value}`' for name, value in result.options.items())}, "
        f"for {result.minutes:g} minutes "
        f"after the last one started ({result.wall_s / 60:.1f} minutes in all). Each session picks a pretrained "
        f"Fashion-MNIST model (round robin over {len(MODELS)}), then repeatedly moves the first "
        f"class-direction slider on the Generate page {MOVES_PER_VISIT} times with a pause of "
        f"{PAUSE_S[0]:g}–{PAUSE_S[1]:g} s between moves, and opens the Latent map until its points are drawn. "
        "A slider move is timed in the page from the key press to the new image painted. Real students each "
        f"bring their own browser; here all {len(logs)} pages render on the same {os.cpu_count()} CPUs as the "
        f"server (and any other work on the machine), at the lowest CPU priority (nice {BROWSER_NICENESS}) so that "
        "the server comes first; the browser-side stages of a move include waiting for CPU (see the CPU row). "
        f"Machine: {result.load_before} at the start, {result.load_after} at the end.",
        "",
        table(["", "value"], [
            ["sessions that reached the Generate page", f"{sum(log.reached_generate for log in logs)} of {len(logs)}"],
            ["errors (goal: none)", f"**{total_errors}**"],
            ["slider moves timed", f"{len(moves):,}"],
            ["slider latency p50 / p95 / max, ms",
             f"{format_ms(slider.median_ms)} / {format_ms(slider.p95_ms)} / {format_ms(max(moves))}"
             if slider else "–"],
            ["per-session median slider latency, min – max, ms",
             f"{format_ms(min(per_session))} – {format_ms(max(per_session))}" if per_session else "–"],
            ["Latent map opened", f"{len(maps)} times"],
            ["Latent map open (to points drawn) p50 / p95, s",
             f"{map_timing.median_ms / 1000:.1f} / {map_timing.p95_ms / 1000:.1f}" if map_timing else "–"],
            ["… of which until the server's run ended, p50 / p95, s",
             f"{map_run_timing.median_ms / 1000:.1f} / {map_run_timing.p95_ms / 1000:.1f}"
             if map_run_timing else "–"],
            ["server memory: peak RSS (sampled every second) / VmHWM",
             f"{mib(result.peak_rss)} / {mib(result.final_peak)}"],
            ["CPU used during the sessions: server / browser side, s",
             f"{result.cpu.server_s:,.0f} / {result.cpu.browser_s:,.0f} (of {available_cpu_s:,.0f} on "
             f"{os.cpu_count()} CPUs)"],
        ]),
    ]
    if all_moves:
        stages = {stage: summarize([getattr(move, stage) / 1000 for move in all_moves]).median_ms
                  for stage in SliderMove.STAGES}
        lines += ["", "Median stages of a slider move, ms: " + ", ".join(
            f"{STAGE_NAMES[stage]} {format_ms(value)}" for stage, value in stages.items()) + "."]
    outside = Counter()
    for log in logs:
        outside.update(log.outside_requests)
    if outside:
        lines += ["", f"Not counted as errors: {sum(outside.values())} loads of resources from outside the server "
                  "failed because the machine has no internet: " + ", ".join(f"`{url}`" for url in outside) + "."]
    if errors:
        lines += ["", "Errors by kind: " + ", ".join(f"{kind} ×{count}" for kind, count in errors.most_common())
                  + ". First of each message:", ""]
        lines += [f"- {kind} (session {index}): {message}" for (kind, message), index in list(examples.items())[:10]]
    return "\n".join(lines)


def watchdog(seconds: float, server: AppServer) -> threading.Timer:
    """End the whole process after ``seconds``, server first, should anything hang."""
    def stop_everything() -> None:
        print(f"load test: hard time limit of {seconds:.0f} s reached, stopping", file=sys.stderr, flush=True)
        server.process.kill()
        os._exit(2)

    timer = threading.Timer(seconds, stop_everything)
    timer.daemon = True
    timer.start()
    return timer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30, help="concurrent browser sessions (default 30)")
    parser.add_argument("--minutes", type=float, default=3.0, help="minutes after the last session started")
    parser.add_argument("--port", type=int, help="loopback port for the server (default: a free one)")
    parser.add_argument("--stagger", type=float, default=2.0, help="seconds between session starts (default 2)")
    parser.add_argument("--not-hosted", action="store_true", help=f"run the server without {HOSTED_ENV}=1")
    parser.add_argument("--quick", action="store_true", help="5 sessions for 1 minute (a smoke run)")
    parser.add_argument("--option", action="append", metavar="NAME=VALUE",
                        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable)")
    parser.add_argument("--url", help="an app already running: time its sessions only (needs --json)")
    parser.add_argument("--json", type=Path, help="with --url: write the sessions' figures here")
    args = parser.parse_args(argv)
    sessions, minutes = (5, 1.0) if args.quick else (args.sessions, args.minutes)
    if args.url:
        if args.json is None:
            parser.error("--url needs --json")
        alongside(args.url, sessions, minutes, args.stagger, args.json)
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    time_limit = sessions * args.stagger + minutes * 60 + SETUP_ALLOWANCE_S
    load_before = load_note()
    started = time.monotonic()
    options = streamlit_options(args.option)
    with AppServer(env={} if args.not_hosted else {HOSTED_ENV: "1"}, port=args.port, options=options) as server:
        guard = watchdog(time_limit + HARD_LIMIT_GRACE_S, server)
        server.wait_until_healthy()
        os.nice(BROWSER_NICENESS)  # this process, and the browser it starts, yield to the server
        with MemoryPoller(server.pid) as memory:
            logs, cpu = asyncio.run(asyncio.wait_for(run(sessions, minutes, args.stagger, server.url,
                                                         server.cpu_seconds), time_limit))
        final_peak = server.memory().peak
        guard.cancel()
    result = LoadResult(logs, minutes, args.stagger, not args.not_hosted, memory.peak_rss, final_peak, load_before,
                        load_note(), time.monotonic() - started, cpu, options)
    print(f"wrote {write_result('load', render_load(result))}")
    if not any(log.slider_moves for log in logs):
        sys.exit("load test: no slider move was measured")


if __name__ == "__main__":
    main()
