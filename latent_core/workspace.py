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

On a shared server a ``Quota`` bounds what a save may leave: models and bytes of this
user, bytes of every user together. A save over it raises ``SaveRefused`` (with a
``code`` for the message) and leaves nothing behind. The folder itself is created by the
first save, never by a visit, and ``remove_unused_workspaces`` deletes users' folders
unused for a number of days (``UnusedWorkspaceSweeper`` runs it at most once an interval).
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
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from latent_core import store

# Where the app keeps its users' models: this variable, or ``workspace/`` in the repository.
WORKSPACE_ENV = "LATENT_EXPLORER_WORKSPACE"
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "workspace"
LABEL_FILENAME = "workspace.json"
MAX_NAME_LENGTH = 60
_REPLACED_PREFIX = ".replaced-"
logger = logging.getLogger(__name__)
# Replacing an entry takes two renames; listing must not see (or repair) the moment between.
# Reentrant: a save checks its quota (which lists the entries) while holding it.
_SWAP_LOCK = threading.RLock()


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


class SaveRefused(Exception):
    """A model was not saved; ``code`` says why ("sign_in", "models", "user_space",
    "total_space") and ``details`` fill in the message (limits in MB or models)."""

    def __init__(self, message: str, code: str, **details: object):
        super().__init__(message)
        self.code = code
        self.details = {"error": message, **details}

    def __reduce__(self):
        """Pickled whole (a training on a Ray worker hands its refusal back to the app)."""
        details = {name: value for name, value in self.details.items() if name != "error"}
        return _rebuild_refusal, (str(self), self.code, details)


def _rebuild_refusal(message: str, code: str, details: dict) -> SaveRefused:
    return SaveRefused(message, code, **details)


@dataclass(frozen=True)
class Quota:
    """What one workspace may hold (``None``: no bound). ``max_total_bytes`` bounds every
    folder under ``total_root`` together (the whole workspace, every user's included)."""

    max_models: int | None = None
    max_bytes: int | None = None
    max_total_bytes: int | None = None
    total_root: Path | None = None


def tree_bytes(folder: Path) -> int:
    """Bytes of every file under ``folder`` (0 when it does not exist); files that vanish
    while counting (another save's swap) are skipped."""
    total = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(directory, name)).st_size
            except FileNotFoundError:
                continue
    return total


