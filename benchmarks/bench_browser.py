"""Slider to image, start-up and memory in a real browser: `streamlit run serve.py` driven by Chromium.

One server (headless, free loopback port, empty workspace of its own) and one browser tab:

* **start-up**: from launching `streamlit run serve.py` (the server that warms itself up, as
  `make run` starts it) to the health check answering, to the first page fully rendered in the
  browser (opened at once; its heading shown, then settled: ``browser_harness.settled_at``) and to the
  warm-up done (``/api/warmup``); a second visitor's first page once the warm-up is done; then
  rounds of fresh servers one at a time: the first page from launch with the warm-up on and turned
  off (``LATENT_EXPLORER_WARMUP=0``), and the first page of a first visitor who comes once the
  warm-up is done;
* **every page**: each of the app's pages opened through the sidebar navigation on Fashion-MNIST
  with the default pretrained model, timed from the click to the page settled, with the server's
  resident memory after each; then its VmRSS and peak VmHWM (process and children);
* **slider to image**: on the Generate page, a key press (ArrowRight/ArrowLeft) on the first
  class-direction slider timed in the page until the new image is decoded and painted, split
  into stages with the websocket's send and receive times; the server's CPU time per move.

Writes ``benchmarks/results/browser_slider.md`` (section 1 of BENCHMARKS.md) and
``benchmarks/results/startup.md`` (section 5).
Run: ``python benchmarks/bench_browser.py [--moves 50] [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser_harness import (  # noqa: E402
    EXCEPTION, POINTS_DRAWN, SERVER_SCRIPT, SETTLE_QUIET_MS, SLIDER_IMAGE, VIEWPORT, AppServer, Memory, SliderMove,
    chromium_options, install_probe, mib, move_slider, settle, settled_at, slider_key, streamlit_options)
from benchmarks.report import format_ms, load_note, summarize, table, write_result  # noqa: E402
from ui.shell import PAGES  # noqa: E402
from ui.text import translate  # noqa: E402

SLIDER_GOAL_MS = 150
MEMORY_GOAL = 2**30
WARMUP_MOVES = 3
FIRST_PAGE_HEADING = "Data: Fashion-MNIST"
MODEL = "fashion_mnist_conv_ae_32"  # the sidebar's default model for Fashion-MNIST
PAGE_TIMEOUT_S = 180
STARTUP_ROUNDS = 2  # rounds of fresh servers (warm-up on, off, visited after it)


@dataclass(frozen=True)
class PageVisit:
    """One page opened through the navigation: seconds from the click to settled, memory after it."""

    title: str
    seconds: float
    rss: int
    errors: int


@dataclass(frozen=True)
class Startup:
    """Seconds from launching `streamlit run` to the health check, and to the first page rendered."""

    healthy_s: float
    first_page_s: float


async def warmup_done(server: AppServer, timeout: float = 300.0) -> tuple[float, dict]:
    """Wait until the server's ``/api/warmup`` says its warm-up is done; returns the seconds since its
    launch and that last answer (the steps and their seconds)."""
    deadline = time.monotonic() + timeout
    while not (status := server.warmup_status())["done"]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the warm-up did not finish within {timeout:.0f} s: {status}")
        await asyncio.sleep(0.2)
    return time.monotonic() - server.launched_at, status


async def later_visitor_first_page(browser, server: AppServer) -> float:
    """A new visitor (a browser context of their own) opens the app: seconds to the first page rendered."""
    context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
    context.set_default_timeout(PAGE_TIMEOUT_S * 1000)
    page = await context.new_page()
    started = time.monotonic()
    await page.goto(server.url)
    await page.get_by_role("heading", name=FIRST_PAGE_HEADING).wait_for()
    seconds = await settled_at(page, PAGE_TIMEOUT_S) - started
    await context.close()
    return seconds


async def first_page_from_launch(browser, options: dict[str, str], *, warmup: bool) -> float:
    """Seconds from launch to the first page rendered (opened as soon as the health check answers) on a
    fresh server, its warm-up on or turned off (``LATENT_EXPLORER_WARMUP=0``)."""
    with AppServer(env={} if warmup else {"LATENT_EXPLORER_WARMUP": "0"}, options=options) as server:
        context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(PAGE_TIMEOUT_S * 1000)
        startup = await open_first_page(await context.new_page(), server)
        await context.close()
    return startup.first_page_s


async def first_visit_after_warmup(browser, options: dict[str, str]) -> tuple[float, str | None]:
    """On a fresh server, the first visitor comes once ``/api/warmup`` says done: seconds from opening the
    address to the first page rendered, and when the server saw that visit come (``"after"`` the warm-up)."""
    with AppServer(options=options) as server:
        server.wait_until_healthy()
        await warmup_done(server)
        seconds = await later_visitor_first_page(browser, server)
        return seconds, server.warmup_status()["first_visit"]


async def fresh_server_startups(browser, options: dict[str, str], rounds: int) -> dict[str, list]:
    """Rounds of three fresh servers, one at a time, so that the machine's changing load falls on each
    alike: the first page from launch with the warm-up on and with it off, and the first page of a first
    visitor who comes once the warm-up is done (with when the server saw that visit come)."""
    found: dict[str, list] = {"warm_launch": [], "cold_launch": [], "after_warmup": [], "first_visits": []}
    for _ in range(rounds):
        found["warm_launch"].append(await first_page_from_launch(browser, options, warmup=True))
        found["cold_launch"].append(await first_page_from_launch(browser, options, warmup=False))
        seconds, first_visit = await first_visit_after_warmup(browser, options)
        found["after_warmup"].append(seconds)
        found["first_visits"].append(first_visit)
        print(f"fresh servers: from launch {found['warm_launch'][-1]:.1f} s with the warm-up, "
              f"{found['cold_launch'][-1]:.1f} s without; after the warm-up {seconds:.1f} s", flush=True)
    return found


def seconds_over_rounds(values: list[float]) -> str:
    """``median (each, each)`` of a few rounds' seconds."""
    each = ", ".join(f"{value:.1f}" for value in values)
    return f"{statistics.median(values):.1f}" + (f" ({each})" if len(values) > 1 else "")


