"""The shared job queue's rules, on a clock moved by hand: one job per user, the time limit, waiting jobs nobody
watches leaving, and estimates from the queue's own history; and jobs that follow them."""

import threading

import numpy as np
import pytest

from latent_core import hosting, jobs
from latent_core.data import load_dataset
from latent_core.hosting import HUNG_MARGIN_S, AlreadyQueued, HostingLimits, TrainingQueue, limits_from_env
from latent_core.jobs import CANCELLED, COMPLETED, FAILED, QUEUED, RUNNING, TIMED_OUT, ProjectionJob, TrainingJob
from latent_core.models import build_model


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


def started(queue: TrainingQueue, *tickets: int) -> None:
    for ticket in tickets:
        assert queue.try_start(ticket)


def test_no_more_start_at_once_than_the_machines_hold_even_where_the_slots_allow_more(clock):
    queue = TrainingQueue(slots=4, clock=clock)
    first, second = queue.join("ann"), queue.join("bob")
    assert queue.try_start(first, parallel=1) and not queue.try_start(second, parallel=1)  # one worker: one at once
    assert queue.try_start(second, parallel=2)  # a second worker joined


# --------------------------------------------------------------------------- one job per user


def test_a_second_job_of_the_same_user_is_refused_and_says_which_one_is_queued(clock):
    queue = TrainingQueue(slots=1, per_user=1, clock=clock)
    other = queue.join("bob", kind="train", label="bob's AE")
    started(queue, other)
    mine = queue.join("ann", kind="anomaly", label="3")
    with pytest.raises(AlreadyQueued) as refused:
        queue.join("ann", kind="map", label="t-SNE")
    assert (refused.value.existing.kind, refused.value.existing.label) == ("anomaly", "3")
    assert refused.value.position.ahead == 0  # waiting, next in line
    assert queue.waiting == 1  # the refused request took no ticket

    queue.leave(other)
    started(queue, mine)
    with pytest.raises(AlreadyQueued) as refused:  # running counts too
        queue.join("ann", kind="map", label="t-SNE")
    assert refused.value.position is None
    queue.leave(mine)
    queue.leave(queue.join("ann", kind="map", label="t-SNE"))  # once it is done, the next is welcome


def test_without_a_per_user_rule_and_for_nobodys_jobs_there_is_no_limit(clock):
    free = TrainingQueue(slots=1, clock=clock)
    assert len({free.join("ann") for _ in range(3)}) == 3
    ruled = TrainingQueue(slots=1, per_user=1, clock=clock)
    assert len({ruled.join() for _ in range(3)}) == 3  # owner None: a job of the command line or a test


# --------------------------------------------------------------------------- the time limit


def test_a_job_is_overdue_after_its_time_limit_and_a_hung_one_gives_its_slot_up(clock):
    queue = TrainingQueue(slots=1, per_user=1, time_limit_s=600, clock=clock)
    hung = queue.join("ann")
    started(queue, hung)
    behind = queue.join("bob")
    clock.advance(599)
    assert not queue.overdue(hung) and not queue.try_start(behind)
    clock.advance(1)
    assert queue.overdue(hung)  # its job stops at its next step
    assert not queue.try_start(behind)  # and is given a moment to do so
    clock.advance(HUNG_MARGIN_S + 1)  # it never did: taken as hung
    assert queue.running == 0 and queue.try_start(behind)
    queue.leave(queue.join("ann"))  # and its owner may queue again
    assert not queue.overdue(behind)


def test_without_a_time_limit_nothing_is_ever_overdue(clock):
    queue = TrainingQueue(slots=1, clock=clock)
    ticket = queue.join("ann")
    started(queue, ticket)
    clock.advance(1e9)
    assert not queue.overdue(ticket) and queue.running == 1


# --------------------------------------------------------------------------- waiting jobs nobody watches


def test_a_waiting_ticket_nobody_polls_leaves_after_the_grace_period(clock):
    queue = TrainingQueue(slots=1, per_user=1, unwatched_s=60, clock=clock)
    holder = queue.join("bob")
    started(queue, holder)
    watched, closed = queue.join("ann"), queue.join("cy")
    for _ in range(5):
        clock.advance(30)
        queue.touch(watched)  # a page that polls every 30 s
    assert queue.position(closed) is None  # its tab was closed: gone from the queue
    assert queue.position(watched).ahead == 0 and queue.waiting == 1
    queue.leave(queue.join("cy"))  # and its owner's turn is free again
    clock.advance(1e6)
    assert queue.running == 1  # a running job is never dropped for not being watched


