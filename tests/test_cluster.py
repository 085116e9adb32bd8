"""Trainings on a Ray cluster: a local cluster on loopback (one per module) runs real tiny
trainings through the job API — progress mirrored, checkpoints and the final model in the
shared workspace, Stop, a result handed back to the app, a killed worker."""

import dataclasses
import os
import signal
import socket
import time

import pytest

from latent_core import cluster
from latent_core.data import load_dataset
from latent_core.hosting import AlreadyQueued, TrainingQueue
from latent_core.jobs import (CANCELLED, COMPLETED, FAILED, QUEUED, RUNNING, STOPPED, ClusterJobView, TrainingJob,
                              cluster_job, workspace_job)
from latent_core.manifold import point_autoencoder_job
from latent_core.models import build_model
from latent_core.workspace import Workspace

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def ray_cluster(ray_address):
    """The module's local Ray cluster, as the app's cluster settings name it."""
    return cluster.ClusterSettings(address=ray_address, num_cpus=1, memory_mb=512)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits", max_train=300, max_test=50, seed=0)


def wait_for(condition, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_settings_come_from_the_environment():
    assert cluster.settings_from_env({}) is None
    settings = cluster.settings_from_env({cluster.RAY_ADDRESS_ENV: "auto", cluster.TRAINING_CPUS_ENV: "2",
                                          cluster.TRAINING_MEMORY_ENV: "1500"})
    assert settings == cluster.ClusterSettings(address="auto", num_cpus=2.0, memory_mb=1500)
    with pytest.raises(ValueError, match=cluster.TRAINING_MEMORY_ENV):
        cluster.settings_from_env({cluster.RAY_ADDRESS_ENV: "auto", cluster.TRAINING_MEMORY_ENV: "lots"})


def this_machines_address() -> str | None:
    """The address other machines would reach this one at (Ray's own guess), or None."""
    from ray._private.services import node_ip_address_from_perspective

    try:
        address = node_ip_address_from_perspective(None)
    except OSError:  # no route off this machine
        return None
    return None if address.startswith("127.") else address


def test_the_local_cluster_listens_on_loopback_only(ray_cluster):
    assert ray_cluster.address.startswith(f"{cluster.LOOPBACK}:")
    nodes = [node for node in ray.nodes() if node["Alive"]]
    assert nodes and {node["NodeManagerAddress"] for node in nodes} == {cluster.LOOPBACK}
    outside = this_machines_address()
    if outside is None:
        return  # a machine with loopback only: nothing else to listen on
    node = nodes[0]
    for port in (int(ray_cluster.address.rsplit(":", 1)[1]), node["NodeManagerPort"], node["ObjectManagerPort"]):
        with socket.socket() as probe:  # the cluster's servers refuse this machine's other address
            probe.settimeout(2)
            assert probe.connect_ex((outside, port)) != 0, f"port {port} answers on {outside}"


def test_the_cluster_runs_as_many_trainings_at_once_as_its_cpus_hold(ray_cluster):
    assert cluster.training_capacity(ray_cluster) == 2  # two CPUs, one per training
    assert cluster.training_capacity(dataclasses.replace(ray_cluster, num_cpus=2)) == 1


def test_waiting_places_ask_ray_for_the_workers_at_most_once_per_ttl(ray_cluster, monkeypatch):
    queue = cluster.ClusterQueue(ray_cluster)
    asked = []
    monkeypatch.setattr(cluster, "training_capacity", lambda settings: asked.append(settings) or 2)
    clock = [1000.0]
    monkeypatch.setattr(cluster.time, "monotonic", lambda: clock[0])
    assert [queue.capacity() for _ in range(20)] == [2] * 20 and len(asked) == 1  # twenty polls, one question
    clock[0] += queue.CAPACITY_TTL_S
    assert queue.capacity() == 2 and len(asked) == 2  # a worker that joined counts within the TTL


def test_the_wait_before_start_on_the_cluster_counts_its_workers(ray_cluster):
    queue = cluster.ClusterQueue(ray_cluster)
    rules = queue.rules
    queue.configure(slots=8, per_user=None, time_limit_s=None, unwatched_s=None)  # the slots allow more than 2
    tickets = [queue.join(f"student-{index}", estimate_s=60.0) for index in range(4)]
    try:
        assert all(queue.try_start(ticket) for ticket in tickets[:2])
        assert not queue.try_start(tickets[2])  # the slots would allow a third, the 2 CPUs do not
        place = queue.preview(estimate_s=30.0)  # two run, two wait: the 2 CPUs run two at a time
        assert (place.ahead, place.running, place.slots) == (2, 2, 2)
        assert place.wait_s == pytest.approx(120.0, abs=5.0) and place.run_s == pytest.approx(30.0)
        assert queue.preview(estimate_s=30.0, parallel=4).wait_s == pytest.approx(60.0, abs=5.0)  # twice the workers
    finally:
        for ticket in tickets:
            queue.leave(ticket)
        queue.configure(slots=rules[0], per_user=rules[1], time_limit_s=rules[2], unwatched_s=rules[3])


def test_trainings_start_no_faster_than_the_workers_hold_them(ray_cluster, digits, tmp_path):
    queue = cluster.ClusterQueue(ray_cluster)
    rules = queue.rules
    queue.configure(slots=8, per_user=None, time_limit_s=None, unwatched_s=None)  # the slots allow more than 2
    workspace = Workspace(tmp_path / "shared")
    runs = [workspace_job(workspace, build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=seed),
                          digits, name=f"run {seed}", epochs=500, batch_size=8, seed=0, queue=queue,
                          owner=f"student-{seed}", cluster=ray_cluster).start() for seed in range(3)]
    try:
        wait_for(lambda: sum(run.snapshot().progress is not None for run in runs) == 2)
        time.sleep(2 * cluster.ClusterQueue.POLL_S)  # the third run's next look at the queue
        assert queue.running == 2 and [run.snapshot().state for run in runs].count(QUEUED) == 1
    finally:
        for run in runs:
            run.stop()
        for run in runs:
            run.join(60)
        queue.configure(slots=rules[0], per_user=rules[1], time_limit_s=rules[2], unwatched_s=rules[3])