def page_titles() -> list[str]:
    """Every page's English title, in the navigation's order."""
    return [translate(spec.title_key, "en") for specs in PAGES.values() for spec in specs]


async def open_first_page(page, server: AppServer) -> Startup:
    """Load the app's first page and wait until it is fully rendered."""
    healthy_s = server.wait_until_healthy()
    await page.goto(server.url)
    await page.get_by_role("heading", name=FIRST_PAGE_HEADING).wait_for()
    return Startup(healthy_s, await settled_at(page, PAGE_TIMEOUT_S) - server.launched_at)


async def visit(page, server: AppServer, title: str) -> PageVisit:
    """Open a page by its navigation link; wait for its heading, the run's end and its images."""
    started = time.monotonic()
    await page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    await page.get_by_role("heading", name=re.compile(f"^{re.escape(title)}")).first.wait_for()
    settled = await settled_at(page, PAGE_TIMEOUT_S)
    if title == "Latent map" and not await page.evaluate(f"() => ({POINTS_DRAWN})() > 0"):
        await page.wait_for_function(f"() => ({POINTS_DRAWN})() > 0")
        settled = time.monotonic()
    seconds = settled - started
    return PageVisit(title, seconds, server.memory().rss, await page.locator(EXCEPTION).count())


async def slider_moves(page, server: AppServer, count: int) -> tuple[list[SliderMove], float]:
    """``count`` timed slider moves after a few warm-up ones, and the server's CPU ms per move."""
    await page.locator(SLIDER_IMAGE).first.wait_for()
    await settle(page)
    for index in range(WARMUP_MOVES):
        await move_slider(page, slider_key(index))
    cpu_before = server.cpu_seconds()
    moves = [await move_slider(page, slider_key(WARMUP_MOVES + index)) for index in range(count)]
    return moves, (server.cpu_seconds() - cpu_before) * 1000 / count


