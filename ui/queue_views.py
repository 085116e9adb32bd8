"""Heavy work through the server's one job queue: a page's job started, shown while it waits or runs,
and its result collected; the sidebar line that keeps a waiting job alive on every page.

Every training (Train, Anomaly, Manifold) and every map computed on demand is a
``latent_core.jobs`` job in the process-wide ``hosting.TrainingQueue``, kept in
``st.session_state`` under the page's key, so a rerun or a page switch loses nothing.
``submit`` starts one, or says which job of this user is already queued; ``watch`` polls it
in a fragment and reruns the page once it is done; ``take_finished`` hands its result to
the page. Hosted, a waiting job that nobody polls leaves the queue after a while (its tab
was closed); ``sidebar_status`` polls this session's waiting jobs from whatever page is open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from latent_core import hosting, jobs
from ui import models
from ui.shell import t

POLL_S = 1.0
"""How often a page polls its running job: its progress, losses and previews."""
WAITING_POLL_S = 5.0
"""How often a page polls its job while it waits in the queue: its place changes only when a job
ahead ends, and a class whose pages all polled every second spent a share of the hosted server's
CPU on it that the trainings ahead then lacked."""
SIDEBAR_POLL_S = 5.0


def poll_seconds(snapshot: jobs.JobSnapshot) -> float:
    """How often to poll a job last seen as ``snapshot``."""
    return WAITING_POLL_S if snapshot.state == jobs.QUEUED else POLL_S


def page_outdated(polled_as: jobs.JobSnapshot, snapshot: jobs.JobSnapshot) -> bool:
    """Whether the page that polls a job it drew as ``polled_as`` must run again whole: the job
    ended (the page collects its result), or it left the queue and started, so the page polls
    it at the running job's pace."""
    return snapshot.finished or poll_seconds(snapshot) != poll_seconds(polled_as)


def owner() -> str:
    """Whose jobs these are: this user's workspace folder (hosted, one per user); for a
    visitor who is not signed in (all share one folder that keeps nothing), this session."""
    workspace = models.workspace()
    if workspace.signed_out:
        return "session:" + st.session_state.setdefault("queue.session_owner", uuid.uuid4().hex)
    return str(workspace.root)


def duration(seconds: float) -> str:
    if seconds < 90:
        return t("common.seconds", value=f"{seconds:.0f}")
    return t("common.minutes", value=f"{seconds / 60:.1f}")


def job_text(kind: str, name: str) -> str:
    """A job in words: "the training of my AE", "the t-SNE map"."""
    return t(f"queue.kind.{kind}", name=name)


def submit(state_key: str, make_job: Callable[..., jobs.BackgroundJob], *, context: object = None
           ) -> jobs.BackgroundJob | None:
    """Start ``make_job(queue=..., owner=...)`` and keep it in ``st.session_state[state_key]``
    (with ``context``, what the page needs to know of it later); when this user already has
    a job in the queue, say which one instead and return None."""
    try:
        job = make_job(queue=hosting.shared_training_queue(models.limits()), owner=owner()).start()
    except hosting.AlreadyQueued as busy:
        what = job_text(busy.existing.kind, busy.existing.label)
        if busy.position is None:
            st.warning(t("queue.busy_running", what=what))
        else:
            st.warning(t("queue.busy_waiting", what=what, place=busy.position.ahead + 1))
        return None
    st.session_state[state_key] = job
    if context is not None:
        st.session_state[f"{state_key}.context"] = context
    return job


def active(state_key: str) -> jobs.BackgroundJob | None:
    """The session's job under ``state_key`` while it waits or runs, else None."""
    job = st.session_state.get(state_key)
    return job if job is not None and not job.snapshot().finished else None


def take_finished(state_key: str) -> tuple[jobs.JobSnapshot, object] | None:
    """The final snapshot of the session's job under ``state_key`` and its context, once the
    job has finished, taken out of the session (the page keeps what it needs); a failure, a
    time-out or a job that left the queue is said here. None while there is none or it runs."""
    job = st.session_state.get(state_key)
    if job is None:
        return None
    snapshot = job.snapshot()
    if not snapshot.finished:
        return None
    del st.session_state[state_key]
    context = st.session_state.pop(f"{state_key}.context", None)
    show_problem(snapshot)
    return snapshot, context


@dataclass(frozen=True)
class Ended:
    """A page's finished job: ``completed`` with its ``result``, or ended without one and
    held until the user asks to compute again (``result`` None)."""

    completed: bool
    result: object = None


def ended_job(state_key: str, *, failed_text: Callable[[jobs.JobSnapshot], str], retry_label: str,
              retry_key: str) -> Ended | None:
    """The session's job under ``state_key`` once it has finished. Completed, its result is
    taken out of the session. Otherwise why it ended is said (``failed_text`` for a failure)
    with a Retry button: held (no new job starts by itself) until it is pressed, then the job
    is dropped. None while there is no job, it still waits or runs, or Retry was just
    pressed: the page may start one or watch it."""
    job = st.session_state.get(state_key)
    snapshot = job.snapshot() if job is not None else None
    if snapshot is None or not snapshot.finished:
        return None
    if snapshot.state == jobs.COMPLETED:
        del st.session_state[state_key]
        return Ended(completed=True, result=snapshot.saved)
    if snapshot.state == jobs.FAILED:
        st.error(failed_text(snapshot))
    elif snapshot.state == jobs.STOPPED:
        st.info(t("queue.stopped"))
    else:
        show_problem(snapshot)
    if not st.button(retry_label, key=retry_key):
        return Ended(completed=False)
    del st.session_state[state_key]
    return None