def test_a_thread_waiting_for_an_unwatched_ticket_gives_up(clock):
    queue = TrainingQueue(slots=1, unwatched_s=60, clock=clock)
    started(queue, queue.join())
    ticket = queue.join()
    result = []
    waiter = threading.Thread(target=lambda: result.append(queue.wait_for_slot(ticket, timeout=30)))
    waiter.start()
    clock.advance(61)
    waiter.join(10)
    assert result == [False]


# --------------------------------------------------------------------------- estimates from history


def finish(queue: TrainingQueue, clock: FakeClock, seconds: float, **ticket) -> None:
    """Run one job of ``seconds`` through an otherwise empty queue."""
    number = queue.join(**ticket)
    started(queue, number)
    clock.advance(seconds)
    queue.leave(number, finished=True)


def test_the_wait_is_the_median_run_of_recent_jobs_of_each_kind(clock):
    queue = TrainingQueue(slots=1, clock=clock)
    for seconds in (50, 70, 400):
        finish(queue, clock, seconds, kind="map")
    ticket = queue.join(kind="map")
    assert queue.position(ticket).run_s == pytest.approx(70)  # the median, not thrown off by one slow map
    running = queue.join(kind="map")
    queue.leave(ticket)
    started(queue, running)
    ahead, mine = queue.join(kind="map"), queue.join(kind="map")
    clock.advance(20)
    assert queue.position(ahead).wait_s == pytest.approx(50)  # the running map's 70 s, 20 s of them gone
    assert queue.position(mine).wait_s == pytest.approx(120)  # then the map ahead's 70 s


def test_a_jobs_own_estimate_is_corrected_by_how_far_off_recent_ones_were(clock):
    queue = TrainingQueue(slots=1, clock=clock)
    finish(queue, clock, 200, kind="train", estimate_s=100)  # this server runs twice as slow as estimated
    finish(queue, clock, 10, kind="map")  # other kinds do not count
    ticket = queue.join(kind="train", estimate_s=30)
    assert queue.position(ticket).run_s == pytest.approx(60)


def test_stopped_and_cancelled_jobs_are_not_history_and_without_any_there_is_no_estimate(clock):
    queue = TrainingQueue(slots=1, clock=clock)
    stopped = queue.join(kind="map")
    started(queue, stopped)
    clock.advance(5)
    queue.leave(stopped)  # not finished: stopped early, says nothing of a map's length
    running, waiting = queue.join(kind="map"), queue.join(kind="map")
    started(queue, running)
    assert queue.position(waiting).wait_s is None and queue.position(waiting).run_s is None


def test_estimates_use_every_slot_and_never_exceed_the_time_limit(clock):
    queue = TrainingQueue(slots=2, time_limit_s=100, clock=clock)
    for _ in range(3):
        finish(queue, clock, 80, kind="train")
    a, b = queue.join(kind="train"), queue.join(kind="train")
    started(queue, a, b)
    c, d = queue.join(kind="train", estimate_s=1000), queue.join(kind="train")
    assert queue.position(c).wait_s == pytest.approx(80)  # the first of two slots to free
    assert queue.position(c).run_s == pytest.approx(100)  # 1000 s estimated, but stopped at the limit
    assert queue.position(d).wait_s == pytest.approx(80)  # the other slot frees at the same time
    unlimited = TrainingQueue(slots=None, clock=clock)
    assert unlimited.position(unlimited.join()).wait_s == 0  # a free slot for everyone: no wait


