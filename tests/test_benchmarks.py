"""The benchmark suite's pure helpers: summaries, formatting and the report's assembly."""

import os
import time

import pytest

from benchmarks.report import SECTIONS, SEPARATE_RUNS, assemble_report, format_ms, ratio, summarize, table, write_result


def test_summarize_gives_median_and_95th_percentile_in_milliseconds():
    timing = summarize([0.001 * value for value in range(1, 101)])
    assert timing.count == 100
    assert timing.median_ms == pytest.approx(50.5)
    assert timing.p95_ms == pytest.approx(95.05)
    with pytest.raises(ValueError):
        summarize([])


def test_numbers_are_formatted_for_tables():
    assert format_ms(0.123) == "0.12"
    assert format_ms(12.34) == "12.3"
    assert format_ms(1234.5) == "1,234"
    assert ratio(5.0, 2.0) == "2.5×"
    assert ratio(250.0, 2.0) == "125×"
    assert table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---:|\n| 1 | 2 |"


def test_report_has_every_section_in_order_and_marks_missing_results(tmp_path):
    write_result("slider", "### Server\n\nfigures", results_dir=tmp_path)
    report = assemble_report(intro=["intro line"], results_dir=tmp_path)
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    assert headings == [f"## {heading}" for heading, _ in SECTIONS if heading not in SEPARATE_RUNS]
    assert "figures" in report
    assert "no fresh `benchmarks/results/model_calls.md`" in report
    assert report.startswith("# Benchmarks\n\nintro line\n")


def test_report_ignores_results_older_than_the_run(tmp_path):
    old = write_result("quality", "old figures", results_dir=tmp_path)
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    write_result("load", "many users", results_dir=tmp_path)
    report = assemble_report(intro=[], results_dir=tmp_path, since=time.time() - 60,
                             failures={"bench_quality.py": "exited with status 1"})
    assert "old figures" not in report
    assert "`bench_quality.py`: exited with status 1" in report
    assert "## Classroom load\n\nmany users" in report


def test_a_load_test_run_on_its_own_is_shown_and_marked_as_such(tmp_path):
    old = write_result("load", "thirty students", results_dir=tmp_path)
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    report = assemble_report(intro=[], results_dir=tmp_path, since=time.time() - 60, separate=("load",))
    section = report.split("## Classroom load")[1]
    assert "separate run of its own" in section and "thirty students" in section


def test_the_protocol_load_test_is_shown_from_its_own_run(tmp_path):
    old = write_result("load_protocol", "a hundred simulated students", results_dir=tmp_path)
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    report = assemble_report(intro=[], results_dir=tmp_path, since=time.time() - 60,
                             separate=("load", "load_protocol"))
    section = report.split("## Classroom load, server only")[1]
    assert "`benchmarks/load_protocol.py`" in section and "a hundred simulated students" in section


def test_the_training_costs_and_waits_are_shown_from_their_own_runs(tmp_path):
    for name, body in (("training_cost", "a dense AE costs 0.08 ms"), ("load_training", "thirty trainings")):
        old = write_result(name, body, results_dir=tmp_path)
        os.utime(old, (time.time() - 3600, time.time() - 3600))
    report = assemble_report(intro=[], results_dir=tmp_path, since=time.time() - 60,
                             separate=("load", "load_protocol", "training_cost", "load_training"))
    section = report.split("## Classroom load, training waits")[1]
    assert section.index("`benchmarks/bench_training_cost.py`") < section.index("a dense AE costs 0.08 ms") < \
        section.index("`benchmarks/load_protocol.py --train`") < section.index("thirty trainings")


def test_a_single_browser_result_fills_section_five_and_section_one_points_there(tmp_path):
    write_result("browser", "start-up and slider in the browser", results_dir=tmp_path)
    report = assemble_report(intro=[], results_dir=tmp_path)
    section_one = report.split("## 1.")[1].split("## 2.")[0]
    section_five = report.split("## 5.")[1].split("## 6.")[0]
    assert "see section 5" in section_one
    assert "browser_slider" not in section_one
    assert "start-up and slider in the browser" in section_five


def test_library_objects_are_frozen_once_per_process(monkeypatch):
    import gc
    import sys

    from ui import runtime

    freezes = []
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1) or freeze())
    monkeypatch.setattr(runtime, "_frozen", False)  # as in a fresh process
    gc.unfreeze()
    assert gc.get_freeze_count() == 0

    runtime.freeze_library_objects()
    assert freezes == [1]
    assert all(name in sys.modules for name in runtime.HEAVY_LIBRARIES)
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the libraries' long-lived objects, not a handful

    runtime.freeze_library_objects()
    assert freezes == [1]  # not frozen again
    assert gc.get_freeze_count() <= frozen  # nothing added; a frozen object may have died meanwhile


def test_the_checkpoint_cadence_is_called_a_gain_only_when_this_run_measured_one():
    from benchmarks.bench_training import cadence_effect

    assert cadence_effect({"every epoch": (1000.0, 0.08), "bounded": (1100.0, 0.02)}).startswith("less time saving")
    assert cadence_effect({"every epoch": (1307.0, 0.018), "bounded": (1145.0, 0.020)}).startswith("no gain")
    assert cadence_effect({"every epoch": (1000.0, 0.08), "bounded": (990.0, 0.02)}).startswith("no gain")