def test_a_queued_training_runs_in_a_worker_and_saves_into_the_shared_workspace(ray_cluster, digits, tmp_path):
    workspace = Workspace(tmp_path / "shared")
    queue = TrainingQueue(1)
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = workspace_job(workspace, model, digits, name="on ray", epochs=2, batch_size=64, seed=0,
                        checkpoint_every_s=0.0, queue=queue, owner="student-a", cluster=ray_cluster).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == COMPLETED, snapshot.error
    assert job.remote.worker_pid() not in (None, os.getpid())  # trained in another process
    assert len(snapshot.history["loss"]) == 2 and snapshot.preview.shape == (8, 8, 8, 1)
    [entry] = workspace.entries()
    assert snapshot.saved.id == entry.id and not entry.in_progress and entry.epochs_completed == 2
    assert queue.running == 0 and queue.waiting == 0  # the slot was given back


def test_stop_reaches_the_worker_and_keeps_what_was_learned(ray_cluster, digits, tmp_path):
    workspace = Workspace(tmp_path / "shared")
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = workspace_job(workspace, model, digits, name="stopped on ray", epochs=500, batch_size=8, seed=0,
                        cluster=ray_cluster).start()
    wait_for(lambda: job.snapshot().progress is not None)  # the worker's progress reached the app
    job.stop()
    job.join(60)
    snapshot = job.snapshot()
    assert snapshot.state == STOPPED
    [entry] = workspace.entries()
    assert entry.stop_reason == "stopped" and entry.epochs_completed < 500 and not entry.in_progress


