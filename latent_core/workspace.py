"""The user's own models, kept as bundles in a folder that outlives the server process.

A model trained or uploaded in the app is saved here at once, so a rerun, a page switch,
a closed tab or a server restart loses nothing. Each entry is a ``store`` bundle plus a
small ``workspace.json`` with the name the user gave it. Saves are atomic: the bundle is
written to a hidden temporary folder and renamed into place, so a crash mid-save never
leaves a half-written model in the list.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from latent_core import store

LABEL_FILENAME = "workspace.json"
MAX_NAME_LENGTH = 60


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

    def save(self, model, *, name: str, dataset=None, training=None, metrics: dict | None = None) -> WorkspaceEntry:
        """Save ``model`` as a new entry (atomically) and return its description."""
        name = check_name(name)
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        entry_id = f"{_slug(name)}-{stamp}-{secrets.token_hex(3)}"
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".saving-{entry_id}"
        try:
            store.save_bundle(model, staging, dataset=dataset, training=training, metrics=metrics)
            (staging / LABEL_FILENAME).write_text(json.dumps({"name": name}, ensure_ascii=False), encoding="utf-8")
            os.replace(staging, self.root / entry_id)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self._describe(self.root / entry_id)

    def entries(self) -> list[WorkspaceEntry]:
        """Every complete entry, newest first; unreadable folders are skipped."""
        if not self.root.is_dir():
            return []
        found = []
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or not (folder / store.MANIFEST_FILENAME).is_file():
                continue
            try:
                found.append(self._describe(folder))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return sorted(found, key=lambda entry: (entry.created_at, entry.id), reverse=True)

    def load(self, entry_id: str) -> store.Bundle:
        """Load an entry's model (safe mode) with its manifest."""
        return store.load_bundle(self._folder(entry_id))

    def delete(self, entry_id: str) -> None:
        shutil.rmtree(self._folder(entry_id))

    def _folder(self, entry_id: str) -> Path:
        folder = self.root / entry_id
        if "/" in entry_id or "\\" in entry_id or entry_id.startswith(".") or not folder.is_dir():
            raise KeyError(f"No saved model '{entry_id}' in {self.root}.")
        return folder

    @staticmethod
    def _describe(folder: Path) -> WorkspaceEntry:
        manifest = json.loads((folder / store.MANIFEST_FILENAME).read_text(encoding="utf-8"))
        label_path = folder / LABEL_FILENAME
        label = json.loads(label_path.read_text(encoding="utf-8")) if label_path.is_file() else {}
        dataset = manifest.get("dataset") or {}
        return WorkspaceEntry(
            id=folder.name, name=str(label.get("name") or folder.name), kind=str(manifest["kind"]),
            latent_dim=int(manifest["latent_dim"]), input_shape=tuple(int(d) for d in manifest["input_shape"]),
            dataset=dataset.get("name"), created_at=str(manifest.get("created_at", "")),
            metrics=dict(manifest.get("metrics") or {}), path=folder)
