"""Models in the UI: the sidebar's model picker, shared caches and the user's workspace.

A model choice is a string: ``pretrained:NAME`` for a bundle in ``pretrained/`` or
``workspace:ID`` for one the user trained or uploaded; pages never build or take apart
these strings themselves. Every choice carries its version (``latent_core.keys``), and
``ModelChoice.cache_key`` is what every cache of a model's results is keyed by, so a
model saved again under the same ID gets fresh results. Pretrained bundles and workspace
bundles are loaded once per server (``st.cache_resource``) and shared read-only by every
session; the user's own models live on disk in the workspace, so nothing is lost to a
rerun, a page switch, a closed tab or a restart.

Memory stays bounded however many sessions there are: a session keeps only small state
(choices, a training job), and models sit in caches with a fixed number of entries (and
a time limit for user models). Evicting a user model costs nothing but a reload, because
every user model is on disk before it is ever loaded: trainings save (and checkpoint)
into the workspace from their thread, uploads are saved first and then loaded from there.

Every user gets a workspace of their own under ``users/<key>``: signed in (sign-in
configured in the secrets), the key is an HMAC of their identity; hosted without sign-in,
a random key kept in the page address (``?user=...``), so a reload or a bookmark brings a
student's models back (``ui.account``). The workspace's quota comes from
``hosting.workspace_limits_from_env()``; unused users' workspaces are removed after its days.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from latent_core import hosting, keys, pretrained, store
from latent_core.classifier import Classifier, load_classifier_folder
from latent_core.uploads import MIB
from latent_core.workspace import (
    DEFAULT_ROOT,
    WORKSPACE_ENV,
    Quota,
    UnusedWorkspaceSweeper,
    Workspace,
    WorkspaceEntry,
)
from ui import account

PRETRAINED_PREFIX = "pretrained:"
WORKSPACE_PREFIX = "workspace:"
USERS_FOLDER = "users"
SIGNED_OUT_FOLDER = "signed-out"  # never written: a signed-out visitor saves nothing
USER_MODEL_CACHE_SECONDS = 30 * 60
logger = logging.getLogger(__name__)
# What loading a chosen model can raise: gone from the workspace or the index, unreadable or unsafe files.
LOAD_ERRORS = (KeyError, store.StoreError, pretrained.PretrainedError, OSError)


@dataclass(frozen=True)
class ModelChoice:
    """One entry of the model picker. ``unfinished`` marks a training checkpoint (still
    training, or cut short by a server stop); ``epochs_completed``/``epochs`` say how far
    it got, and ``stop_reason`` how a finished run ended."""

    key: str
    name: str
    kind: str
    latent_dim: int
    dataset: str | None
    metrics: dict
    is_pretrained: bool
    unfinished: bool = False
    epochs_completed: int | None = None
    epochs: int | None = None
    stop_reason: str | None = None
    version: str = ""

    @property
    def cache_key(self) -> str:
        """What caches of this model's results are keyed by: its key at its version."""
        return keys.model_key(self.key, self.version)

    @property
    def entry_id(self) -> str | None:
        """The workspace entry's ID, or None for a pretrained model."""
        return None if self.is_pretrained else self.key.removeprefix(WORKSPACE_PREFIX)


def limits() -> hosting.HostingLimits:
    """The hosting limits this server runs under (see ``latent_core.hosting``)."""
    return hosting.limits_from_env()


def workspace_root() -> Path:
    """Where every workspace lies (``LATENT_EXPLORER_WORKSPACE``, default ``workspace/``)."""
    return Path(os.environ.get(WORKSPACE_ENV) or DEFAULT_ROOT)


def _quota(root: Path) -> Quota:
    bounds = hosting.workspace_limits_from_env()
    return Quota(max_models=bounds.max_user_models,
                 max_bytes=None if bounds.max_user_mb is None else bounds.max_user_mb * MIB,
                 max_total_bytes=None if bounds.max_total_mb is None else bounds.max_total_mb * MIB,
                 total_root=root)


def workspace() -> Workspace:
    """The folder of this user's models, with the server's quota: ``users/<key>`` for a
    signed-in user (a signed-out one may save nothing) or, hosted, the address key; else
    the whole workspace root. The first call of a session marks it used (for clean-up)."""
    root = workspace_root()
    if account.sign_in_providers() is not None:
        key = account.signed_in_key()
        if key is None:
            return Workspace(root / USERS_FOLDER / SIGNED_OUT_FOLDER, signed_out=True)
    else:
        key = account.address_key()
    found = Workspace(root / USERS_FOLDER / key if key else root, quota=_quota(root))
    if st.session_state.get("workspace_marked_used") != str(found.root):
        st.session_state["workspace_marked_used"] = str(found.root)
        found.mark_used()
    return found


@st.cache_resource(show_spinner=False, max_entries=4)
def _sweeper(users_root: str, unused_days: int) -> UnusedWorkspaceSweeper:
    return UnusedWorkspaceSweeper(users_root, unused_days)


def sweep_unused_workspaces() -> None:
    """Remove users' workspaces unused for ``LATENT_EXPLORER_UNUSED_DAYS`` days: on the
    server's first run, then at most hourly (other runs read a clock only)."""
    unused_days = hosting.workspace_limits_from_env().unused_days
    if unused_days is not None:
        _sweeper(str(workspace_root() / USERS_FOLDER), unused_days).sweep_if_due()


