"""The browser benchmarks' pure helpers: /proc parsing, slider-move stages and their result Markdown."""

import os
import subprocess
import sys
from collections import Counter

import pytest

from benchmarks import bench_browser, load_test
from benchmarks.browser_harness import (CLOCK_TICKS, Memory, SliderMove, parse_stat_cpu_seconds,
                                        parse_status_memory, process_tree, slider_key, slider_move, streamlit_options,
                                        tree_memory)

STATUS = """Name:\tpython
State:\tS (sleeping)
VmPeak:\t 5000000 kB
VmHWM:\t  1200000 kB
VmRSS:\t  1000000 kB
Threads:\t40
"""


def test_status_memory_is_read_in_bytes():
    assert parse_status_memory(STATUS) == Memory(rss=1_000_000 * 1024, peak=1_200_000 * 1024)


def test_status_without_memory_lines_counts_as_nothing():
    assert parse_status_memory("Name:\tzombie\nState:\tZ (zombie)\n") == Memory(0, 0)


def test_memories_add_up():
    assert Memory(1, 2) + Memory(10, 20) == Memory(11, 22)


def test_cpu_seconds_are_read_after_a_command_name_with_spaces_and_parentheses():
    # pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    line = f"4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 10 0 0 0 {3 * CLOCK_TICKS} {CLOCK_TICKS} 0 0 20 0"
    assert parse_stat_cpu_seconds(line) == pytest.approx(4.0)


def test_process_tree_and_its_memory_include_a_child():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert {os.getpid(), child.pid} <= set(process_tree(os.getpid()))
        alone = parse_status_memory(open(f"/proc/{os.getpid()}/status").read())
        tree = tree_memory(os.getpid())
        assert tree.rss > alone.rss > 0
        assert tree.peak >= tree.rss
    finally:
        child.kill()
        child.wait()


def test_a_slider_move_is_split_into_stages_that_add_up():
    move = slider_move({"keyDown": 1000.0, "firstSend": 1010.0, "firstMessage": 1015.0, "imageMessage": 1095.0,
                        "sourceChanged": 1100.0, "decoded": 1120.0, "painted": 1130.0})
    assert move == SliderMove(total=130.0, to_send=10.0, to_answer=5.0, server_run=80.0, render=5.0,
                              image_load=20.0, paint=10.0)
    assert sum(getattr(move, stage) for stage in SliderMove.STAGES) == pytest.approx(move.total)


def test_missing_websocket_times_give_their_stage_to_the_next_one():
    move = slider_move({"keyDown": 1000.0, "firstSend": None, "firstMessage": None, "imageMessage": None,
                        "sourceChanged": 1100.0, "decoded": 1120.0, "painted": 1130.0})
    assert (move.to_send, move.to_answer, move.server_run, move.render) == (0.0, 0.0, 0.0, 100.0)
    assert sum(getattr(move, stage) for stage in SliderMove.STAGES) == pytest.approx(move.total)


def test_slider_keys_go_right_then_left_and_stay_in_range():
    keys = [slider_key(index, run=3) for index in range(12)]
    assert keys[:6] == ["ArrowRight"] * 3 + ["ArrowLeft"] * 3
    steps = [1 if key == "ArrowRight" else -1 for key in keys]
    positions = [sum(steps[:end]) for end in range(len(steps) + 1)]
    assert min(positions) == 0 and max(positions) == 3


def moves(totals):
    return [SliderMove(total, 5.0, 5.0, total - 30.0, 5.0, 10.0, 5.0) for total in totals]


def test_slider_result_reports_median_p95_and_the_goal():
    body = bench_browser.render_slider(moves([100.0, 120.0, 140.0]), 12.0, "load 0.5", "load 0.7")
    assert "| **key press → new image painted** | **120** | **138** | 140 |" in body
    assert "**met** (120 ms)" in body
    assert "Server CPU time per move: 12.0 ms" in body
    assert not body.startswith("# ")
    slow = bench_browser.render_slider(moves([400.0, 500.0]), 12.0, "load 0.5", "load 0.7")
    assert "**not met** (450 ms)" in slow