def render_slider(moves: list[SliderMove], server_cpu_ms: float, load_before: str, load_after: str,
                  options: dict[str, str] | None = None) -> str:
    """Section 1's browser part: the key-press-to-paint times and where they went."""
    total = summarize([move.total / 1000 for move in moves])
    stages = {
        "to_send": "key press → rerun request sent (browser)",
        "to_answer": "request → server's first message (server picks the rerun up)",
        "server_run": "first message → message with the new image (fragment run, transport)",
        "render": "that message → new image in the page (React)",
        "image_load": "new image fetched and decoded",
        "paint": "decoded → frame painted",
    }
    rows = [["**key press → new image painted**", f"**{format_ms(total.median_ms)}**",
             f"**{format_ms(total.p95_ms)}**", format_ms(max(move.total for move in moves))]]
    for stage, label in stages.items():
        timing = summarize([getattr(move, stage) / 1000 for move in moves])
        rows.append([label, format_ms(timing.median_ms), format_ms(timing.p95_ms),
                     format_ms(max(getattr(move, stage) for move in moves))])
    verdict = "met" if total.median_ms < SLIDER_GOAL_MS else "not met"
    return "\n".join([
        "### In the browser",
        "",
        f"`streamlit run {SERVER_SCRIPT}`{''.join(f' --{name} {value}' for name, value in (options or {}).items())} and "
        "headless Chromium on the same machine (loopback); the Generate page "
        f"on Fashion-MNIST with the pretrained `{MODEL}`. {len(moves)} key presses (ArrowRight, then "
        f"ArrowLeft) on the first class-direction slider after {WARMUP_MOVES} warm-up presses, one at a "
        "time, each timed in the page from the key going down until the slider image's new source is "
        "decoded and the next frame painted. Stages come from the websocket's send and receive times "
        "(stage medians do not add up to the total's).",
        "",
        table(["milliseconds", "median", "p95", "max"], [rows[0]] + rows[1:]),
        "",
        f"Server CPU time per move: {format_ms(server_cpu_ms)} ms. Goal: median under {SLIDER_GOAL_MS} ms "
        f"on 2 cores — **{verdict}** ({format_ms(total.median_ms)} ms). Machine: {load_before} at the "
        f"start, {load_after} at the end; the browser, the server and any other work share the cores.",
    ])


def render_startup(startup: Startup, visits: list[PageVisit], memory: Memory, load_before: str,
                   warm: dict, fresh: dict[str, list]) -> str:
    """Section 5: start-up times, every page's open time and the server's memory."""
    verdict = "met" if max(memory.rss, memory.peak) < MEMORY_GOAL else "not met"
    rows = [[visit.title, f"{visit.seconds:.1f}", mib(visit.rss), visit.errors or "–"] for visit in visits]
    steps = ", ".join(f"{step['name']} {step['seconds']:.1f} s" for step in warm["warmup_steps"])
    return "\n".join([
        "### Start-up and memory in the browser",
        "",
        f"`streamlit run {SERVER_SCRIPT}` (headless, empty workspace; what `make run` and the Docker image "
        f"start) and one headless Chromium tab; {load_before}.",
        "",
        table(["from launching the server", "seconds"], [
            ["health check answers", f"{startup.healthy_s:.1f}"],
            [f"first page (\"{FIRST_PAGE_HEADING}\") fully rendered in the browser, opened as soon as the health "
             "check answers", f"{startup.first_page_s:.1f}"],
            ["warm-up done (`/api/warmup`)", f"{warm['warmup_done_s']:.1f}"],
            [f"first page from launch, fresh servers (median of {len(fresh['warm_launch'])}, alternating with the "
             "next row)", seconds_over_rounds(fresh["warm_launch"])],
            ["… the same with the warm-up turned off (`LATENT_EXPLORER_WARMUP=0`)",
             seconds_over_rounds(fresh["cold_launch"])],
        ]),
        "",
        f"The warm-up's steps on the first server (its first visitor came {warm['first_visit_on_first_server']} "
        f"the warm-up): {steps}.",
        "",
        "A first visitor who comes once the warm-up is done (a fresh server in each round, opened when "
        f"`/api/warmup` says done; the server saw the visit come {' / '.join(map(str, fresh['first_visits']))} "
        f"it): first page fully rendered {seconds_over_rounds(fresh['after_warmup'])} s after opening the "
        f"address. A second visitor (a new browser context) on the first server after its warm-up: "
        f"{warm['later_visitor_s']:.1f} s.",
        "",
        "A page counts as rendered (here and below) from the moment its run was over (Streamlit's "
        "script state on the app's root), no element still waited for its code (Streamlit's skeletons, "
        "shown while Plotly's bundle loads the first time), every image had loaded and every Plotly chart "
        f"was laid out, once that had held for {SETTLE_QUIET_MS} ms (checked every animation frame; the "
        "check's own wait is not counted).",
        "",
        f"Then every page through the sidebar navigation, Fashion-MNIST with the pretrained `{MODEL}`, "
        "each timed from the click until it was rendered; the server's resident memory (VmRSS, with any "
        "child processes) after each:",
        "",
        table(["page", "open s", "server RSS after", "errors"], rows),
        "",
        f"Server memory after all {len(visits)} pages and the slider moves: VmRSS {mib(memory.rss)}, "
        f"peak VmHWM {mib(memory.peak)}. Goal: under 1 GB (1,024 MiB) — **{verdict}**.",
    ])


