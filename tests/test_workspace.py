"""The workspace keeps user models as bundles across restarts, saved atomically."""

import json
import logging

import numpy as np
import pytest

from latent_core import store
from latent_core.data import load_dataset
from latent_core.models import build_model
from latent_core.workspace import Workspace, check_name


@pytest.fixture(scope="module")
def small_model():
    return build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)


def test_saved_model_is_listed_and_loads_identically(tmp_path, small_model):
    workspace = Workspace(tmp_path / "ws")
    digits = load_dataset("digits", max_train=50, max_test=10)
    entry = workspace.save(small_model, name="  My digits AE ", dataset=digits, metrics={"test_mse": 0.05})
    assert entry.name == "My digits AE" and entry.kind == "dense_ae" and entry.latent_dim == 4
    assert entry.dataset == "digits" and entry.input_shape == (8, 8, 1)
    assert entry.metrics == {"test_mse": 0.05}

    reopened = Workspace(tmp_path / "ws")  # as after a server restart
    assert [e.id for e in reopened.entries()] == [entry.id]
    bundle = reopened.load(entry.id)
    x = digits.x_test[:5]
    np.testing.assert_allclose(bundle.model.reconstruct(x), small_model.reconstruct(x), atol=1e-6)


def test_entries_are_newest_first(tmp_path, small_model):
    workspace = Workspace(tmp_path)
    # Saved in the same second, and in the reverse order of their names and ids.
    saved = [workspace.save(small_model, name=name) for name in ("c", "b", "a")]
    assert [entry.name for entry in workspace.entries()] == ["a", "b", "c"]
    replaced = workspace.save(small_model, name="c", entry_id=saved[0].id)  # a re-save makes it the newest
    assert [entry.id for entry in workspace.entries()] == [replaced.id, saved[2].id, saved[1].id]


def test_half_written_and_unreadable_folders_are_skipped_and_logged(tmp_path, small_model, caplog):
    workspace = Workspace(tmp_path)
    good = workspace.save(small_model, name="good")
    (tmp_path / ".saving-crashed").mkdir()
    (tmp_path / ".saving-crashed" / store.MANIFEST_FILENAME).write_text("{}")
    (tmp_path / "not-a-bundle").mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / store.MANIFEST_FILENAME).write_text("{not json")
    no_kind = tmp_path / "no-kind"
    no_kind.mkdir()
    (no_kind / store.MANIFEST_FILENAME).write_text(json.dumps({"latent_dim": 2, "input_shape": [8, 8, 1]}))

    with caplog.at_level(logging.WARNING, logger="latent_core.workspace"):
        assert [entry.id for entry in workspace.entries()] == [good.id]
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert any(str(broken) in message and "JSONDecodeError" in message for message in warnings)
    assert any(str(no_kind) in message and "'kind'" in message for message in warnings)


def test_failed_save_leaves_nothing_behind(tmp_path, monkeypatch, small_model):
    workspace = Workspace(tmp_path)

    def disk_full(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(store, "save_bundle", disk_full)
    with pytest.raises(OSError, match="No space"):
        workspace.save(small_model, name="doomed")
    assert list(tmp_path.iterdir()) == []
    assert workspace.entries() == []


def test_delete_and_unknown_ids(tmp_path, small_model):
    workspace = Workspace(tmp_path)
    entry = workspace.save(small_model, name="gone soon")
    workspace.delete(entry.id)
    assert workspace.entries() == []
    for bad in (entry.id, "../etc", ".saving-x"):
        with pytest.raises(KeyError, match="No saved model"):
            workspace.load(bad)


def test_names_are_checked():
    assert check_name(" ok ") == "ok"
    with pytest.raises(ValueError, match="Give the model a name"):
        check_name("   ")
    with pytest.raises(ValueError, match="at most 60 characters"):
        check_name("x" * 61)


def test_korean_names_survive(tmp_path, small_model):
    entry = Workspace(tmp_path).save(small_model, name="숫자 오토인코더")
    assert Workspace(tmp_path).entries()[0].name == "숫자 오토인코더"
    assert json.loads((entry.path / "workspace.json").read_text(encoding="utf-8"))["name"] == "숫자 오토인코더"


def test_a_checkpointed_entry_is_replaced_in_place_then_finished(tmp_path, small_model):
    workspace = Workspace(tmp_path)
    entry_id = workspace.new_id("long run")
    first = workspace.save(small_model, name="long run", entry_id=entry_id, in_progress=True)
    assert first.id == entry_id and first.in_progress
    second = workspace.save(small_model, name="long run", entry_id=entry_id, in_progress=True,
                            metrics={"test_mse": 0.1})
    assert [e.id for e in workspace.entries()] == [entry_id] and second.metrics == {"test_mse": 0.1}
    final = workspace.save(small_model, name="long run", entry_id=entry_id)
    assert not final.in_progress and not workspace.entries()[0].in_progress
    assert sorted(path.name for path in tmp_path.iterdir()) == [entry_id]  # nothing left aside


def test_a_replacement_cut_short_between_its_renames_is_repaired(tmp_path, small_model):
    workspace = Workspace(tmp_path)
    entry = workspace.save(small_model, name="survivor", in_progress=True)
    entry.path.rename(tmp_path / f".replaced-{entry.id}")  # killed after the first rename
    assert [e.id for e in workspace.entries()] == [entry.id]
    assert workspace.load(entry.id).model.latent_dim == 4

    (tmp_path / f".replaced-{entry.id}").mkdir()  # killed before the old copy was deleted
    assert [e.id for e in workspace.entries()] == [entry.id]
    assert not (tmp_path / f".replaced-{entry.id}").exists()


def test_entry_ids_that_are_paths_are_refused_when_saving(tmp_path, small_model):
    for bad in ("../outside", ".hidden", "a/b"):
        with pytest.raises(ValueError, match="cannot name a workspace entry"):
            Workspace(tmp_path).save(small_model, name="x", entry_id=bad)
    assert not (tmp_path.parent / "outside").exists()