def test_startup_result_lists_every_page_and_judges_memory():
    visits = [bench_browser.PageVisit("Data", 1.25, 800 * 2**20, 0),
              bench_browser.PageVisit("Generate", 2.0, 900 * 2**20, 1)]
    warm = {"warmup_done_s": 21.0, "later_visitor_s": 1.5, "first_visit_on_first_server": "during",
            "warmup_steps": [{"name": "libraries", "seconds": 4.25}]}
    fresh = {"warm_launch": [7.0, 9.0], "cold_launch": [18.25, 18.25], "after_warmup": [1.75, 2.0],
             "first_visits": ["after", "after"]}
    body = bench_browser.render_startup(bench_browser.Startup(3.2, 15.6), visits, Memory(900 * 2**20, 950 * 2**20),
                                        "load 0.5", warm, fresh)
    assert "| health check answers | 3.2 |" in body
    assert "warm-up turned off (`LATENT_EXPLORER_WARMUP=0`) | 18.2 (18.2, 18.2) |" in body
    assert "(median of 2, alternating with the next row) | 8.0 (7.0, 9.0) |" in body
    assert "| warm-up done (`/api/warmup`) | 21.0 |" in body and "second visitor" in body and "1.5 s." in body
    assert "came during the warm-up): libraries 4.2 s." in body
    assert "saw the visit come after / after it): first page fully rendered 1.9 (1.8, 2.0) s after" in body
    assert "opened as soon as the health check answers | 15.6 |" in body
    assert "| Data | 1.2 | 800 MiB | – |" in body
    assert "| Generate | 2.0 | 900 MiB | 1 |" in body
    assert "VmRSS 900 MiB, peak VmHWM 950 MiB" in body and "**met**" in body
    over = bench_browser.render_startup(bench_browser.Startup(3.2, 15.6), visits, Memory(900 * 2**20, 2**30),
                                        "load 0.5", warm, fresh)
    assert "**not met**" in over


def load_result(logs):
    return load_test.LoadResult(logs, minutes=3, stagger_s=1.0, hosted=True, peak_rss=1500 * 2**20,
                                final_peak=1600 * 2**20, load_before="load 1.0", load_after="load 9.0", wall_s=240.0,
                                cpu=load_test.CpuUse(server_s=150.0, browser_s=250.0, wall_s=200.0))


def test_load_result_counts_errors_but_not_failed_loads_from_outside():
    calm = load_test.SessionLog(0, "m", slider_moves=moves([100.0, 200.0, 300.0]), map_s=[2.0],
                                map_run_s=[1.5], reached_generate=True)
    troubled = load_test.SessionLog(1, "m", slider_moves=moves([400.0]), reached_generate=True,
                                    outside_requests=Counter({"https://fonts.example/icon.svg": 3}))
    troubled.error("timeout", "Timeout 60000ms exceeded.\nCall log: ...")
    troubled.error("exception", "ValueError: bad")
    body = load_test.render_load(load_result([calm, troubled]))
    assert "| sessions that reached the Generate page | 2 of 2 |" in body
    assert "| errors (goal: none) | **2** |" in body
    assert "| slider latency p50 / p95 / max, ms | 250 / 385 / 400 |" in body
    assert "| per-session median slider latency, min – max, ms | 200 – 400 |" in body
    assert "1,500 MiB / 1,600 MiB" in body
    assert "timeout (session 1): Timeout 60000ms exceeded." in body
    assert "3 loads of resources from outside the server failed" in body
    assert "in hosted mode" in body
    assert "| Latent map open (to points drawn) p50 / p95, s | 2.0 / 2.0 |" in body
    assert "| … of which until the server's run ended, p50 / p95, s | 1.5 / 1.5 |" in body
    assert f"| 150 / 250 (of {200 * os.cpu_count():,} on {os.cpu_count()} CPUs) |" in body
    assert "fragment run to the new image's message 220" in body


def test_load_result_without_any_move_says_so():
    body = load_test.render_load(load_result([load_test.SessionLog(0, "m")]))
    assert "| sessions that reached the Generate page | 0 of 1 |" in body
    assert "| slider latency p50 / p95 / max, ms | – |" in body
    assert "| errors (goal: none) | **0** |" in body


def test_every_page_of_the_navigation_is_visited():
    from ui.shell import PAGES
    from ui.text import translate

    titles = bench_browser.page_titles()
    assert len(titles) == 10 and titles[0] == "Data" and "Generate" in titles
    # in the navigation's order: visiting Denoise no longer changes the model the later pages use
    assert titles == [translate(spec.title_key, "en") for specs in PAGES.values() for spec in specs]



def test_streamlit_options_are_read_from_name_value_pairs():
    assert streamlit_options(["runner.postScriptGC=false", " server.maxUploadSize = 20 "]) == {
        "runner.postScriptGC": "false", "server.maxUploadSize": "20"}
    assert streamlit_options(None) == {}
    with pytest.raises(ValueError):
        streamlit_options(["runner.postScriptGC"])


def test_options_given_to_the_server_are_named_in_the_results():
    assert "`streamlit run serve.py` --runner.postScriptGC false and" in bench_browser.render_slider(
        moves([100.0]), 1.0, "load 0", "load 0", {"runner.postScriptGC": "false"})
    result = load_result([load_test.SessionLog(0, "m")])
    assert "with `--runner.postScriptGC false`" in load_test.render_load(
        load_test.LoadResult(**{**vars(result), "options": {"runner.postScriptGC": "false"}}))