def test_a_result_kept_in_memory_comes_back_to_the_app(ray_cluster):
    points = load_dataset("swiss_roll").x_train[:300]
    job = point_autoencoder_job(points, kind="linear_ae", epochs=2, cluster=ray_cluster).start()
    job.join(120)
    snapshot = job.snapshot()
    assert snapshot.state == COMPLETED, snapshot.error
    assert snapshot.saved.model.encode(snapshot.saved.standardiser.apply(points[:5])).shape == (5, 2)


def test_a_killed_worker_fails_the_job_and_leaves_its_last_checkpoint(ray_cluster, digits, tmp_path):
    workspace = Workspace(tmp_path / "shared")
    queue = TrainingQueue(1)
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = workspace_job(workspace, model, digits, name="killed on ray", epochs=1000, batch_size=32, seed=0,
                        checkpoint_every_s=0.0, queue=queue, cluster=ray_cluster).start()
    wait_for(lambda: workspace.entries())  # a checkpoint was saved
    os.kill(wait_for(job.remote.worker_pid), signal.SIGKILL)
    job.join(60)
    snapshot = job.snapshot()
    assert snapshot.state == FAILED and snapshot.error_type == "WorkerLost"
    [entry] = workspace.entries()
    assert entry.in_progress and entry.epochs_completed >= 1  # listed as unfinished, with its epochs
    assert queue.running == 0  # the slot is free for the next job: the app serves on


def test_trainings_one_after_another_find_a_warm_worker(ray_cluster, digits, tmp_path):
    """Every training's task comes from the one ``TrainingRuns``, so Ray hands the next training the worker
    that already imported TensorFlow. A worker is replaced after ``TRAININGS_PER_WORKER`` trainings,
    so of three in a row at least two share one."""
    workspace = Workspace(tmp_path / "shared")
    pids = []
    for seed in range(3):
        model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=seed)
        job = workspace_job(workspace, model, digits, name=f"warm {seed}", epochs=1, batch_size=64, seed=0,
                            cluster=ray_cluster).start()
        job.join(120)
        assert job.snapshot().state == COMPLETED, job.snapshot().error
        pids.append(job.remote.worker_pid())
    assert pids[0] == pids[1] or pids[1] == pids[2], pids


def test_one_process_holds_every_training_and_lets_each_go_once_its_outcome_is_fetched(ray_cluster, digits,
                                                                                       tmp_path):
    runs_gone()  # a fresh TrainingRuns, holding nothing an earlier test left
    workspace = Workspace(tmp_path / "shared")
    jobs = [workspace_job(workspace, build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=seed), digits,
                          name=f"held {seed}", epochs=1000, batch_size=8, seed=0, cluster=ray_cluster).start()
            for seed in range(2)]
    wait_for(lambda: all(job.remote is not None for job in jobs))
    runs = ray.get_actor(cluster.RUNS_NAME, namespace=cluster.NAMESPACE)
    assert ray.get(runs.count.remote()) == 2  # both in the one actor, not an actor process each
    for job in jobs:
        job.stop()
        job.join(60)
        assert job.snapshot().state == STOPPED
    assert wait_for(lambda: ray.get(runs.count.remote()) == 0, timeout=30)


def runs_gone() -> None:
    """Kill the cluster's ``TrainingRuns`` (where one runs) and wait until its name is free again."""
    try:
        ray.kill(ray.get_actor(cluster.RUNS_NAME, namespace=cluster.NAMESPACE), no_restart=True)
    except ValueError:
        return

    def name_free():
        try:
            ray.get_actor(cluster.RUNS_NAME, namespace=cluster.NAMESPACE)
        except ValueError:
            return True
        return False

    wait_for(name_free, timeout=30)