def show_problem(snapshot: jobs.JobSnapshot) -> None:
    """Why a finished job has no result, or only part of one."""
    if snapshot.state == jobs.TIMED_OUT:
        limit = models.limits().max_job_seconds
        st.warning(t("queue.timed_out", time=duration(limit or 0)))
    elif snapshot.state == jobs.CANCELLED:
        st.info(t("queue.cancelled"))
    elif snapshot.state in (jobs.FAILED, jobs.DIVERGED):
        st.error(t("common.training_failed", error_type=snapshot.error_type))


def waiting_text(place: hosting.QueuePosition | None) -> str:
    """Where a job waits and, from the queue's history, about how long until it starts."""
    if place is None:
        return t("queue.joining")
    where = t("queue.ahead", ahead=place.ahead, running=place.running) if place.ahead else \
        t("queue.next", running=place.running)
    if place.wait_s is None:
        return t("queue.no_estimate", place=where)
    return t("queue.estimate", place=where, time=duration(place.wait_s))


def show_waiting(snapshot: jobs.JobSnapshot) -> None:
    st.progress(0.0, text=waiting_text(snapshot.queue))
    per_user = models.limits().max_jobs_per_user
    st.caption(t("queue.help") if per_user is None else t("queue.per_user", help=t("queue.help"), count=per_user))


def before_start_text(place: hosting.QueuePosition, run_s: float, local_text: Callable[[str], str]) -> str:
    """The wait of a job not yet started: the queue ahead of it (``place``, from
    ``hosting.expected_wait``) and then its own run of about ``run_s``; where nothing waits
    for a slot (locally), ``local_text(run time)``, the page's own sentence."""
    run = duration(run_s)
    if place.slots is None:
        return local_text(run)
    if place.wait_s is None:
        return t("queue.before_start_unknown", ahead=place.ahead, running=place.running, slots=place.slots, run=run)
    if place.wait_s < 1 and place.ahead == 0:
        return t("queue.before_start_free", run=run, running=place.running, slots=place.slots)
    return t("queue.before_start", total=duration(place.wait_s + run_s), ahead=place.ahead, running=place.running,
             slots=place.slots, wait=duration(place.wait_s), run=run)


def show_expected_wait(estimate_s: float, local_text: Callable[[str], str], kind: str = "train") -> None:
    """Before Start: the wait a job of ``kind`` with its own ``estimate_s`` would have if started now
    (``before_start_text``), its run time as the queue expects it (the estimate corrected by how
    recent runs of its kind compared with theirs)."""
    place = hosting.expected_wait(kind, estimate_s, models.limits())
    st.info(before_start_text(place, estimate_s if place.run_s is None else place.run_s, local_text))


def training_text(snapshot: jobs.JobSnapshot) -> str:
    """A training's progress in one line."""
    progress = snapshot.progress
    if progress is None:
        return t("queue.starting")
    return t("queue.progress", epoch=progress.epoch, epochs=progress.epochs, elapsed=duration(progress.elapsed_s),
             eta=duration(progress.eta_s))


def watch(state_key: str, running_text: Callable[[jobs.JobSnapshot], str] = training_text) -> None:
    """The session's job under ``state_key``, polled (``poll_seconds``): its place in the queue,
    or its progress in ``running_text``'s words, with Stop; once it is done, the whole page
    reruns (and collects the result)."""
    job = st.session_state[state_key]
    if st.button(t("queue.stop"), icon=":material/stop_circle:", key=f"{state_key}.stop"):
        job.stop()
    polled_as = job.snapshot()

    @st.fragment(run_every=poll_seconds(polled_as))
    def live() -> None:
        snapshot = job.snapshot()
        if page_outdated(polled_as, snapshot):
            st.rerun()
        if snapshot.state == jobs.QUEUED:
            show_waiting(snapshot)
        else:
            st.progress(min(snapshot.fraction, 1.0), text=running_text(snapshot))

    live()


def _session_jobs() -> list[jobs.BackgroundJob]:
    return [value for value in st.session_state.to_dict().values() if isinstance(value, jobs.BackgroundJob)]


def sidebar_status() -> None:
    """This session's waiting jobs in the sidebar, polled every few seconds whatever page
    is open, so only a closed tab lets a waiting job drop out of the queue."""
    if not any(job.snapshot().state == jobs.QUEUED for job in _session_jobs()):
        return

    @st.fragment(run_every=SIDEBAR_POLL_S)
    def waiting_jobs() -> None:
        for job in _session_jobs():
            snapshot = job.snapshot()
            if snapshot.state == jobs.QUEUED:
                st.caption(t("queue.sidebar", what=job_text(job.kind, job.name), place=waiting_text(snapshot.queue)))

    with st.sidebar:
        waiting_jobs()
