"""Hosted mode: limits from the environment, the shared training queue, and the deploy files."""

import re
import sys
import threading
import time
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from latent_core import hosting
from latent_core.hosting import CLASSROOM_LIMITS, HostingLimits, TrainingQueue, limits_from_env

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- limits


def test_local_runs_have_no_limits():
    limits = limits_from_env({})
    assert limits == HostingLimits() and not limits.hosted and not limits.applies
    assert limits.cap("max_epochs", 500) == 500


def test_hosted_mode_turns_on_classroom_limits():
    for word in ("1", "true", "YES", " on "):
        assert limits_from_env({"LATENT_EXPLORER_HOSTED": word}) == CLASSROOM_LIMITS
    assert limits_from_env({"LATENT_EXPLORER_HOSTED": "0"}) == HostingLimits()
    limits = CLASSROOM_LIMITS
    assert limits.applies and limits.cap("max_epochs", 500) == limits.max_epochs
    assert limits.cap("max_epochs", 3) == 3
    assert limits.max_concurrent_trainings >= 1


def test_single_limits_override_hosted_defaults_or_stand_alone():
    limits = limits_from_env({"LATENT_EXPLORER_HOSTED": "1", "LATENT_EXPLORER_MAX_TRAININGS": "4",
                              "LATENT_EXPLORER_MAX_EPOCHS": " 5 "})
    assert limits.max_concurrent_trainings == 4 and limits.max_epochs == 5
    assert limits.max_tsne_points == CLASSROOM_LIMITS.max_tsne_points
    alone = limits_from_env({"LATENT_EXPLORER_MAX_TSNE_POINTS": "500", "LATENT_EXPLORER_MAX_UPLOAD_MB": ""})
    assert alone == HostingLimits(max_tsne_points=500) and alone.applies and not alone.hosted


@pytest.mark.parametrize("value", ["0", "-3", "many", "2.5"])
def test_a_bad_limit_names_its_variable(value):
    with pytest.raises(ValueError, match=f"LATENT_EXPLORER_MAX_TRAINING_IMAGES must be a whole number.*{value}"):
        limits_from_env({"LATENT_EXPLORER_MAX_TRAINING_IMAGES": value})


# --------------------------------------------------------------------------- the queue


def waiter(queue: TrainingQueue, ticket: int, started: list, cancel: threading.Event | None = None):
    """A thread that waits for ``ticket``'s slot and records whether (and in what order) it got one."""
    def run():
        started.append((ticket, queue.wait_for_slot(ticket, cancel=cancel, timeout=30)))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_tickets_start_first_come_first_served_as_slots_free():
    queue = TrainingQueue(slots=1)
    first, second, third = queue.join(), queue.join(), queue.join()
    assert queue.wait_for_slot(first, timeout=0)
    assert queue.position(first) is None  # running: not waiting
    assert queue.position(second) == hosting.QueuePosition(ahead=0, running=1, slots=1)
    assert queue.position(third).ahead == 1

    started = []
    threads = [waiter(queue, third, started), waiter(queue, second, started)]
    queue.leave(first)
    wait_until(lambda: len(started) == 1)
    assert started == [(second, True)]  # second, although third began waiting first
    assert queue.position(third) == hosting.QueuePosition(ahead=0, running=1, slots=1)
    queue.leave(second)
    wait_until(lambda: len(started) == 2)
    assert started[1] == (third, True)
    queue.leave(third)
    for thread in threads:
        thread.join(5)
    assert queue.running == queue.waiting == 0


def test_two_slots_run_two_at_once_and_positions_count_down():
    queue = TrainingQueue(slots=2)
    tickets = [queue.join() for _ in range(5)]
    assert queue.wait_for_slot(tickets[0], timeout=0) and queue.wait_for_slot(tickets[1], timeout=0)
    assert [queue.position(t).ahead for t in tickets[2:]] == [0, 1, 2]
    queue.leave(tickets[3])  # someone in the middle gives up
    assert queue.position(tickets[4]).ahead == 1
    queue.leave(tickets[0])
    assert queue.wait_for_slot(tickets[2], timeout=0)
    assert queue.position(tickets[4]) == hosting.QueuePosition(ahead=0, running=2, slots=2)
    for ticket in tickets:
        queue.leave(ticket)
        queue.leave(ticket)  # idempotent
    assert queue.running == queue.waiting == 0