def test_a_training_whose_runs_actor_dies_fails_as_lost_and_the_next_one_runs(ray_cluster, digits, tmp_path):
    workspace = Workspace(tmp_path / "shared")
    queue = TrainingQueue(1)
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = workspace_job(workspace, model, digits, name="runs die", epochs=1000, batch_size=8, seed=0,
                        queue=queue, cluster=ray_cluster).start()
    wait_for(lambda: job.snapshot().progress is not None)
    runs_gone()  # its worker's task goes with it
    job.join(60)
    snapshot = job.snapshot()
    assert snapshot.state == FAILED and snapshot.error_type == "WorkerLost"
    assert queue.running == 0
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=1)
    after = workspace_job(workspace, model, digits, name="after", epochs=1, batch_size=64, seed=0,
                          cluster=ray_cluster).start()  # a new TrainingRuns takes over
    after.join(120)
    assert after.snapshot().state == COMPLETED, after.snapshot().error


def test_without_a_cluster_a_training_runs_in_this_process(digits, monkeypatch):
    monkeypatch.delenv(cluster.RAY_ADDRESS_ENV, raising=False)
    job = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1).start()
    job.join(60)
    assert job.cluster is None and job.remote is None and job.snapshot().state == COMPLETED


def test_a_refused_save_crosses_processes_whole():
    import pickle

    from latent_core.workspace import SaveRefused

    refusal = pickle.loads(pickle.dumps(SaveRefused("Your models would take more than 1 MB.", "user_space",
                                                    limit="1 MB")))
    assert refusal.code == "user_space" and refusal.details["limit"] == "1 MB" and "1 MB" in str(refusal)


def test_every_replica_shares_one_queue(ray_cluster):
    first, second = cluster.ClusterQueue(ray_cluster), cluster.ClusterQueue(ray_cluster)  # two replicas' views
    first.configure(slots=1, per_user=1, time_limit_s=None, unwatched_s=None)
    assert second.rules == (1, 1, None, None)
    mine = first.join("student-a", kind="train", label="mine", estimate_s=10.0)
    with pytest.raises(AlreadyQueued) as busy:
        second.join("student-a", label="again")
    assert busy.value.existing.label == "mine"
    theirs = second.join("student-b", label="theirs", estimate_s=10.0)
    assert first.try_start(mine) and not second.try_start(theirs)
    place = second.position(theirs)
    assert place.ahead == 0 and place.running == 1
    first.leave(mine, finished=True)
    assert second.wait_for_slot(theirs, timeout=10) and first.running == 1 and first.waiting == 0
    second.leave(theirs)
    first.configure(slots=None, per_user=None, time_limit_s=None, unwatched_s=None)


def test_another_replica_sees_a_running_training_and_stops_it(ray_cluster, digits, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(cluster.RAY_ADDRESS_ENV, ray_cluster.address)
    workspace = Workspace(tmp_path / "shared")
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
    job = workspace_job(workspace, model, digits, name="seen elsewhere", epochs=500, batch_size=8, seed=0,
                        queue=cluster.ClusterQueue(ray_cluster), owner="student-c", cluster=ray_cluster).start()
    view = wait_for(lambda: cluster_job(ray_cluster, "student-c"))  # what a session on another replica finds
    assert view.name == "seen elsewhere" and cluster_job(ray_cluster, "student-d") is None
    wait_for(lambda: view.snapshot().progress is not None)
    assert view.snapshot().state == RUNNING
    [listed] = cluster.active_jobs(ray_cluster, replica=cluster.replica_name())  # what a drain waits for
    assert listed["name"] == "seen elsewhere" and cluster.active_jobs(ray_cluster, replica="another-host") == []
    assert cluster.main(["jobs", "--replica", cluster.replica_name()]) == 1  # not drained yet
    assert "running\t'seen elsewhere'" in capsys.readouterr().out
    view.stop()
    job.join(60)
    ended = view.snapshot()
    assert ended.state == STOPPED and ended.saved.id == workspace.entries()[0].id
    assert cluster_job(ray_cluster, "student-c") is None  # ended: nothing left to take over
    assert cluster.main(["jobs", "--replica", cluster.replica_name(), "--wait", "1"]) == 0  # drained
    assert "no trainings queued or running" in capsys.readouterr().out


def test_a_job_waiting_in_the_shared_queue_shows_its_place_elsewhere_and_leaves_on_stop(ray_cluster, digits):
    queue = cluster.ClusterQueue(ray_cluster)
    queue.configure(slots=1, per_user=None, time_limit_s=None, unwatched_s=None)
    holder = queue.join("someone else", label="ahead")
    assert queue.try_start(holder)  # the only slot is taken
    try:
        job = TrainingJob(build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4), digits, epochs=1,
                          queue=queue, owner="student-e", name="waits", cluster=ray_cluster).start()
        view = wait_for(lambda: cluster_job(ray_cluster, "student-e"))
        snapshot = view.snapshot()
        assert snapshot.state == QUEUED and snapshot.queue.ahead == 0 and snapshot.queue.running == 1
        view.stop()  # from another replica: the ticket leaves, the job ends without running
        job.join(30)
        assert job.snapshot().state == CANCELLED and view.snapshot().state == CANCELLED
    finally:
        queue.leave(holder)
        queue.configure(slots=None, per_user=None, time_limit_s=None, unwatched_s=None)