@st.cache_resource(show_spinner=False, max_entries=24)
def load_pretrained_bundle(name: str, version: str) -> store.Bundle:
    """A pretrained bundle; ``version`` is in the cache key so a rebuilt bundle reloads."""
    return pretrained.load_pretrained(name)


@st.cache_resource(show_spinner=False, max_entries=24, ttl=USER_MODEL_CACHE_SECONDS)
def load_workspace_bundle(folder: str, version: str) -> store.Bundle:
    """A workspace model by its folder; ``version`` is in the cache key so a replaced entry reloads."""
    return store.load_bundle(folder)


def load_classifier(dataset_name: str | None) -> Classifier | None:
    """The registered dataset's pretrained classifier, or None (always for an upload, ``dataset_name``
    None); loaded again when its files are replaced."""
    folder = None if dataset_name is None else pretrained.classifier_folder(dataset_name)
    if folder is None:
        return None
    return load_classifier_version(str(folder), keys.classifier_version(folder))


@st.cache_resource(show_spinner=False, max_entries=8)
def load_classifier_version(folder: str, version: str) -> Classifier:
    """A classifier by its folder; ``version`` is in the cache key so a replaced classifier reloads."""
    return load_classifier_folder(folder)[0]


def workspace_key(entry_id: str) -> str:
    """The picker key of a workspace entry."""
    return WORKSPACE_PREFIX + entry_id


def choices_for(dataset_name: str | None, input_shape: tuple[int, ...]) -> list[ModelChoice]:
    """Models that fit the data: the library's for a registered dataset (``dataset_name``; None for an
    upload) of exactly ``input_shape``, then the user's of that shape, newest first."""
    found = pretrained_choices(dataset_name, input_shape)
    found += [_workspace_choice(entry) for entry in workspace().entries()
              if tuple(entry.input_shape) == tuple(input_shape)]
    return found


def pretrained_choices(dataset_name: str | None, input_shape: tuple[int, ...], *,
                       kind: str | None = None) -> list[ModelChoice]:
    """The library's models of a registered dataset that take exactly ``input_shape`` (of one ``kind``
    when given), anomaly detectors left out; none for an upload (``dataset_name`` None), whose name
    may be a registered one's."""
    if dataset_name is None:
        return []
    return [_pretrained_choice(entry) for entry in pretrained.list_pretrained(dataset_name)
            if not entry.is_anomaly_detector and kind in (None, entry.kind) and _takes(entry, input_shape)]


def anomaly_detectors(dataset_name: str | None, input_shape: tuple[int, ...]) -> dict[int, ModelChoice]:
    """The library's anomaly detectors of a registered dataset that take exactly ``input_shape``, by the
    normal class each was trained on; none for an upload (``dataset_name`` None)."""
    if dataset_name is None:
        return {}
    return {normal_class: _pretrained_choice(entry)
            for normal_class, entry in pretrained.anomaly_models(dataset_name).items() if _takes(entry, input_shape)}


def _takes(entry: pretrained.PretrainedEntry, input_shape: tuple[int, ...]) -> bool:
    """Whether the library bundle ``entry`` takes inputs of exactly ``input_shape``."""
    folder = pretrained.PRETRAINED_DIR / entry.path
    return _declared_input_shape(str(folder), keys.bundle_version(folder)) == tuple(input_shape)


@functools.lru_cache(maxsize=256)
def _declared_input_shape(folder: str, version: str) -> tuple[int, ...] | None:
    """The input shape a bundle's manifest declares, read once per version; None when unreadable."""
    try:
        return store.manifest_input_shape(folder)
    except (store.StoreError, OSError) as error:
        logger.warning("the library bundle in %s has no readable input shape; it is not offered", folder,
                       exc_info=error)
        return None


def _pretrained_choice(entry: pretrained.PretrainedEntry) -> ModelChoice:
    return ModelChoice(PRETRAINED_PREFIX + entry.name, entry.name, entry.kind, entry.latent_dim,
                       entry.dataset, dict(entry.metrics), True,
                       version=keys.bundle_version(pretrained.PRETRAINED_DIR / entry.path))


def _workspace_choice(entry: WorkspaceEntry) -> ModelChoice:
    return ModelChoice(workspace_key(entry.id), entry.name, entry.kind, entry.latent_dim,
                       entry.dataset, entry.metrics, False, unfinished=entry.in_progress,
                       epochs_completed=entry.epochs_completed, epochs=entry.epochs,
                       stop_reason=entry.stop_reason, version=keys.bundle_version(entry.path))


def load_choice(key: str) -> store.Bundle:
    """The bundle behind a picker key, at its current version; raises ``KeyError`` when it no
    longer exists (``store.StoreError``, ``pretrained.PretrainedError`` or ``OSError`` when its
    files cannot be read)."""
    if key.startswith(PRETRAINED_PREFIX):
        entry = pretrained.get_entry(key.removeprefix(PRETRAINED_PREFIX))
        return load_pretrained_bundle(entry.name, keys.bundle_version(pretrained.PRETRAINED_DIR / entry.path))
    if key.startswith(WORKSPACE_PREFIX):
        entry_id = key.removeprefix(WORKSPACE_PREFIX)
        entry = next((e for e in workspace().entries() if e.id == entry_id), None)
        if entry is None:
            raise KeyError(f"The model {entry_id} is no longer in the workspace.")
        return load_workspace_bundle(str(entry.path), keys.bundle_version(entry.path))
    raise KeyError(f"Unknown model choice {key!r}.")
