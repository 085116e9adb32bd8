"""The user's own models, kept as bundles in a folder that outlives the server process.

A model trained or uploaded in the app is saved here at once, so a rerun, a page switch,
a closed tab or a server restart loses nothing. Each entry is a ``store`` bundle plus a
small ``workspace.json`` with the name the user gave it. Saves are atomic: the bundle is
written to a hidden temporary folder and renamed into place, so a crash mid-save never
leaves a half-written model in the list.

A training run checkpoints into one entry: ``save(..., entry_id=ID, in_progress=True)``
after its epochs replaces the entry with the newer weights (the old folder is renamed
aside, the new one renamed in, the old one deleted; a crash between the two renames is
repaired on the next listing), and the final ``save(..., entry_id=ID)`` clears the
"in progress" mark. A server killed mid-run thus leaves the last checkpointed epoch
listed, marked unfinished, with its epochs in the manifest.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import secrets
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from latent_core import store

LABEL_FILENAME = "workspace.json"
MAX_NAME_LENGTH = 60
_REPLACED_PREFIX = ".replaced-"
logger = logging.getLogger(__name__)
# Replacing an entry takes two renames; listing must not see (or repair) the moment between.
_SWAP_LOCK = threading.Lock()


@dataclass(frozen=True)
class WorkspaceEntry:
    """One saved model, described from its files without loading the model."""

    id: str
    name: str
    kind: str
    latent_dim: int
    input_shape: tuple[int, ...]
    dataset: str | None
    created_at: str
    metrics: dict
    path: Path
    in_progress: bool = False
    epochs_completed: int | None = None
    epochs: int | None = None
    stop_reason: str | None = None


def check_name(name: str) -> str:
    """A model name stripped of outer spaces; raises ValueError when empty or too long."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise ValueError("Give the model a name.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ValueError(f"Model names are at most {MAX_NAME_LENGTH} characters; this one has {len(cleaned)}.")
    return cleaned


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:30] or "model"


class Workspace:
    """A folder of user model bundles: ``save``, ``entries``, ``load`` and ``delete``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def new_id(self, name: str) -> str:
        """A fresh entry id for ``name`` (unique: a time stamp and random letters)."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        return f"{_slug(check_name(name))}-{stamp}-{secrets.token_hex(3)}"

    def save(self, model, *, name: str, dataset=None, training=None, metrics: dict | None = None,
             entry_id: str | None = None, in_progress: bool = False) -> WorkspaceEntry:
        """Save ``model`` atomically and return its description.

        A new entry unless ``entry_id`` names one to replace (or create under that id);
        ``in_progress=True`` marks a training checkpoint that a later save finishes.
        """
        name = check_name(name)
        entry_id = entry_id or self.new_id(name)
        if not _plain_name(entry_id):
            raise ValueError(f"'{entry_id}' cannot name a workspace entry: use Workspace.new_id().")
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".saving-{entry_id}-{secrets.token_hex(3)}"
        target = self.root / entry_id
        try:
            store.save_bundle(model, staging, dataset=dataset, training=training, metrics=metrics)
            label = {"name": name, "in_progress": bool(in_progress)}
            (staging / LABEL_FILENAME).write_text(json.dumps(label, ensure_ascii=False), encoding="utf-8")
            with _SWAP_LOCK:
                if target.exists():
                    retired = self.root / f"{_REPLACED_PREFIX}{entry_id}"
                    shutil.rmtree(retired, ignore_errors=True)
                    os.replace(target, retired)
                    os.replace(staging, target)
                    shutil.rmtree(retired, ignore_errors=True)
                else:
                    os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self._describe(target)

    def _repair_interrupted_replacements(self) -> None:
        """Put back an entry whose replacement was cut short between its two renames."""
        with _SWAP_LOCK:
            for retired in self.root.glob(f"{_REPLACED_PREFIX}*"):
                original = self.root / retired.name.removeprefix(_REPLACED_PREFIX)
                if original.exists():
                    shutil.rmtree(retired, ignore_errors=True)
                else:
                    os.replace(retired, original)

    def entries(self) -> list[WorkspaceEntry]:
        """Every complete entry, newest saved first (``created_at``, to the microsecond).

        Folders whose manifest or label cannot be read are skipped with a warning naming
        the folder and the reason, so one damaged entry never hides the others.
        """
        if not self.root.is_dir():
            return []
        self._repair_interrupted_replacements()
        found = []
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not (folder / store.MANIFEST_FILENAME).is_file():
                continue
            try:
                found.append(self._describe(folder))
            except (OSError, ValueError, KeyError, TypeError) as error:
                logger.warning("Skipping unreadable workspace entry %s: %s: %s", folder, type(error).__name__, error)
        return sorted(found, key=lambda entry: (entry.created_at, entry.id), reverse=True)

    def load(self, entry_id: str) -> store.Bundle:
        """Load an entry's model (checked and rebuilt by ``store``) with its manifest."""
        return store.load_bundle(self._folder(entry_id))

    def delete(self, entry_id: str) -> None:
        shutil.rmtree(self._folder(entry_id))

    def _folder(self, entry_id: str) -> Path:
        folder = self.root / entry_id
        if not _plain_name(entry_id) or not folder.is_dir():
            raise KeyError(f"No saved model '{entry_id}' in {self.root}.")
        return folder

    @staticmethod
    def _describe(folder: Path) -> WorkspaceEntry:
        manifest = json.loads((folder / store.MANIFEST_FILENAME).read_text(encoding="utf-8"))
        label_path = folder / LABEL_FILENAME
        label = json.loads(label_path.read_text(encoding="utf-8")) if label_path.is_file() else {}
        dataset = manifest.get("dataset") or {}
        training = manifest.get("training") or {}
        return WorkspaceEntry(
            id=folder.name, name=str(label.get("name") or folder.name), kind=str(manifest["kind"]),
            latent_dim=int(manifest["latent_dim"]), input_shape=tuple(int(d) for d in manifest["input_shape"]),
            dataset=dataset.get("name"), created_at=str(manifest.get("created_at", "")),
            metrics=dict(manifest.get("metrics") or {}), path=folder,
            in_progress=bool(label.get("in_progress")),
            epochs_completed=_optional_int(training.get("epochs_completed")),
            epochs=_optional_int(training.get("epochs")), stop_reason=training.get("stop_reason"))


def _plain_name(entry_id: str) -> bool:
    """Whether ``entry_id`` is one folder name of ours (no path, not hidden)."""
    return bool(entry_id) and "/" not in entry_id and "\\" not in entry_id and not entry_id.startswith(".")


def _optional_int(value) -> int | None:
    return None if value is None else int(value)
