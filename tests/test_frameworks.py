"""TensorFlow and Keras reach the app's code only through ``latent_core.frameworks``, whose
import lock lets one thread at a time import them (two at once can each get the other's
half-imported modules)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GATE = ROOT / "latent_core" / "frameworks.py"
FRAMEWORKS = {"keras", "tensorflow"}


def direct_imports(path: Path) -> list[str]:
    """The TensorFlow or Keras modules ``path`` imports itself, at any depth of its code."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        found += [name for name in names if name.split(".")[0] in FRAMEWORKS]
    return found


def test_no_module_of_the_app_imports_tensorflow_or_keras_but_the_gate():
    app_code = [path for folder in ("latent_core", "ui", "pages") for path in (ROOT / folder).rglob("*.py")]
    offenders = {str(path.relative_to(ROOT)): names for path in app_code + [ROOT / "app.py"]
                 if path != GATE and (names := direct_imports(path))}
    assert offenders == {}
    assert sorted(direct_imports(GATE)) == ["keras", "tensorflow"]


def test_the_servers_library_imports_and_a_pages_imports_at_once_both_succeed():
    """In a fresh interpreter, one thread imports what the server imports on its first run
    (``ui.runtime.HEAVY_LIBRARIES``, as the first run and the warm-up do) while another imports
    what a page needs (``latent_core.keys`` and the models): both end with whole modules."""
    program = """
import importlib, threading
from ui import runtime
barrier = threading.Barrier(2)
errors = []
def load(names):
    barrier.wait()
    try:
        for name in names:
            importlib.import_module(name)
    except Exception as error:
        errors.append(f"{names[0]}: {error!r}")
threads = [threading.Thread(target=load, args=(names,))
           for names in (runtime.HEAVY_LIBRARIES, ["latent_core.keys", "latent_core.models"])]
for thread in threads: thread.start()
for thread in threads: thread.join()
print(errors or "ok")
"""
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "ok"
