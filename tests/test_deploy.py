"""deploy/: the compose file's promises (sticky sessions, one cookie secret, one Ray token,
one shared workspace, health checks everywhere) and the replica health check's drain."""

import http.server
import importlib.util
import threading
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_replicas_sit_behind_sticky_sessions_with_one_cookie_secret(compose):
    app = compose["services"]["app"]
    labels = app["labels"]
    assert "traefik.http.services.app.loadbalancer.sticky.cookie=true" in labels
    assert "traefik.http.services.app.loadbalancer.server.port=8501" in labels
    assert app["environment"]["STREAMLIT_SERVER_COOKIE_SECRET"].startswith("${COOKIE_SECRET:?")
    assert app["environment"]["LATENT_EXPLORER_RAY_ADDRESS"] == "ray-head:6379"


def test_every_node_shares_the_workspace_the_ray_token_and_a_health_check(compose):
    services = compose["services"]
    for name in ("app", "ray-head", "ray-worker"):
        service = services[name]
        assert "workspace:/workspace" in service["volumes"], name
        assert service["environment"]["RAY_AUTH_TOKEN"].startswith("${RAY_AUTH_TOKEN:?"), name
        assert service["environment"]["LATENT_EXPLORER_WORKSPACE"] == "/workspace", name
        assert service["image"] == "latent-explorer:local", name
    assert all("healthcheck" in service for service in services.values())


@pytest.fixture
def health_server():
    """A loopback server answering ``ok`` at Streamlit's health path."""

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/_stcore/health" else 404)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/_stcore/health"
    server.shutdown()


def test_a_draining_replica_reports_unhealthy(health_server, tmp_path):
    spec = importlib.util.spec_from_file_location("healthcheck", DEPLOY / "healthcheck.py")
    healthcheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(healthcheck)
    drain = tmp_path / "drain"
    assert healthcheck.healthy(str(drain), health_server)
    drain.touch()
    assert not healthcheck.healthy(str(drain), health_server)
    assert not healthcheck.healthy(str(tmp_path / "not-draining"), health_server.replace("health", "gone"))
