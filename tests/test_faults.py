"""Faults: a training process killed midway leaves its last checkpointed epoch, which a
restarted app lists and loads; a server start needs no download."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
from page_helpers import ROOT, open_page

from latent_core import data, sources
from latent_core.workspace import Workspace

# The app's own way to train (pages/train.py): a workspace job that checkpoints as it goes.
TRAIN_FOREVER = """
import sys
from latent_core.data import load_dataset
from latent_core.jobs import workspace_job
from latent_core.models import build_model
from latent_core.workspace import Workspace

digits = load_dataset("digits")
model = build_model("dense_ae", input_shape=digits.input_shape, latent_dim=4, seed=0)
workspace_job(Workspace(sys.argv[1]), model, digits, name="killed midway", epochs=1000, batch_size=32,
              checkpoint_every_s=0.5).start().join()
"""


def start_training(root):
    return subprocess.Popen([sys.executable, "-c", TRAIN_FOREVER, str(root)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_checkpoint(root, process, epochs: int, seconds: float = 180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        found = [entry for entry in Workspace(root).entries() if (entry.epochs_completed or 0) >= epochs]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"no checkpoint of {epochs} epochs within {seconds:.0f} s")


def test_a_killed_training_leaves_its_last_epochs_for_the_restarted_app(workspace_root):
    process = start_training(workspace_root)
    try:
        wait_for_checkpoint(workspace_root, process, epochs=3)
    finally:
        process.send_signal(signal.SIGKILL)  # the server dies: no cleanup, no final save
        process.wait(30)

    entries = Workspace(workspace_root).entries()  # as a restarted app finds them
    assert [entry.name for entry in entries] == ["killed midway"]
    entry = entries[0]
    assert entry.in_progress and entry.epochs == 1000 and entry.epochs_completed >= 3
    assert not any(path.name.startswith(".replaced-") for path in workspace_root.iterdir())
    bundle = Workspace(workspace_root).load(entry.id)
    assert len(bundle.manifest["training"]["history"]["loss"]) == entry.epochs_completed
    x = data.load_dataset("digits", max_test=20).x_test
    assert np.isfinite(bundle.model.reconstruct(x)).all()

    app = open_page("library.py", dataset="digits")
    assert not app.exception
    label = f"★ killed midway · dense AE, 4-D · unfinished, {entry.epochs_completed} of 1000 epochs"
    assert label in app.sidebar.selectbox[1].options
    app.sidebar.selectbox[1].set_value(f"workspace:{entry.id}").run()
    assert not app.exception
    assert app.subheader[1].value == f"Inside: {label}"


def test_a_server_without_internet_starts_on_the_bundled_samples(tmp_path, monkeypatch):
    def no_network(name):
        raise OSError("URL fetch failure: network is unreachable")

    monkeypatch.setattr(sources, "DEBIAN_FASHION_MNIST_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(sources, "KERAS_CACHE_DIR", tmp_path / "no-keras-cache")
    monkeypatch.setattr(sources, "keras_download", no_network)
    monkeypatch.delenv(sources.OFFLINE_ENV, raising=False)
    monkeypatch.delenv(sources.DATA_DIR_ENV, raising=False)
    for name in ("fashion_mnist", "mnist"):
        dataset = data.load_dataset(name, data_dir=tmp_path / "nothing-here")
        assert dataset.source.startswith("bundled sample of 2,000 images")
