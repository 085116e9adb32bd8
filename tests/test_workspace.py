"""The workspace keeps user models as bundles across restarts, saved atomically."""

import json
import logging
import os
import time

import numpy as np
import pytest

from latent_core import store
from latent_core.data import load_dataset
from latent_core.models import build_model
from latent_core.workspace import (
    Quota,
    SaveRefused,
    UnusedWorkspaceSweeper,
    Workspace,
    check_name,
    estimated_bytes,
    remove_unused_workspaces,
    tree_bytes,
)


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


# --------------------------------------------------------------------------- quotas


def _bundle_bytes(tmp_path, small_model) -> int:
    entry = Workspace(tmp_path / "probe").save(small_model, name="probe")
    return tree_bytes(entry.path)


def test_a_save_past_the_model_count_is_refused_and_leaves_nothing(tmp_path, small_model):
    workspace = Workspace(tmp_path / "ws", quota=Quota(max_models=2))
    kept = [workspace.save(small_model, name=name).id for name in ("a", "b")]
    before = sorted(path.name for path in workspace.root.iterdir())
    with pytest.raises(SaveRefused) as refused:
        workspace.save(small_model, name="c")
    assert refused.value.code == "models" and refused.value.details["limit"] == 2
    assert sorted(path.name for path in workspace.root.iterdir()) == before  # no staging left
    assert sorted(entry.id for entry in workspace.entries()) == sorted(kept)
    workspace.save(small_model, name="a again", entry_id=kept[0])  # replacing one keeps the count


def test_a_save_past_the_users_bytes_is_refused_but_a_replacement_of_equal_size_fits(tmp_path, small_model):
    size = _bundle_bytes(tmp_path, small_model)
    workspace = Workspace(tmp_path / "ws", quota=Quota(max_bytes=int(size * 1.5)))
    first = workspace.save(small_model, name="first")
    with pytest.raises(SaveRefused) as refused:
        workspace.save(small_model, name="second")
    assert refused.value.code == "user_space"
    assert [entry.id for entry in workspace.entries()] == [first.id]
    checkpoint = workspace.save(small_model, name="first", entry_id=first.id, in_progress=True)
    assert checkpoint.in_progress


def test_the_total_over_every_user_is_capped(tmp_path, small_model):
    size = _bundle_bytes(tmp_path, small_model)
    users = tmp_path / "all" / "users"
    quota = Quota(max_total_bytes=int(size * 1.5), total_root=tmp_path / "all")
    Workspace(users / ("a" * 32), quota=quota).save(small_model, name="first")
    other = Workspace(users / ("b" * 32), quota=quota)
    with pytest.raises(SaveRefused) as refused:
        other.save(small_model, name="second")
    assert refused.value.code == "total_space"
    assert not other.root.exists()  # the first save of a refused user makes no folder


def test_check_room_refuses_before_anything_is_written(tmp_path, small_model):
    workspace = Workspace(tmp_path / "ws", quota=Quota(max_bytes=1000))
    with pytest.raises(SaveRefused, match="more than"):
        workspace.check_room(estimated_bytes(small_model))
    workspace.check_room(10)
    assert not workspace.root.exists()


def test_a_signed_out_workspace_lists_nothing_and_saves_nothing(tmp_path, small_model):
    Workspace(tmp_path).save(small_model, name="someone's")
    guest = Workspace(tmp_path, signed_out=True)
    assert guest.entries() == []
    with pytest.raises(SaveRefused) as refused:
        guest.save(small_model, name="mine")
    assert refused.value.code == "sign_in"
    with pytest.raises(SaveRefused):
        guest.check_room(0)
    assert len(Workspace(tmp_path).entries()) == 1


# --------------------------------------------------------------------------- clean-up

DAY = 86_400


def _age(folder, seconds_ago: float, now: float) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (now - seconds_ago, now - seconds_ago))


def test_workspaces_unused_for_the_days_are_removed_and_the_others_kept(tmp_path, small_model):
    users = tmp_path / "users"
    now = 1_900_000_000.0
    old = Workspace(users / ("a" * 32)).save(small_model, name="old").path.parent
    recent = Workspace(users / ("b" * 32)).save(small_model, name="recent").path.parent
    _age(old, 31 * DAY, now)
    _age(recent, 29 * DAY, now)
    assert remove_unused_workspaces(users, 30, now=now) == [old]
    assert not old.exists() and recent.exists()
    assert remove_unused_workspaces(tmp_path / "nobody", 30, now=now) == []


def test_a_visit_marks_a_workspace_used(tmp_path, small_model):
    users = tmp_path / "users"
    now = time.time()
    workspace = Workspace(users / ("a" * 32))
    workspace.save(small_model, name="kept by visits")
    _age(workspace.root, 40 * DAY, now)
    workspace.mark_used()
    assert remove_unused_workspaces(users, 30, now=now) == []
    Workspace(users / ("c" * 32)).mark_used()  # a visitor who never saved
    assert sorted(path.name for path in users.iterdir()) == ["a" * 32]


def test_the_sweeper_runs_at_once_then_once_per_interval(tmp_path, small_model):
    users = tmp_path / "users"
    clock = [1_900_000_000.0]
    sweeper = UnusedWorkspaceSweeper(users, 30, every_s=3600, clock=lambda: clock[0])

    def stale_workspace(key: str):
        folder = Workspace(users / key).save(small_model, name="stale").path.parent
        _age(folder, 31 * DAY, clock[0])
        return folder

    first = stale_workspace("a" * 32)
    assert sweeper.sweep_if_due() == [first]  # the first call, at server start
    second = stale_workspace("b" * 32)
    clock[0] += 3599
    assert sweeper.sweep_if_due() == [] and second.exists()
    clock[0] += 2
    assert sweeper.sweep_if_due() == [second]
