"""What the real-browser benchmarks share: the app served by `streamlit run serve.py` on a free loopback
port with a workspace of its own, headless Chromium through Playwright's async API, the
server's memory and CPU time read from /proc, and a slider move timed from key press to paint.

``bench_browser.py`` (one user: slider latency, start-up, memory) and ``load_test.py`` (a class
of concurrent users) use it; summaries and tables come from ``benchmarks.report``. The pure
helpers are unit-tested in ``tests/test_browser_harness.py``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# A closed network and a root user: no sandbox, no GPU, no background calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The app's own elements (English UI).
SLIDER_CAPTION = "moved by the sliders"
SLIDER_IMAGE = f'[data-testid="stImage"]:has-text("{SLIDER_CAPTION}") img'
DIRECTION_SLIDER = '[data-testid="stSlider"] input[type="range"]'
STATUS_WIDGET = '[data-testid="stStatusWidget"]'
EXCEPTION = '[data-testid="stException"]'
# Plotly's count of points drawn in the page's first chart (0 until it has drawn).
POINTS_DRAWN = """() => {
    const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return plot && plot._fullData ? plot._fullData.reduce((sum, trace) => sum + (trace._length || 0), 0) : 0;
}"""
ALL_IMAGES_LOADED = """() => [...document.querySelectorAll('[data-testid="stImage"] img')]
    .every(image => image.complete && image.naturalWidth > 0)"""
SETTLE_QUIET_MS = 300
# Called every animation frame after ``SETTLE_RESET``: the page's ``performance.now()`` from which the app's
# run has been over (Streamlit's own ``data-test-script-state`` on the app's root), no element still waits
# for its code (Streamlit's skeletons, shown while Plotly's bundle loads), every image has loaded and every
# Plotly chart is laid out, once that has held for ``quietMs`` without a break; false until then.
SKELETONS = '[data-testid="stSkeleton"], [data-testid="stSkeletonElement"], [data-testid="stAppSkeleton"]'
PAGE_SETTLED = f"""(quietMs) => {{
    const app = document.querySelector('[data-testid="stApp"]');
    const ready = app !== null && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector('{SKELETONS}') && ({ALL_IMAGES_LOADED})()
        && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
            .every(chart => {{ const plot = chart.querySelector('.js-plotly-plot'); return plot && plot._fullLayout; }});
    const now = performance.now();
    if (!ready) {{ window.__settledSince = null; return false; }}
    if (window.__settledSince === null || window.__settledSince === undefined) window.__settledSince = now;
    return now - window.__settledSince >= quietMs ? window.__settledSince : false;
}}"""
SETTLE_RESET = "() => { window.__settledSince = null; }"

# Installed before the app's own scripts: notes when the page's websockets send, receive and
# close, so a slider move can be split into its stages and dropped connections counted.
WEBSOCKET_PROBE = """(() => {
    const probe = window.__probe = {sends: [], messages: [], closes: 0};
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => probe.messages.push(performance.now()));
            this.addEventListener('close', () => { probe.closes += 1; });
        }
        send(data) {
            probe.sends.push(performance.now());
            return super.send(data);
        }
    };
})();"""

# Armed before a key press: resolves, once the slider image's src has changed and the new image
# is decoded and painted, to the page-clock times (ms) of each stage of the move.
ARM_SLIDER_PROBE = """([caption, timeoutMs]) => {
    const probe = window.__probe;
    probe.sends.length = 0;
    probe.messages.length = 0;
    const findImage = () => [...document.querySelectorAll('[data-testid="stImage"]')]
        .find(element => element.textContent.includes(caption))?.querySelector('img');
    const before = findImage()?.getAttribute('src');
    let keyDown = null;
    document.addEventListener('keydown', event => { keyDown ??= event.timeStamp; }, {capture: true, once: true});
    probe.move = new Promise(resolve => {
        const timer = setTimeout(() => { observer.disconnect(); resolve({timeout: true}); }, timeoutMs);
        const observer = new MutationObserver(() => {
            const image = findImage();
            const source = image?.getAttribute('src');
            if (!source || source === before) return;
            observer.disconnect();
            clearTimeout(timer);
            const sourceChanged = performance.now();
            const firstSend = probe.sends.find(time => time >= keyDown);
            const firstMessage = probe.messages.find(time => time >= (firstSend ?? keyDown));
            const imageMessage = probe.messages.filter(time => time <= sourceChanged).at(-1);
            image.decode().catch(() => null).then(() => {
                const decoded = performance.now();
                requestAnimationFrame(() => setTimeout(() => resolve({
                    keyDown, firstSend, firstMessage, imageMessage, sourceChanged, decoded,
                    painted: performance.now()}), 0));
            });
        });
        observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                         attributeFilter: ['src']});
    });
}"""


@dataclass(frozen=True)
class SliderMove:
    """One slider move: the whole wait from key press to the new image on screen, and its stages (ms)."""

    total: float
    to_send: float  # key press to the rerun request on the websocket: the browser's own handling
    to_answer: float  # request to the server's first message: the server picks up the rerun
    server_run: float  # first message to the one carrying the new image: the fragment's run
    render: float  # that message to the new src in the page: React draws the delta
    image_load: float  # new src to the image fetched and decoded
    paint: float  # decoded image to the frame painted

    STAGES = ("to_send", "to_answer", "server_run", "render", "image_load", "paint")


def slider_move(timings: dict) -> SliderMove:
    """A :class:`SliderMove` from the probe's page-clock times. A stage whose websocket time is
    missing (no message seen) counts as 0 ms and its time goes to the next stage."""
    key = timings["keyDown"]
    sent = max(timings.get("firstSend") or key, key)
    answered = max(timings.get("firstMessage") or sent, sent)
    changed = timings["sourceChanged"]
    image_message = min(max(timings.get("imageMessage") or answered, answered), changed)
    return SliderMove(total=timings["painted"] - key, to_send=sent - key, to_answer=answered - sent,
                      server_run=image_message - answered, render=changed - image_message,
                      image_load=timings["decoded"] - changed, paint=timings["painted"] - timings["decoded"])


class SliderTimeout(RuntimeError):
    """The slider image did not change after a move."""


async def install_probe(context) -> None:
    """Install the websocket probe in every page of a browser context (before its first page opens)."""
    await context.add_init_script(WEBSOCKET_PROBE)


async def move_slider(page, key: str = "ArrowRight", timeout_s: float = 30.0) -> SliderMove:
    """Press ``key`` on the Generate page's first direction slider; time it until the new image is painted."""
    await page.locator(DIRECTION_SLIDER).first.focus()
    await page.evaluate(ARM_SLIDER_PROBE, [SLIDER_CAPTION, timeout_s * 1000])
    await page.keyboard.press(key)
    timings = await page.evaluate("() => window.__probe.move")
    if timings.get("timeout"):
        raise SliderTimeout(f"the slider image did not change within {timeout_s:.0f} s of {key}")
    return slider_move(timings)


