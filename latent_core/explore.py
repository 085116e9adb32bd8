"""Explore a Keras model you trained in a notebook, in one line.

Shell: ``python -m latent_core.explore autoencoder.keras [--decoder decoder.keras]
[--dataset fashion_mnist] [--port 8501]``. Notebook: ``explore(autoencoder)`` (a Keras
model or a ``.keras`` path; ``decoder=`` for an encoder and its decoder).

The model goes through the same strict path as an upload on the Model library page: its
bytes are given to ``store.load_model``, which reads the archive in the sandbox and
rebuilds the model from its checked layer settings, never running code from the file. It
is then saved into the workspace the app reads, and the app is started as a process of
its own (``streamlit run app.py``, so this package never imports Streamlit) on an address
that selects the dataset and the model (``?dataset=…&model=…``, read as a shared link's
by ``ui/share.py``); the address is printed. The app runs offline: it
is started with ``LATENT_EXPLORER_OFFLINE=1`` unless ``online`` is asked for, so data
comes from local copies (the Keras cache a notebook filled, or the bundled samples).
"""

from __future__ import annotations

import argparse
import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from latent_core import store
from latent_core.data import DATASETS
from latent_core.uploads import UploadRefused
from latent_core.workspace import DEFAULT_ROOT, WORKSPACE_ENV, Workspace, WorkspaceEntry

APP = Path(__file__).resolve().parent.parent / "app.py"
START_TIMEOUT_S = 120
STOP_TIMEOUT_S = 10


@dataclass
class Explorer:
    """The app started on a model: its address, the saved workspace entry, the dataset
    chosen, and the server process (``stop`` ends it)."""

    url: str
    entry: WorkspaceEntry
    dataset: str
    process: subprocess.Popen

    def stop(self) -> None:
        """End the server (terminate, then kill if it has not ended in a few seconds)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_S)


def model_bytes(model) -> tuple[bytes, str]:
    """The ``.keras`` bytes and a name of ``model``: a path to a ``.keras`` file, or a Keras
    model in memory (saved to a temporary file first, as ``model.save`` would)."""
    if isinstance(model, (str, Path)):
        path = Path(model)
        return path.read_bytes(), path.name
    from latent_core.frameworks import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"explore takes a Keras model or a .keras file's path; got {type(model).__name__}.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        keras.saving.save_model(model, path)
        return path.read_bytes(), f"{model.name}.keras"


def save_for_app(model, *, decoder=None, dataset: str | None = None, workspace=None,
                 name: str | None = None) -> tuple[WorkspaceEntry, str]:
    """Load ``model`` (and its ``decoder``) through the upload path, save it into the
    workspace (``workspace``, else the app's: ``LATENT_EXPLORER_WORKSPACE`` or
    ``workspace/``) and return the entry and the dataset it is for: ``dataset``, or the
    first registered dataset of the model's input shape. Raises ``UploadRefused`` with the
    reason when the model cannot be used."""
    if dataset is not None and dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}.")
    payload, filename = model_bytes(model)
    parts = {}
    if decoder is not None:
        parts["decoder"], parts["decoder_name"] = model_bytes(decoder)
    info = None if dataset is None else DATASETS[dataset]
    loaded = store.load_model(payload, name=filename, input_shape=None if info is None else info.input_shape,
                              data_name=dataset or "the data", **parts)
    chosen = dataset or next(key for key, entry in DATASETS.items() if entry.input_shape == loaded.input_shape)
    files = " + ".join(part for part in (filename, parts.get("decoder_name")) if part)
    entry = Workspace(workspace or default_workspace()).save(
        loaded, name=(name or Path(filename).stem)[:60] or "notebook model",
        dataset={"name": chosen, "source": f"{files}, opened with latent_core.explore; its training data is unknown"})
    return entry, chosen


def default_workspace() -> Path:
    """The workspace the app reads when started here: ``LATENT_EXPLORER_WORKSPACE`` or ``workspace/``."""
    return Path(os.environ.get(WORKSPACE_ENV) or DEFAULT_ROOT)


def free_port(host: str) -> int:
    """A port on ``host`` that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def explore(model, *, decoder=None, dataset: str | None = None, port: int | None = None,
            host: str = "localhost", workspace=None, name: str | None = None, online: bool = False,
            timeout: float = START_TIMEOUT_S, quiet: bool = False) -> Explorer:
    """Save ``model`` for the app, start the app on it and return once it answers, printing
    its address (unless ``quiet``). ``Explorer.stop()`` ends the server, as does the end of
    the Python process that started it (a notebook's kernel)."""
    entry, chosen = save_for_app(model, decoder=decoder, dataset=dataset, workspace=workspace, name=name)
    root = Path(workspace or default_workspace()).resolve()
    port = port or free_port(host)
    env = {**os.environ, WORKSPACE_ENV: str(root)}
    if not online:
        env.setdefault("LATENT_EXPLORER_OFFLINE", "1")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address", host,
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=APP.parent, env=env, stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.DEVNULL if quiet else None)
    query = urllib.parse.urlencode({"dataset": chosen, "model": f"workspace:{entry.id}"})
    explorer = Explorer(url=f"http://{host}:{port}/library?{query}", entry=entry, dataset=chosen, process=process)
    try:
        _wait_until_healthy(f"http://{host}:{port}/_stcore/health", process, timeout)
    except BaseException:
        explorer.stop()
        raise
    atexit.register(explorer.stop)
    if not quiet:
        print(f"Latent Explorer is exploring {entry.name} on {DATASETS[chosen].title_en}: {explorer.url}", flush=True)
    return explorer


def _wait_until_healthy(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app ended at start with exit code {process.returncode}; see its output above.")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass  # not listening yet
        time.sleep(0.25)
    raise RuntimeError(f"the app did not answer at {url} within {timeout:.0f} s.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m latent_core.explore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a .keras file: an autoencoder, an encoder (with --decoder) or a generator")
    parser.add_argument("--decoder", help="the decoder's .keras file, when MODEL is its encoder")
    parser.add_argument("--dataset", choices=list(DATASETS),
                        help="the dataset to explore it on (default: the first of its input shape)")
    parser.add_argument("--name", help="the name it gets in the app (default: the file's)")
    parser.add_argument("--port", type=int, help="the port to serve on (default: a free one)")
    parser.add_argument("--host", default="localhost", help="the address to serve on (default: localhost)")
    parser.add_argument("--online", action="store_true", help="let the app download datasets it has no copy of")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        explorer = explore(args.model, decoder=args.decoder, dataset=args.dataset, port=args.port, host=args.host,
                           name=args.name, online=args.online)
    except UploadRefused as refused:
        print(f"latent_core.explore: {args.model} is refused: {refused}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError, ValueError) as error:
        print(f"latent_core.explore: {error}", file=sys.stderr)
        return 1
    try:
        return explorer.process.wait()
    except KeyboardInterrupt:
        explorer.stop()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
