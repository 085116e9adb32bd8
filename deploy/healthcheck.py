"""Docker health check of one app replica: healthy while Streamlit answers its own health
endpoint and the replica is not being drained.

Traefik routes only to healthy containers, so ``touch /tmp/drain`` inside a replica
(``LATENT_EXPLORER_DRAIN_FILE``) takes it out of rotation within a few checks: new
sessions go to the other replicas.
"""

import os
import sys
import urllib.request

DRAIN_FILE = os.environ.get("LATENT_EXPLORER_DRAIN_FILE", "/tmp/drain")
HEALTH_URL = os.environ.get("LATENT_EXPLORER_HEALTH_URL", "http://127.0.0.1:8501/_stcore/health")


def healthy(drain_file: str = DRAIN_FILE, url: str = HEALTH_URL) -> bool:
    """Not draining, and Streamlit's health endpoint says ``ok``."""
    if os.path.exists(drain_file):
        return False
    try:
        with urllib.request.urlopen(url, timeout=4) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if healthy() else 1)