def slider_key(move_index: int, run: int = 20) -> str:
    """``run`` presses right, ``run`` left, and so on: the value stays within ``run`` steps of its start."""
    return "ArrowRight" if (move_index // run) % 2 == 0 else "ArrowLeft"


async def websocket_closes(page) -> int:
    """How many of the page's websockets have closed since it loaded."""
    return await page.evaluate("() => window.__probe ? window.__probe.closes : 0")


async def settle(page, timeout_s: float = 120.0) -> None:
    """Wait until the app's run has finished: no status widget in two looks 0.3 s apart."""
    deadline = time.monotonic() + timeout_s
    quiet_looks = 0
    while quiet_looks < 2:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app was still running after {timeout_s:.0f} s")
        quiet_looks = quiet_looks + 1 if await page.locator(STATUS_WIDGET).count() == 0 else 0
        await page.wait_for_timeout(300)


async def settled_at(page, timeout_s: float = 120.0) -> float:
    """The ``time.monotonic()`` at which the page settled (:data:`PAGE_SETTLED`): the moment its run
    was over and everything drawn, not the moment this confirmed it ``SETTLE_QUIET_MS`` later."""
    await page.evaluate(SETTLE_RESET)
    handle = await page.wait_for_function(PAGE_SETTLED, arg=SETTLE_QUIET_MS, polling="raf",
                                          timeout=timeout_s * 1000)
    settled_ms = await handle.json_value()
    now_ms = await page.evaluate("performance.now()")
    return time.monotonic() - (now_ms - settled_ms) / 1000


# ---------------------------------------------------------------- server process, memory, CPU

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Memory:
    """Resident memory now (VmRSS) and its peak so far (VmHWM), in bytes."""

    rss: int
    peak: int

    def __add__(self, other: Memory) -> Memory:
        return Memory(self.rss + other.rss, self.peak + other.peak)


def parse_status_memory(status_text: str) -> Memory:
    """VmRSS and VmHWM of a ``/proc/<pid>/status`` text (in kB there) in bytes; 0 when absent
    (a zombie has neither)."""
    fields = {}
    for line in status_text.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return Memory(fields.get("VmRSS", 0), fields.get("VmHWM", 0))


def parse_stat_cpu_seconds(stat_text: str) -> float:
    """User plus system CPU time of a ``/proc/<pid>/stat`` line, in seconds.

    The command name in parentheses may hold spaces, so fields are counted after its last ``)``:
    utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    """
    fields = stat_text[stat_text.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (children of every thread), read from /proc."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                pending += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
    return found


def tree_memory(pid: int) -> Memory:
    """Resident memory of ``pid`` and its descendants, summed (their peaks summed: an upper bound)."""
    total = Memory(0, 0)
    for process in process_tree(pid):
        try:
            total += parse_status_memory(Path(f"/proc/{process}/status").read_text())
        except OSError:
            continue
    return total


def tree_cpu_seconds(pid: int) -> float:
    """CPU time used so far by ``pid`` and its living descendants, in seconds."""
    total = 0.0
    for process in process_tree(pid):
        try:
            total += parse_stat_cpu_seconds(Path(f"/proc/{process}/stat").read_text())
        except OSError:
            continue
    return total


class MemoryPoller:
    """Samples a process tree's resident memory every ``interval`` seconds in a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 1.0):
        self.pid, self.interval = pid, interval
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, tree_memory(self.pid).rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> MemoryPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


SERVER_SCRIPT = "serve.py"  # what `make run` and the Docker image start: the server that warms itself up


class AppServer:
    """``streamlit run serve.py`` (the app as ``make run`` serves it) on a free loopback port with an
    empty workspace of its own.

    A context manager; ``launched_at`` is the ``time.monotonic()`` of the launch and the
    server's output goes to ``log_path``. ``env`` adds environment variables (e.g. hosted mode),
    ``options`` Streamlit config options given on the command line (e.g. ``{"runner.fastReruns": "false"}``).
    """

    def __init__(self, env: dict[str, str] | None = None, port: int | None = None,
                 options: dict[str, str] | None = None, script: str = SERVER_SCRIPT):
        self.script = script
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = dict(env or {})
        self.options = dict(options or {})
        self._folder = tempfile.TemporaryDirectory(prefix="latent-explorer-bench-")
        self.log_path = Path(self._folder.name) / "server.log"
        self.process: subprocess.Popen | None = None
        self.launched_at = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def __enter__(self) -> AppServer:
        workspace = Path(self._folder.name) / "workspace"
        workspace.mkdir()
        env = {**os.environ, "LATENT_EXPLORER_WORKSPACE": str(workspace), **self.extra_env}
        self._log = open(self.log_path, "w")
        self.launched_at = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", self.script, "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
             *[part for name, value in self.options.items() for part in (f"--{name}", value)]],
            cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        return self

    def wait_until_healthy(self, timeout: float = 120.0) -> float:
        """Block until ``/_stcore/health`` answers ok; return the seconds since launch. Raises if the
        server exits or the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return time.monotonic() - self.launched_at
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"streamlit did not answer at {self.url} within {timeout:.0f} s")

    def warmup_status(self) -> dict:
        """The server's ``/api/warmup`` answer: whether its warm-up is done, and its steps."""
        with urllib.request.urlopen(f"{self.url}/api/warmup", timeout=10) as response:
            return json.load(response)

    def memory(self) -> Memory:
        return tree_memory(self.pid)

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.pid)

    def log_tail(self, characters: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-characters:]

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        self._folder.cleanup()


def streamlit_options(pairs: list[str] | None) -> dict[str, str]:
    """``["runner.postScriptGC=false", ...]`` (the ``--option`` arguments) as a dict of config options."""
    options = {}
    for pair in pairs or []:
        name, separator, value = pair.partition("=")
        if not separator or not name.strip():
            raise ValueError(f"expected a Streamlit config option as NAME=VALUE, got {pair!r}")
        options[name.strip()] = value.strip()
    return options


def chromium_options() -> dict:
    """Keyword arguments for ``playwright.chromium.launch``: Debian's Chromium, headless."""
    if not CHROMIUM.exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` or set CHROMIUM_PATH")
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


def mib(size: int) -> str:
    """Bytes as ``1,234 MiB``."""
    return f"{size / 2**20:,.0f} MiB"