def test_the_wait_before_start_is_the_queue_ahead_then_the_jobs_own_run(clock):
    queue = TrainingQueue(slots=2, clock=clock)
    running = [queue.join(kind="train", estimate_s=100) for _ in range(2)]
    started(queue, *running)
    waiting = [queue.join(kind="train", estimate_s=100) for _ in range(3)]
    clock.advance(40)
    place = queue.preview(kind="train", estimate_s=50)
    assert (place.ahead, place.running, place.slots) == (3, 2, 2)
    # both slots free at 60 s; the three ahead take them in turn: 60 → 160 and 60 → 160, then 160 → 260
    assert place.wait_s == pytest.approx(160) and place.run_s == pytest.approx(50)
    assert queue.waiting == 3  # only a look: nobody joined
    queue.leave(waiting[0])
    assert queue.preview(kind="train", estimate_s=50).wait_s == pytest.approx(160)  # two ahead: one each slot
    queue.leave(waiting[1])
    assert queue.preview(kind="train", estimate_s=50).wait_s == pytest.approx(60)  # one ahead: the other slot is ours
    more_slots = TrainingQueue(slots=3, clock=clock)
    started(more_slots, more_slots.join(kind="train", estimate_s=100), more_slots.join(kind="train", estimate_s=100))
    assert more_slots.preview(kind="train", estimate_s=50).wait_s == 0  # a slot is free


def test_the_wait_before_start_counts_the_machines_that_run_the_jobs(clock):
    queue = TrainingQueue(slots=8, clock=clock)  # the slots allow 8, the workers fewer
    running = [queue.join(kind="train", estimate_s=100) for _ in range(2)]
    started(queue, *running)
    for _ in range(2):
        queue.join(kind="train", estimate_s=100)
    on_two = queue.preview(kind="train", estimate_s=50, parallel=2)
    on_four = queue.preview(kind="train", estimate_s=50, parallel=4)
    assert on_two.slots == 2 and on_two.wait_s == pytest.approx(200)  # two at a time: 100, then 100 more
    assert on_four.slots == 4 and on_four.wait_s == pytest.approx(100)  # more workers: the wait shrinks
    assert queue.preview(kind="train", estimate_s=50, parallel=16).slots == 8  # never more than the slots


def test_the_wait_before_start_learns_this_servers_speed(clock):
    queue = TrainingQueue(slots=1, clock=clock)
    finish(queue, clock, 150, kind="train", estimate_s=100)  # runs here take 1.5 times their estimate
    assert queue.preview(kind="train", estimate_s=40).run_s == pytest.approx(60)
    assert TrainingQueue(slots=None, clock=clock).preview(kind="train", estimate_s=40).wait_s == 0  # nothing waits


# --------------------------------------------------------------------------- limits and the shared queue


def test_hosted_defaults_and_their_environment_overrides():
    hosted = limits_from_env({"LATENT_EXPLORER_HOSTED": "1"})
    assert (hosted.max_jobs_per_user, hosted.max_job_seconds, hosted.max_unwatched_seconds) == (1, 600, 60)
    tuned = limits_from_env({"LATENT_EXPLORER_HOSTED": "1", "LATENT_EXPLORER_MAX_JOB_SECONDS": "120",
                             "LATENT_EXPLORER_MAX_JOBS_PER_USER": "2", "LATENT_EXPLORER_MAX_UNWATCHED_SECONDS": "30"})
    assert (tuned.max_jobs_per_user, tuned.max_job_seconds, tuned.max_unwatched_seconds) == (2, 120, 30)
    local = limits_from_env({})
    assert (local.max_jobs_per_user, local.max_job_seconds, local.max_unwatched_seconds) == (None, None, None)
    with pytest.raises(ValueError, match="LATENT_EXPLORER_MAX_JOB_SECONDS must be a whole number"):
        limits_from_env({"LATENT_EXPLORER_MAX_JOB_SECONDS": "ten minutes"})


def test_the_shared_queue_takes_every_rule_from_the_limits():
    queue = hosting.shared_training_queue(HostingLimits(max_concurrent_trainings=2, max_jobs_per_user=1,
                                                        max_job_seconds=600, max_unwatched_seconds=60))
    assert queue.rules == (2, 1, 600, 60)
    assert hosting.shared_training_queue(HostingLimits()).rules == (None, None, None, None)


# --------------------------------------------------------------------------- jobs under these rules


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", max_train=256, max_test=32)


def wait_for(condition, seconds: float = 60) -> None:
    done = threading.Event()
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError("the condition never held")