async def measure(moves_count: int, options: dict[str, str], startup_rounds: int = STARTUP_ROUNDS) -> tuple[str, str]:
    """Run everything against one fresh server (given these config options); return the two result bodies."""
    from playwright.async_api import async_playwright

    load_before = load_note()
    warm: dict = {}
    with AppServer(options=options) as server:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**chromium_options())
            context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
            context.set_default_timeout(PAGE_TIMEOUT_S * 1000)
            await install_probe(context)
            page = await context.new_page()
            startup = await open_first_page(page, server)
            print(f"start-up: healthy {startup.healthy_s:.1f} s, first page {startup.first_page_s:.1f} s", flush=True)
            warm["warmup_done_s"], status = await warmup_done(server)
            warm.update(warmup_steps=status["steps"], first_visit_on_first_server=status["first_visit"])
            warm["later_visitor_s"] = await later_visitor_first_page(browser, server)
            print(f"warm-up done {warm['warmup_done_s']:.1f} s after launch; a later visitor's first page "
                  f"{warm['later_visitor_s']:.1f} s", flush=True)
            visits = []
            for title in page_titles():
                visits.append(await visit(page, server, title))
                print(f"{title}: {visits[-1].seconds:.1f} s, RSS {mib(visits[-1].rss)}", flush=True)
            await visit(page, server, "Generate")
            moves, server_cpu_ms = await slider_moves(page, server, moves_count)
            print(f"slider: median {summarize([m.total / 1000 for m in moves]).median_ms:.0f} ms", flush=True)
            memory = server.memory()
            await browser.close()
    async with async_playwright() as playwright:  # the first server is gone: no competition for the cores
        browser = await playwright.chromium.launch(**chromium_options())
        fresh = await fresh_server_startups(browser, options, startup_rounds)
        await browser.close()
    return (render_slider(moves, server_cpu_ms, load_before, load_note(), options),
            render_startup(startup, visits, memory, f"{load_before} at the start, {load_note()} at the end", warm,
                           fresh))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=50, help="timed slider moves (default 50)")
    parser.add_argument("--quick", action="store_true", help="10 slider moves")
    parser.add_argument("--option", action="append", metavar="NAME=VALUE",
                        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    slider_body, startup_body = asyncio.run(measure(10 if args.quick else args.moves,
                                                    streamlit_options(args.option)))
    print(f"wrote {write_result('browser_slider', slider_body)}")
    print(f"wrote {write_result('startup', startup_body)}")


if __name__ == "__main__":
    main()
