"""Smoke test of the protocol load test: one simulated student (Streamlit's websocket
protocol, driven by Locust) against a live server for a few seconds, with no error."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_load_protocol_smoke_one_student_moves_sliders_without_errors(tmp_path):
    figures_path = tmp_path / "figures.json"
    subprocess.run([sys.executable, "benchmarks/load_protocol.py", "--users", "1", "--seconds", "6", "--ramp", "1",
                    "--no-report", "--json", str(figures_path)], cwd=ROOT, check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    [run] = json.loads(figures_path.read_text())
    assert run["failures"] == []
    assert len(run["timings"]["slider move"]) >= 1 and run["timings"]["open Generate"]
    assert run["server_rss_peak"] > 0 and run["server_cpu_s"] > 0
