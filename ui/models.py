"""Models in the UI: the sidebar's model picker, shared caches and the user's workspace.

A model choice is a string: ``pretrained:NAME`` for a bundle in ``pretrained/`` or
``workspace:ID`` for one the user trained or uploaded. Pretrained bundles and workspace
bundles are loaded once per server (``st.cache_resource``) and shared read-only by every
session; the user's own models live on disk in the workspace, so nothing is lost to a
rerun, a page switch or a restart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from latent_core import pretrained, store
from latent_core.workspace import Workspace, WorkspaceEntry

PRETRAINED_PREFIX = "pretrained:"
WORKSPACE_PREFIX = "workspace:"
WORKSPACE_ENV = "LATENT_EXPLORER_WORKSPACE"
DEFAULT_WORKSPACE = Path(__file__).resolve().parent.parent / "workspace"


@dataclass(frozen=True)
class ModelChoice:
    """One entry of the model picker."""

    key: str
    name: str
    kind: str
    latent_dim: int
    dataset: str | None
    metrics: dict
    is_pretrained: bool


def workspace() -> Workspace:
    """The folder of user models (``LATENT_EXPLORER_WORKSPACE``, default ``workspace/``)."""
    return Workspace(os.environ.get(WORKSPACE_ENV) or DEFAULT_WORKSPACE)


@st.cache_resource(show_spinner=False, max_entries=24)
def load_pretrained_bundle(name: str) -> store.Bundle:
    return pretrained.load_pretrained(name)


@st.cache_resource(show_spinner=False, max_entries=24)
def load_workspace_bundle(folder: str, created_at: str) -> store.Bundle:
    """A workspace model by its folder; ``created_at`` is in the cache key so a replaced entry reloads."""
    return store.load_bundle(folder)


@st.cache_resource(show_spinner=False)
def load_classifier(dataset: str):
    return pretrained.load_classifier(dataset)


def choices_for(dataset_name: str, input_shape: tuple[int, ...]) -> list[ModelChoice]:
    """Models that fit the dataset: its pretrained bundles, then the user's, newest first."""
    found = [ModelChoice(PRETRAINED_PREFIX + entry.name, entry.name, entry.kind, entry.latent_dim,
                         entry.dataset, dict(entry.metrics), True)
             for entry in pretrained.list_pretrained(dataset_name)
             if not entry.is_anomaly_detector]
    found += [_workspace_choice(entry) for entry in workspace().entries()
              if tuple(entry.input_shape) == tuple(input_shape)]
    return found


def _workspace_choice(entry: WorkspaceEntry) -> ModelChoice:
    return ModelChoice(WORKSPACE_PREFIX + entry.id, entry.name, entry.kind, entry.latent_dim,
                       entry.dataset, entry.metrics, False)


def load_choice(key: str) -> store.Bundle:
    """The bundle behind a picker key; raises ``KeyError`` when it no longer exists."""
    if key.startswith(PRETRAINED_PREFIX):
        return load_pretrained_bundle(key.removeprefix(PRETRAINED_PREFIX))
    if key.startswith(WORKSPACE_PREFIX):
        entry_id = key.removeprefix(WORKSPACE_PREFIX)
        entry = next((e for e in workspace().entries() if e.id == entry_id), None)
        if entry is None:
            raise KeyError(f"The model {entry_id} is no longer in the workspace.")
        return load_workspace_bundle(str(entry.path), entry.created_at)
    raise KeyError(f"Unknown model choice {key!r}.")