def test_a_training_past_its_time_limit_stops_and_keeps_its_last_weights(digits, clock):
    queue = TrainingQueue(slots=1, time_limit_s=600, clock=clock)
    saved = []
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = TrainingJob(model, digits, epochs=500, batch_size=8, queue=queue, owner="ann",
                      on_model_ready=saved.append).start()
    wait_for(lambda: job.snapshot().progress is not None)
    assert job.snapshot().state == RUNNING
    clock.advance(600)
    job.join(60)
    snapshot = job.snapshot()
    assert snapshot.state == TIMED_OUT and snapshot.finished
    assert len(saved) == 1 and saved[0].stop_reason == "stopped" and np.isfinite(model.get_weights()[0]).all()
    assert queue.running == queue.waiting == 0


def test_a_waiting_job_whose_page_stopped_polling_is_cancelled_and_one_that_polls_stays(digits, clock):
    queue = TrainingQueue(slots=1, per_user=1, unwatched_s=60, clock=clock)
    holder = queue.join("bob")
    started(queue, holder)
    watched = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1,
                          queue=queue, owner="ann").start()
    closed = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1,
                         queue=queue, owner="cy").start()
    for _ in range(3):
        clock.advance(40)
        assert watched.snapshot().state == QUEUED  # each snapshot is a poll
    closed.join(10)
    assert closed.snapshot().state == CANCELLED and watched.snapshot().state == QUEUED
    watched.stop()
    watched.join(10)
    queue.leave(holder)


def test_stop_while_waiting_frees_the_users_turn_at_once(digits, clock):
    queue = TrainingQueue(slots=1, per_user=1, clock=clock)
    started(queue, queue.join("bob"))
    first = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1,
                        queue=queue, owner="ann").start()
    with pytest.raises(AlreadyQueued):
        TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1,
                    queue=queue, owner="ann").start()
    first.stop()
    queue.leave(queue.join("ann"))  # no waiting for the thread to notice
    first.join(10)
    assert first.snapshot().state == CANCELLED


def test_a_map_job_computes_the_map_and_hands_it_on(clock):
    codes = np.random.default_rng(0).standard_normal((120, 4))
    kept = []
    queue = TrainingQueue(slots=1, clock=clock)
    job = ProjectionJob(codes, method="tsne", max_points=100, on_ready=kept.append, queue=queue, owner="ann",
                        name="t-SNE").start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == COMPLETED and snapshot.fraction == 1.0
    assert kept == [snapshot.saved] and snapshot.saved.coordinates.shape == (100, 2)


def test_a_map_job_past_its_time_limit_ends_without_a_map(clock):
    codes = np.random.default_rng(0).standard_normal((400, 4))
    queue = TrainingQueue(slots=1, time_limit_s=60, clock=clock)
    clock_moves = ProjectionJob(codes, method="tsne", max_points=400, queue=queue, owner="ann")
    original = clock_moves._report

    def report_and_age(fraction, message):  # time runs out during the layout
        original(fraction, message)
        clock.advance(30)

    clock_moves._report = report_and_age
    clock_moves.start().join(120)
    snapshot = clock_moves.snapshot()
    assert snapshot.state == TIMED_OUT and snapshot.saved is None and snapshot.fraction < 1.0


def test_a_map_that_cannot_be_made_fails_with_the_reason(clock):
    job = ProjectionJob(np.ones((50, 3)), method="tsne", max_points=50, queue=TrainingQueue(clock=clock)).start()
    job.join(30)
    assert job.snapshot().state == FAILED and "identical" in job.snapshot().error


def test_a_map_that_runs_out_of_memory_ends_failed_instead_of_running_forever(clock, monkeypatch, caplog):
    def out_of_memory(*args, **kwargs):
        raise MemoryError("simulated")

    monkeypatch.setattr(jobs.projection, "project", out_of_memory)
    job = ProjectionJob(np.random.default_rng(0).normal(size=(60, 3)), method="tsne", max_points=60,
                        queue=TrainingQueue(clock=clock)).start()
    job.join(30)
    snapshot = job.snapshot()
    assert (snapshot.state, snapshot.error_type) == (FAILED, "MemoryError") and snapshot.finished
    assert any(record.exc_info and record.exc_info[0] is MemoryError for record in caplog.records)