def test_a_ticket_cannot_jump_the_queue():
    queue = TrainingQueue(slots=1)
    running, early, late = queue.join(), queue.join(), queue.join()
    assert queue.wait_for_slot(running, timeout=0)
    queue.leave(running)
    # A slot is free, but ``early`` waits before ``late``: ``late`` must not take it.
    assert not queue.wait_for_slot(late, timeout=0.3)
    assert queue.position(late) is None  # a timed-out ticket has left the queue
    assert queue.wait_for_slot(early, timeout=0)
    queue.leave(early)


def test_cancel_while_waiting_leaves_the_queue_at_once():
    queue = TrainingQueue(slots=1)
    holder, waiting, behind = queue.join(), queue.join(), queue.join()
    queue.wait_for_slot(holder, timeout=0)
    cancel = threading.Event()
    started = []
    thread = waiter(queue, waiting, started, cancel)
    wait_until(lambda: queue.position(behind).ahead == 1)
    cancel.set()
    thread.join(5)
    assert started == [(waiting, False)]
    assert queue.position(behind).ahead == 0 and queue.position(waiting) is None
    queue.leave(holder)
    assert queue.wait_for_slot(behind, timeout=5)
    queue.leave(behind)
    assert queue.running == queue.waiting == 0


def test_withdrawing_takes_out_a_waiting_ticket_but_never_a_running_one():
    queue = TrainingQueue(slots=1)
    running, waiting = queue.join(), queue.join()
    assert queue.wait_for_slot(running, timeout=0)
    assert not queue.withdraw(running)  # a Stop that came just after the start
    assert queue.running == 1
    assert queue.withdraw(waiting) and queue.position(waiting) is None and queue.waiting == 0
    assert not queue.withdraw(waiting)  # gone already
    queue.leave(running)
    assert queue.running == 0


def test_unlimited_slots_never_wait_and_resizing_lets_waiters_in():
    free = TrainingQueue(slots=None)
    tickets = [free.join() for _ in range(10)]
    assert all(free.wait_for_slot(ticket, timeout=0) for ticket in tickets)
    assert free.running == 10

    queue = TrainingQueue(slots=1)
    first, second = queue.join(), queue.join()
    queue.wait_for_slot(first, timeout=0)
    started = []
    thread = waiter(queue, second, started)
    queue.resize(2)
    thread.join(5)
    assert started == [(second, True)] and queue.running == 2


