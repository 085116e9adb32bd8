"""Smoke test of the protocol load test: one simulated student (Streamlit's websocket
protocol, driven by Locust) against a live server for a few seconds, with no error; two students
on two replicas, one each; and the training load test reading the waits the Train page writes."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_load_protocol_smoke_one_student_moves_sliders_without_errors(tmp_path):
    figures_path = tmp_path / "figures.json"
    subprocess.run([sys.executable, "benchmarks/load_protocol.py", "--users", "1", "--seconds", "6", "--ramp", "1",
                    "--browsers", "0", "--no-report", "--json", str(figures_path)], cwd=ROOT, check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    [run] = json.loads(figures_path.read_text())
    assert run["failures"] == []
    assert len(run["timings"]["slider move"]) >= 1 and run["timings"]["open Generate"]
    assert run["server_rss_peak"] > 0 and run["server_cpu_s"] > 0


def test_load_protocol_on_two_replicas_keeps_each_student_on_one_of_them(tmp_path):
    figures_path = tmp_path / "figures.json"
    subprocess.run([sys.executable, "benchmarks/load_protocol.py", "--users", "2", "--replicas", "2", "--seconds", "4",
                    "--ramp", "1", "--browsers", "0", "--no-report", "--json", str(figures_path)], cwd=ROOT,
                   check=True, timeout=400, stdout=subprocess.DEVNULL)
    [run] = json.loads(figures_path.read_text())
    assert run["failures"] == [] and run["replicas"] == 2
    assert run["sessions_per_replica"] == [1, 1]  # a student per replica, as sticky sessions spread them
    assert run["timings"]["open Generate"] and run["server_cpu_s"] > 0


def test_load_protocol_times_a_real_browser_alongside_its_students(tmp_path):
    figures_path = tmp_path / "figures.json"
    subprocess.run([sys.executable, "benchmarks/load_protocol.py", "--users", "1", "--seconds", "20", "--ramp", "1",
                    "--browsers", "1", "--no-report", "--json", str(figures_path)], cwd=ROOT, check=True,
                   timeout=400, stdout=subprocess.DEVNULL)
    [run] = json.loads(figures_path.read_text())
    browser = run["browsers"]
    assert browser["sessions"] == 1 and browser["errors"] == []
    assert browser["slider_ms"] and all(move > 0 for move in browser["slider_ms"])  # timed in the page


CHECK_TRAINING_STUDENT = """
from benchmarks.load_protocol import QUEUE_WAIT_TEXT, TrainingStudent, shown_seconds
from ui.text import translate

queued = translate("queue.before_start", "en", total="4.5 min", ahead=3, running=2, slots=2, wait="3.2 min",
                   run="78 s")
free = translate("queue.before_start_free", "en", run="45 s", running=0, slots=2)
local = translate("train.expected", "en", time="2.0 min")
assert [shown_seconds(text) for text in (queued, free, local)] == [270.0, 45.0, 120.0]
place = translate("queue.estimate", "en", place=translate("queue.next", "en", running=2), time="1.5 min")
assert shown_seconds(place, QUEUE_WAIT_TEXT) == 90.0
assert TrainingStudent.tasks == [TrainingStudent.visit], TrainingStudent.tasks  # no Generate visits of another user
"""


def test_the_training_load_test_reads_the_waits_the_train_page_writes_and_only_trains():
    # in a process of its own: Locust patches the standard library for gevent when it is imported
    subprocess.run([sys.executable, "-c", CHECK_TRAINING_STUDENT], cwd=ROOT, check=True, timeout=120)


CHECK_RAY_REPORT = """
from benchmarks.load_protocol import ray_training_report

def run(workers, last_finish_s):
    students = [{"student": 0, "started": 10.0, "shown_s": 30.0, "finished": 40.0, "outcome": "finished"},
                {"student": 1, "started": 20.0, "shown_s": 60.0 * workers, "finished": last_finish_s,
                 "outcome": "finished"}]
    return {"users": 2, "ramp_s": 10.0, "wall_s": 700.0, "cpus": 2, "failures": [], "loads": [1.0, 2.0],
            "students": students, "server_cpu_s": 12.0, "machine_cpu_s": 900.0, "ray_workers": workers}

text = ray_training_report([run(1, 610.0), run(2, 310.0)], "dense_ae")
rows = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in text.splitlines() if line.startswith("|")}
assert rows[""][:2] == ["1 Ray worker CPU", "2 Ray worker CPUs |"], rows[""]
assert rows["first Start to last finish, min (goal ≤ 10)"] == ["**10.0**", "**5.0** |"], rows
assert rows["last student to Start: wait shown before Start, min"] == ["1.0", "2.0 |"], rows
assert rows["machine CPU during the run, s (of wall × CPUs)"] == ["900 (of 1400)", "900 (of 1400) |"], rows
"""


def test_the_ray_training_report_compares_cluster_sizes_by_when_the_last_training_finished():
    subprocess.run([sys.executable, "-c", CHECK_RAY_REPORT], cwd=ROOT, check=True, timeout=120)