REPLICA_THAT_DIES = """
import sys, time
from latent_core import cluster
from latent_core.data import load_dataset
from latent_core.jobs import workspace_job
from latent_core.models import build_model
from latent_core.workspace import Workspace

settings = cluster.ClusterSettings(address=sys.argv[1], num_cpus=1, memory_mb=512)
digits = load_dataset("digits", max_train=300, max_test=50, seed=0)
model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=0)
job = workspace_job(Workspace(sys.argv[2]), model, digits, name="outlives its replica", epochs=int(sys.argv[3]),
                    batch_size=8, seed=0, checkpoint_every_s=0.0, queue=cluster.ClusterQueue(settings),
                    owner="student-g", cluster=settings).start()
while (job.snapshot().progress is None) if sys.argv[4] == "running" else (job.snapshot().state != "queued"
                                                                           or job.remote is None):
    time.sleep(0.1)
print(sys.argv[4], flush=True)
time.sleep(600)
"""


def replica_dies_with_a_training(ray_cluster, workspace, epochs: int, when: str) -> None:
    """An app replica in its own process starts a training for student-g on the cluster and is killed
    (SIGKILL: no clean-up of its own) once the training is ``when`` (``running``: its worker reports
    progress; ``queued``: it waits in the shared queue)."""
    import subprocess
    import sys

    replica = subprocess.Popen([sys.executable, "-c", REPLICA_THAT_DIES, ray_cluster.address, str(workspace),
                                str(epochs), when], stdout=subprocess.PIPE, text=True)
    try:
        assert replica.stdout.readline().strip() == when
    finally:
        replica.kill()
        replica.wait(30)


def test_a_training_outlives_the_replica_that_started_it(ray_cluster, digits, tmp_path):
    epochs = 60
    runs_gone()  # so the replica that dies is the one that starts the cluster's TrainingRuns
    replica_dies_with_a_training(ray_cluster, tmp_path / "shared", epochs, "running")
    view = wait_for(lambda: cluster_job(ray_cluster, "student-g"))  # another replica takes over
    assert view.snapshot().state == RUNNING and view.snapshot().progress is not None
    view.join(120)
    ended = view.snapshot()
    assert ended.state == COMPLETED, ended.error
    [entry] = Workspace(tmp_path / "shared").entries()
    assert ended.saved.id == entry.id and entry.epochs_completed == epochs and not entry.in_progress
    queue = cluster.ClusterQueue(ray_cluster)
    assert wait_for(lambda: queue.running == 0 and queue.waiting == 0, timeout=10)  # its slot was given back
    model = build_model("dense_ae", input_shape=(8, 8, 1), latent_dim=4, seed=1)
    next_one = workspace_job(Workspace(tmp_path / "shared"), model, digits, name="after the replica", epochs=1,
                             batch_size=64, seed=0, cluster=ray_cluster).start()  # the dead replica's TrainingRuns
    next_one.join(120)
    assert next_one.snapshot().state == COMPLETED, next_one.snapshot().error