def test_many_threads_never_exceed_the_slots_and_leak_nothing():
    queue = TrainingQueue(slots=3)
    lock = threading.Lock()
    now, peak = [0], [0]

    def work(fail: bool):
        ticket = queue.join()
        try:
            assert queue.wait_for_slot(ticket, timeout=30)
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.01)
            with lock:
                now[0] -= 1
            if fail:
                raise RuntimeError("a training that crashes still gives its slot back")
        finally:
            queue.leave(ticket)

    threads = [threading.Thread(target=lambda f=i % 3 == 0: _swallow(work, f)) for i in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert peak[0] == 3
    assert queue.running == queue.waiting == 0


def _swallow(function, *args):
    try:
        function(*args)
    except RuntimeError:
        pass


@pytest.mark.parametrize("slots", [0, -1, 1.5, True])
def test_bad_slot_counts_are_refused(slots):
    with pytest.raises(ValueError, match="slots must be a positive integer"):
        TrainingQueue(slots=slots)


def test_the_shared_queue_is_one_per_process_and_follows_the_limits():
    queue = hosting.shared_training_queue(HostingLimits(max_concurrent_trainings=2))
    assert queue is hosting.shared_training_queue(HostingLimits(max_concurrent_trainings=2))
    assert queue.slots == 2
    assert hosting.shared_training_queue(HostingLimits()).slots is None


# --------------------------------------------------------------------------- deploy files


def test_requirements_parse_and_hold_every_runtime_dependency():
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    names = {Requirement(line).name.lower() for line in lines if line and not line.startswith("#")}
    assert {"streamlit", "keras", "numpy", "scipy", "plotly", "scikit-learn", "pillow",
            "streamlit-drawable-canvas", "opentsne"} <= names
    assert {"tensorflow-cpu", "tensorflow"} & names
    assert not {"pytest", "playwright"} & names  # test tools stay in requirements-dev.txt
    assert not (ROOT / "packages.txt").exists()  # nothing to apt-get on the host


def test_python_version_file_matches_the_tested_python():
    version = (ROOT / ".python-version").read_text().strip()
    assert re.fullmatch(r"3\.\d+", version)
    assert version == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"Python {version}" in (ROOT / "README.md").read_text()


def test_streamlit_config_suits_a_shared_host():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert 10 <= config["server"]["maxUploadSize"] <= 200
    assert config["server"]["runOnSave"] is False
    assert config["server"]["fileWatcherType"] == "none"  # no polling of the app's files while it serves
    assert config["runner"]["postScriptGC"] is False
    assert config["theme"]["primaryColor"].startswith("#")
    assert (ROOT / "app.py").is_file()


# --------------------------------------------------------------------------- the latent map page


def test_a_hosted_latent_map_offers_at_most_the_classroom_number_of_points(tiny, monkeypatch):
    from page_helpers import open_with_model

    monkeypatch.setenv("LATENT_EXPLORER_MAX_TSNE_POINTS", "150")
    app = open_with_model("latent_map.py", tiny.ae)
    assert not app.exception
    points = app.slider(key="latent_map.points")
    assert points.max == 150 and points.value == 150
    assert app.sidebar.caption[-1].value == "This server limits trainings, maps and uploads."


# --------------------------------------------------------------------------- workspace limits


def test_workspace_limits_are_off_locally_and_classroom_sized_when_hosted():
    assert hosting.workspace_limits_from_env({}) == hosting.WorkspaceLimits()
    hosted = hosting.workspace_limits_from_env({"LATENT_EXPLORER_HOSTED": "1"})
    assert hosted == hosting.CLASSROOM_WORKSPACE_LIMITS
    assert all(value >= 1 for value in vars(hosted).values())


def test_each_workspace_limit_has_its_variable_and_bad_values_name_it():
    limits = hosting.workspace_limits_from_env({
        "LATENT_EXPLORER_HOSTED": "1", "LATENT_EXPLORER_MAX_USER_MB": "50", "LATENT_EXPLORER_MAX_USER_MODELS": "3",
        "LATENT_EXPLORER_MAX_TOTAL_MB": "900", "LATENT_EXPLORER_UNUSED_DAYS": "7"})
    assert limits == hosting.WorkspaceLimits(max_user_mb=50, max_user_models=3, max_total_mb=900, unused_days=7)
    alone = hosting.workspace_limits_from_env({"LATENT_EXPLORER_MAX_USER_MODELS": "5"})
    assert alone == hosting.WorkspaceLimits(max_user_models=5)
    with pytest.raises(ValueError, match="LATENT_EXPLORER_UNUSED_DAYS"):
        hosting.workspace_limits_from_env({"LATENT_EXPLORER_UNUSED_DAYS": "soon"})


def test_sign_in_is_required_unless_turned_off():
    assert hosting.sign_in_required({})
    assert hosting.sign_in_required({"LATENT_EXPLORER_SIGN_IN_REQUIRED": "1"})
    for word in ("0", "false", " No ", "off"):
        assert not hosting.sign_in_required({"LATENT_EXPLORER_SIGN_IN_REQUIRED": word})


def test_readme_names_every_workspace_limit_with_its_hosted_default():
    readme = (ROOT / "README.md").read_text()
    for field, name in hosting.WORKSPACE_ENV_NAMES.items():
        default = getattr(hosting.CLASSROOM_WORKSPACE_LIMITS, field)
        assert f"| `{name}` | {default:,} |" in readme, name
    assert f"| `{hosting.SIGN_IN_REQUIRED_ENV}` | 1 |" in readme
