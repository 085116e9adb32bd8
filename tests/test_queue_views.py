"""How often a page polls its job: slowly while it waits in the queue, every second once it runs, and
the whole page again when it starts or ends."""

from latent_core.jobs import COMPLETED, QUEUED, RUNNING, STOPPED, JobSnapshot
from ui import queue_views


def snapshot(state: str) -> JobSnapshot:
    return JobSnapshot(state=state, progress=None, history={}, preview=None, preview_inputs=None, error=None,
                       saved=None, started_at=0.0, finished_at=None if state in (QUEUED, RUNNING) else 1.0)


def test_a_waiting_job_is_polled_less_often_than_a_running_one():
    assert queue_views.poll_seconds(snapshot(QUEUED)) == queue_views.WAITING_POLL_S
    assert queue_views.poll_seconds(snapshot(RUNNING)) == queue_views.POLL_S
    assert queue_views.WAITING_POLL_S > queue_views.POLL_S


def test_a_waiting_poll_stays_within_the_queue_s_grace_for_unwatched_tickets():
    from latent_core import hosting

    assert queue_views.WAITING_POLL_S * 4 <= hosting.limits_from_env({"LATENT_EXPLORER_HOSTED": "1"}).max_unwatched_seconds


def test_the_page_runs_again_when_its_job_starts_or_ends_and_not_between():
    assert queue_views.page_outdated(snapshot(QUEUED), snapshot(RUNNING))  # now polled every second
    assert queue_views.page_outdated(snapshot(RUNNING), snapshot(COMPLETED))
    assert queue_views.page_outdated(snapshot(QUEUED), snapshot(STOPPED))  # withdrawn while it waited
    assert not queue_views.page_outdated(snapshot(QUEUED), snapshot(QUEUED))
    assert not queue_views.page_outdated(snapshot(RUNNING), snapshot(RUNNING))
