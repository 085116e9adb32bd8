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

The model is saved where the app shows it to whoever opens that address: the workspace
itself locally; on a hosted server without sign-in (``LATENT_EXPLORER_HOSTED``), the
folder of an address key (``--user KEY``, the ``?user=`` of a student's bookmark, or a new
one), which the address then carries. With sign-in configured (an ``[auth]`` section in the
app's ``.streamlit/secrets.toml``) each signed-in user sees only a folder named by their
identity, which a command line cannot know: it refuses, saying to upload the model on the
Model library page instead.
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
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from latent_core import hosting, identity, store
from latent_core.data import DATASETS
from latent_core.uploads import UploadRefused
from latent_core.workspace import DEFAULT_ROOT, WORKSPACE_ENV, Workspace, WorkspaceEntry

APP = Path(__file__).resolve().parent.parent / "app.py"
# The secrets Streamlit reads for the app (started in APP's folder): the user's, then the app's own.
SECRETS_FILES = (Path.home() / ".streamlit" / "secrets.toml", APP.parent / ".streamlit" / "secrets.toml")
USERS_FOLDER = "users"  # as ui/models.py: users/<key> under the workspace root
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


class NoWorkspaceForUser(ValueError):
    """The app would not show a model saved from here to the person who runs it: sign-in is
    configured, or a hosted server's address key is missing or malformed."""


def sign_in_configured(files=None) -> bool:
    """Whether the app signs its users in: an ``[auth]`` section with a provider in its
    secrets files (later files override earlier ones, as Streamlit merges them)."""
    auth: dict = {}
    for path in SECRETS_FILES if files is None else files:
        if Path(path).is_file():
            with open(path, "rb") as handle:
                section = tomllib.load(handle).get("auth")
            if isinstance(section, dict):
                auth.update(section)
    return identity.sign_in_providers(auth) is not None


def user_workspace(root, *, user_key: str | None = None, environ=None) -> Path:
    """The folder under ``root`` whose models the app shows to the person who will open the
    address: ``root`` itself locally; hosted (without sign-in), ``users/<user_key>``. Raises
    ``NoWorkspaceForUser`` under sign-in (whose folders a command line cannot name) and,
    hosted, without a well-formed ``user_key``."""
    if sign_in_configured():
        raise NoWorkspaceForUser(
            "this app signs its users in (an [auth] section in .streamlit/secrets.toml), and shows each "
            "signed-in user only their own models, so there is no telling whose they would be: upload the "
            "model on the Model library page while signed in instead.")
    if not hosting.limits_from_env(os.environ if environ is None else environ).hosted:
        return Path(root)
    if not identity.is_address_key(user_key):
        raise NoWorkspaceForUser(
            "on a hosted server each user's models live under the key in their address (?user=…): give it "
            "as user_key (--user), 32 hexadecimal digits.")
    return Path(root) / USERS_FOLDER / user_key


def save_for_app(model, *, decoder=None, dataset: str | None = None, workspace=None,
                 name: str | None = None, user_key: str | None = None) -> tuple[WorkspaceEntry, str]:
    """Load ``model`` (and its ``decoder``) through the upload path, save it where the app
    shows it (``user_workspace`` of ``workspace``, else of the app's root:
    ``LATENT_EXPLORER_WORKSPACE`` or ``workspace/``) and return the entry and the dataset it
    is for: ``dataset``, or the first registered dataset of the model's input shape. Raises
    ``UploadRefused`` with the reason when the model cannot be used, ``NoWorkspaceForUser``
    (before reading it) when the app would show it to nobody."""
    if dataset is not None and dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}.")
    folder = user_workspace(workspace or default_workspace(), user_key=user_key)
    payload, filename = model_bytes(model)
    parts = {}
    if decoder is not None:
        parts["decoder"], parts["decoder_name"] = model_bytes(decoder)
    info = None if dataset is None else DATASETS[dataset]
    loaded = store.load_model(payload, name=filename, input_shape=None if info is None else info.input_shape,
                              data_name=dataset or "the data", **parts)
    chosen = dataset or next(key for key, entry in DATASETS.items() if entry.input_shape == loaded.input_shape)
    files = " + ".join(part for part in (filename, parts.get("decoder_name")) if part)
    entry = Workspace(folder).save(
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
            timeout: float = START_TIMEOUT_S, quiet: bool = False, user_key: str | None = None) -> Explorer:
    """Save ``model`` for the app, start the app on it and return once it answers, printing
    its address (unless ``quiet``). Hosted, the model goes to ``user_key``'s folder (a new key
    when None), which the address carries. ``Explorer.stop()`` ends the server, as does the end
    of the Python process that started it (a notebook's kernel)."""
    if user_key is None and hosting.limits_from_env().hosted:
        user_key = identity.new_address_key()
    entry, chosen = save_for_app(model, decoder=decoder, dataset=dataset, workspace=workspace, name=name,
                                 user_key=user_key)
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
    query = urllib.parse.urlencode({"dataset": chosen, "model": f"workspace:{entry.id}",
                                    **({"user": user_key} if user_key and hosting.limits_from_env().hosted else {})})
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
    parser.add_argument("--user", help="hosted: the user key (the ?user= of their address) to save the model for "
                                       "(default: a new one, in the printed address)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        explorer = explore(args.model, decoder=args.decoder, dataset=args.dataset, port=args.port, host=args.host,
                           name=args.name, online=args.online, user_key=args.user)
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
