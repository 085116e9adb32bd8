"""``python -m latent_core.cluster head``: the one-machine cluster an operator starts by hand, joined by
an app with the variables it prints. A module of its own: ``ray stop`` ends every Ray process of this
machine, so no other module's cluster may be running."""

import os
import socket

import pytest

from latent_core import cluster

pytest.importorskip("ray")


def test_the_head_command_starts_a_loopback_cluster_that_an_app_joins_with_what_it_prints(tmp_path):
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0",
           "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"}
    started = subprocess.run([sys.executable, "-m", "latent_core.cluster", "head", "--cpus", "1", "--port", str(port)],
                             env=env, capture_output=True, text=True, timeout=120)
    try:
        assert started.returncode == 0, started.stderr[-2000:]
        exports = dict(line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines()
                       if line.startswith("export "))
        assert exports[cluster.RAY_ADDRESS_ENV] == f"127.0.0.1:{port}"
        joined = subprocess.run([sys.executable, "-c", "import os, ray; from latent_core import cluster; "
                                 "cluster.connect(cluster.settings_from_env()); "
                                 "print(int(ray.cluster_resources()['CPU']))"],
                                env={**env, **exports}, capture_output=True, text=True, timeout=120)
        assert joined.returncode == 0 and joined.stdout.split()[-1] == "1", joined.stderr[-2000:]
    finally:
        subprocess.run(["ray", "stop"], env=env, capture_output=True, timeout=120)