def estimated_bytes(model) -> int:
    """What saving ``model`` will take on disk, about: its weights as float32."""
    return 4 * int(model.count_params())


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
    """A folder of user model bundles: ``save``, ``entries``, ``load`` and ``delete``.

    ``quota`` bounds what saves may leave; ``signed_out=True`` is a visitor who must sign
    in before saving (every save refused, nothing listed).
    """

    def __init__(self, root: str | Path, *, quota: Quota | None = None, signed_out: bool = False):
        self.root = Path(root)
        self.quota = quota or Quota()
        self.signed_out = signed_out

    def check_room(self, new_bytes: int, *, replacing: str | None = None) -> None:
        """Raise ``SaveRefused`` unless a model of ``new_bytes`` fits (in place of the entry
        ``replacing``, when given): the caller can refuse before training or parsing."""
        if self.signed_out:
            raise SaveRefused("Sign in to save models.", "sign_in")
        quota = self.quota
        replaced = self.root / replacing if replacing and _plain_name(replacing) else None
        freed = tree_bytes(replaced) if replaced is not None else 0
        if quota.max_models is not None:
            others = [entry for entry in self.entries() if entry.id != replacing]
            if len(others) + 1 > quota.max_models:
                raise SaveRefused(f"You already keep {len(others)} models, the most this server allows.",
                                  "models", limit=quota.max_models)
        if quota.max_bytes is not None and tree_bytes(self.root) - freed + new_bytes > quota.max_bytes:
            raise SaveRefused(f"Your models would take more than {_mb(quota.max_bytes)} on this server.",
                              "user_space", limit=_mb(quota.max_bytes))
        if (quota.max_total_bytes is not None and quota.total_root is not None
                and tree_bytes(quota.total_root) - freed + new_bytes > quota.max_total_bytes):
            raise SaveRefused(f"This server's space for models ({_mb(quota.max_total_bytes)}) is full.",
                              "total_space", limit=_mb(quota.max_total_bytes))

    def mark_used(self) -> None:
        """Record a visit (the folder's time stamp), so clean-up keeps a workspace in use;
        a visitor who never saved has no folder and leaves none."""
        try:
            os.utime(self.root)
        except FileNotFoundError:
            pass

    def new_id(self, name: str) -> str:
        """A fresh entry id for ``name`` (unique: a time stamp and random letters)."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        return f"{_slug(check_name(name))}-{stamp}-{secrets.token_hex(3)}"

    def save(self, model, *, name: str, dataset=None, training=None, metrics: dict | None = None,
             entry_id: str | None = None, in_progress: bool = False) -> WorkspaceEntry:
        """Save ``model`` atomically and return its description.

        A new entry unless ``entry_id`` names one to replace (or create under that id);
        ``in_progress=True`` marks a training checkpoint that a later save finishes.
        Raises ``SaveRefused`` when the quota does not allow it; nothing is left behind then
        (not even the folder, when this was to be its first model).
        """
        name = check_name(name)
        entry_id = entry_id or self.new_id(name)
        if not _plain_name(entry_id):
            raise ValueError(f"'{entry_id}' cannot name a workspace entry: use Workspace.new_id().")
        if self.signed_out:
            raise SaveRefused("Sign in to save models.", "sign_in")
        created = not self.root.exists()
        self.root.mkdir(parents=True, exist_ok=True)
        staging = self.root / f".saving-{entry_id}-{secrets.token_hex(3)}"
        target = self.root / entry_id
        try:
            store.save_bundle(model, staging, dataset=dataset, training=training, metrics=metrics)
            label = {"name": name, "in_progress": bool(in_progress)}
            (staging / LABEL_FILENAME).write_text(json.dumps(label, ensure_ascii=False), encoding="utf-8")
            with _SWAP_LOCK:
                # The staged bundle already lies inside the folders counted: 0 bytes more.
                self.check_room(0, replacing=entry_id)
                if target.exists():
                    retired = self.root / f"{_REPLACED_PREFIX}{entry_id}"
                    shutil.rmtree(retired, ignore_errors=True)
                    os.replace(target, retired)
                    os.replace(staging, target)
                    shutil.rmtree(retired, ignore_errors=True)
                else:
                    os.replace(staging, target)
        except SaveRefused:
            shutil.rmtree(staging, ignore_errors=True)
            if created:
                _remove_if_empty(self.root)
            raise
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
        if self.signed_out or not self.root.is_dir():
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


def remove_unused_workspaces(users_root: str | Path, unused_days: float, *,
                             now: float | None = None) -> list[Path]:
    """Delete every user folder under ``users_root`` unused for ``unused_days`` days, and
    return them. Use is the newest time stamp of the folder and its entries: a save, a
    training checkpoint or a visit (``Workspace.mark_used``) each renew it."""
    users_root = Path(users_root)
    cutoff = (time.time() if now is None else now) - unused_days * 86_400
    removed = []
    try:
        folders = [folder for folder in users_root.iterdir() if folder.is_dir()]
    except FileNotFoundError:
        return []
    for folder in folders:
        with _SWAP_LOCK:  # a save into the folder either lands before the check or waits for the removal
            try:
                last_used = max([folder.stat().st_mtime] + [child.stat().st_mtime for child in folder.iterdir()])
            except FileNotFoundError:
                continue
            if last_used < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    if removed:
        logger.info("Removed %d workspace(s) unused for %s days under %s", len(removed), unused_days, users_root)
    return removed


class UnusedWorkspaceSweeper:
    """Runs ``remove_unused_workspaces`` on the first ``sweep_if_due`` and then at most once
    every ``every_s`` seconds, so calling it on every page run costs only a clock read."""

    def __init__(self, users_root: str | Path, unused_days: float, *, every_s: float = 3600.0,
                 clock: Callable[[], float] = time.time):
        self.users_root = Path(users_root)
        self.unused_days = unused_days
        self.every_s = every_s
        self._clock = clock
        self._last_sweep: float | None = None
        self._lock = threading.Lock()

    def sweep_if_due(self) -> list[Path]:
        """Sweep when due (thread-safe: one sweep at a time); the folders removed."""
        now = self._clock()
        with self._lock:
            if self._last_sweep is not None and now - self._last_sweep < self.every_s:
                return []
            self._last_sweep = now
        return remove_unused_workspaces(self.users_root, self.unused_days, now=now)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:  # not empty (another save got in), or already gone
        pass


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"


def _plain_name(entry_id: str) -> bool:
    """Whether ``entry_id`` is one folder name of ours (no path, not hidden)."""
    return bool(entry_id) and "/" not in entry_id and "\\" not in entry_id and not entry_id.startswith(".")


def _optional_int(value) -> int | None:
    return None if value is None else int(value)