def test_a_training_still_waiting_when_its_replica_dies_runs_when_its_turn_comes(ray_cluster, tmp_path):
    queue = cluster.ClusterQueue(ray_cluster)
    queue.configure(slots=1, per_user=None, time_limit_s=None, unwatched_s=None)
    holder = queue.join("someone else", label="ahead")
    try:
        assert queue.try_start(holder)  # the only slot is taken
        replica_dies_with_a_training(ray_cluster, tmp_path / "shared", 2, "queued")
        view = wait_for(lambda: cluster_job(ray_cluster, "student-g"))
        assert view.snapshot().state == QUEUED and view.snapshot().queue.ahead == 0
        queue.leave(holder)  # its turn comes with nobody left in the replica that queued it
        view.join(120)
        ended = view.snapshot()
        assert ended.state == COMPLETED, ended.error
        assert Workspace(tmp_path / "shared").entries()[0].epochs_completed == 2
        assert wait_for(lambda: queue.running == 0 and queue.waiting == 0, timeout=10)
    finally:
        queue.leave(holder)
        queue.configure(slots=None, per_user=None, time_limit_s=None, unwatched_s=None)


def test_a_job_whose_run_is_gone_reads_as_failed_and_is_taken_off_the_board(ray_cluster):
    board = cluster.board(ray_cluster)
    ray.get(board.publish.remote("gone-job", {"owner": "student-f", "kind": "train", "name": "orphan",
                                              "started_at": time.time(), "on_cluster": True}))
    [record] = ray.get(board.find.remote("student-f", "train"))
    view = ClusterJobView(ray_cluster, record)
    snapshot = view.snapshot()
    assert snapshot.state == FAILED and snapshot.error_type == "WorkerLost"
    assert wait_for(lambda: ray.get(board.find.remote("student-f", "train")) == [])  # nobody asks again
    assert cluster_job(ray_cluster, "student-f") is None



def test_a_training_waiting_for_its_slot_ends_lost_when_the_job_board_is_out_of_reach(ray_cluster, monkeypatch,
                                                                                       caplog):
    """The board's actor gone while a training waits: nobody can give it its slot, so the training ends
    "lost" (not waiting for ever), the failure is logged, and the run is let go once its outcome is fetched."""
    import asyncio
    import concurrent.futures

    async def unreachable(*args):
        raise ray.exceptions.ActorDiedError()

    class UnreachableMethod:
        remote = staticmethod(unreachable)

    class UnreachableBoard:
        def __getattr__(self, method):
            return UnreachableMethod

    monkeypatch.setattr(cluster, "_board_handle", UnreachableBoard)

    async def wait_then_fetch():
        runs = cluster.TrainingRuns()
        await runs.launch("waiting-job", 7, {"lost": b"end", "cancelled": b"end"}, b"spec", 1.0, 2**20)
        assert await runs.wait_end("waiting-job", 10), "the training still waits for a slot nobody can give"
        outcome = runs.outcome("waiting-job")
        for _ in range(100):  # the run lets go once its outcome is fetched
            if runs.count() == 0:
                break
            await asyncio.sleep(0.01)
        return outcome, runs.count()

    with caplog.at_level("ERROR", logger=cluster.__name__), concurrent.futures.ThreadPoolExecutor(1) as thread:
        # an event loop of its own, in a thread of its own: this one may already run one (Ray's, an earlier test's)
        (kind, text), held = thread.submit(asyncio.run, wait_then_fetch()).result(timeout=60)
    assert kind == "lost" and "job board could not be reached" in text
    assert held == 0
    assert "could not wait for its slot" in caplog.text and "Could not put the end" in caplog.text
