"""Parse untrusted files in a child process with memory, CPU and time limits.

Every upload the app reads (an ``.npz`` or a zip of pictures on the Data page, a picture on
the Latent map, a drawing canvas's PNG as the browser sends it, a ``.keras`` model on the
Model library) is parsed here, in a separate Python process that imports only NumPy,
Pillow and, for model archives, h5py (never TensorFlow). The child limits itself before it reads a request (``RLIMIT_AS`` memory,
``RLIMIT_CPU`` time, no files written, no core dumps) and the parent kills it past a
wall-clock time-out, so a bomb that slips past the header checks costs only that child;
the student gets an ``UploadRefused`` ("parse_too_big" / "parse_too_slow") in their
language and the server serves on.

The child is started with ``subprocess`` (fork and exec of a fresh interpreter), never by
forking the server, which holds TensorFlow and its threads. Not ``multiprocessing``'s spawn
or forkserver either: both re-import the server's ``__main__`` in the child, which under
``streamlit run`` is Streamlit's command line, and both send results back as pickles,
which a compromised child could use to run code in the server. Here what crosses back is
a JSON header (validated metadata) and raw array bytes of whitelisted dtypes, read into
arrays the parent allocates after checking their size.

Workers are reused: starting one costs about a tenth of a second, a parse on a warm one
about a millisecond more than parsing in place, plus copying its arrays back (tens of
milliseconds for a 60 MB dataset). A worker that died, was killed or timed
out is replaced on the next parse; at most ``MAX_WORKERS`` parse at once. Workers end with
the server: their stdin closes and they return.

Tasks are named functions (``TASKS``) taking ``(payload, options)`` and returning
``(metadata, arrays)``; an ``UploadRefused`` raised there reaches the caller as the same
error type with the same code and details.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Mapping

import numpy as np

from latent_core.uploads import ParseLimits, UploadRefused

logger = logging.getLogger(__name__)

TASKS = {
    "dataset": "latent_core.user_data:parse_in_child",
    "picture": "latent_core.images:decode_in_child",
    "canvas": "latent_core.images:canvas_in_child",
    "model_archive": "latent_core.model_archive:read_in_child",
    "describe": "latent_core.sandbox:describe_child",
}
ARRAY_DTYPES = ("uint8", "int64", "float32")
MAX_WORKERS = 2
MAX_DETAIL_CHARS = 2_000
# Time beyond ``max_seconds`` before the child is killed: the parse itself stops at
# ``max_seconds`` and refuses in words; the kill is for a parse stuck inside a decoder.
GRACE_SECONDS = 5.0
WORKER_CPU_SECONDS = 3_600  # a worker retires after this much CPU time in all
_HEADER = struct.Struct(">IQ")  # JSON length, payload length
# ``-I`` ignores PYTHON* variables and the current folder; the child then searches exactly
# the server's import path, with the project root first, so it imports this very
# ``latent_core`` and the same NumPy and Pillow.
_CHILD_COMMAND = ("import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
                  "from latent_core.sandbox import child_main; child_main(int(sys.argv[2]))")
_CHILD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR")
"""All the child sees of the server's environment: never its secrets (sign-in keys, cookie secret)."""


class ParseFailed(RuntimeError):
    """The child ended without an answer (killed by a limit, crashed) or took too long."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def run(task: str, payload: bytes, options: Mapping[str, object], *, name: str, limits: ParseLimits,
        error: type[UploadRefused]) -> tuple[dict, dict[str, np.ndarray]]:
    """Run ``task`` on ``payload`` in a sandboxed child; its metadata and arrays.

    A refusal inside the child is raised here as ``error`` with the child's code and details;
    a child killed by its memory or CPU limit, or still busy ``GRACE_SECONDS`` after
    ``limits.max_seconds``, becomes ``error`` with code ``parse_too_big`` or
    ``parse_too_slow`` about ``name``.
    """
    if task not in TASKS:
        raise ValueError(f"unknown sandbox task {task!r}; known: {sorted(TASKS)}")
    request = {"task": task, "name": name, "options": dict(options), "max_seconds": limits.max_seconds}
    try:
        reply, arrays = _pool.call(request, payload, limits)
    except ParseFailed as failure:
        logger.warning("Parsing %s in the sandbox failed: %s", name, failure)
        raise _limit_refusal(failure.code, name, limits, error) from None
    if "refused" in reply:
        raise _refusal_from(reply["refused"], error)
    return reply["metadata"], arrays


def _limit_refusal(code: str, name: str, limits: ParseLimits, error: type[UploadRefused]) -> UploadRefused:
    seconds = f"{limits.max_seconds:g}"
    memory = f"{limits.memory_bytes / 2**20:,.0f} MB"
    if code == "parse_too_slow":
        return error(f"{name} took longer than {seconds} s to read; it was stopped.", code,
                     name=name, seconds=seconds)
    return error(f"{name} needs more than {memory} of memory to read; it was stopped.", "parse_too_big",
                 name=name, memory=memory)


def _refusal_from(refused: object, error: type[UploadRefused]) -> UploadRefused:
    """The child's refusal as ``error``; only short strings and numbers are taken from it."""
    if not isinstance(refused, dict) or not isinstance(refused.get("message"), str) \
            or not isinstance(refused.get("code"), str) or not isinstance(refused.get("details"), dict):
        raise ParseFailed("parse_too_big", f"malformed refusal from the sandbox: {refused!r:.200}")
    details = {str(key)[:100]: value if isinstance(value, (int, float)) else str(value)[:MAX_DETAIL_CHARS]
               for key, value in refused["details"].items()}
    return error(refused["message"][:MAX_DETAIL_CHARS], refused["code"][:100], **details)


# --------------------------------------------------------------------------- the parent's side


class _Worker:
    """One child process, its pipes and the limits it set itself."""

    def __init__(self, memory_bytes: int):
        self.memory_bytes = memory_bytes
        environment = {key: os.environ[key] for key in _PASSED_ENV if key in os.environ} | _CHILD_ENV
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _CHILD_COMMAND, json.dumps([_project_root(), *sys.path]),
             str(memory_bytes)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment, close_fds=True)
        self.retired = False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and not self.retired

    def call(self, request: dict, payload: bytes, max_seconds: float) -> tuple[dict, dict[str, np.ndarray]]:
        deadline = time.monotonic() + max_seconds + GRACE_SECONDS
        body = json.dumps(request).encode()
        try:
            self.process.stdin.write(_HEADER.pack(len(body), len(payload)) + body)
            self.process.stdin.write(payload)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise self._failure(f"could not send the file ({error})") from None
        descriptor = self.process.stdout.fileno()
        size, _ = _HEADER.unpack(self._read(descriptor, _HEADER.size, deadline))
        if size > 10 * 2**20:
            raise self._failure(f"an answer header of {size} bytes")
        try:
            reply = json.loads(self._read(descriptor, size, deadline))
        except (ValueError, UnicodeDecodeError) as error:
            raise self._failure(f"an unreadable answer ({error})") from None
        if not isinstance(reply, dict) or not ("refused" in reply or isinstance(reply.get("metadata"), dict)):
            raise self._failure(f"an answer that is neither a result nor a refusal: {reply!r:.200}")
        self.retired = bool(reply.get("retire"))
        arrays, total = {}, 0
        for spec in reply.pop("arrays", []):
            array = self._empty_array(spec, request)
            total += array.nbytes
            if total > self.memory_bytes:
                raise self._failure(f"arrays of over {total:,} bytes in all for a {request['task']} parse")
            self._read_into(descriptor, array, deadline)
            arrays[spec["name"]] = array
        return reply, arrays

    def _empty_array(self, spec: object, request: dict) -> np.ndarray:
        """An array to read into, once its name, dtype and size are known to be sensible."""
        if not (isinstance(spec, dict) and isinstance(spec.get("name"), str) and spec.get("dtype") in ARRAY_DTYPES
                and isinstance(spec.get("shape"), list) and all(isinstance(d, int) and d >= 0 for d in spec["shape"])
                and len(spec["shape"]) <= 5):
            raise self._failure(f"a malformed array description {spec!r:.200}")
        size = int(np.prod(spec["shape"], dtype=np.int64)) * np.dtype(spec["dtype"]).itemsize
        if size > self.memory_bytes:
            raise self._failure(f"an array of {size:,} bytes for a {request['task']} parse")
        return np.empty(spec["shape"], dtype=spec["dtype"])

    def _read(self, descriptor: int, count: int, deadline: float) -> bytes:
        buffer = bytearray(count)
        self._fill(descriptor, memoryview(buffer), deadline)
        return bytes(buffer)

    def _read_into(self, descriptor: int, array: np.ndarray, deadline: float) -> None:
        if array.nbytes:
            self._fill(descriptor, memoryview(array).cast("B"), deadline)

    def _fill(self, descriptor: int, view: memoryview, deadline: float) -> None:
        done = 0
        while done < len(view):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([descriptor], [], [], remaining)[0]:
                self.kill()
                raise ParseFailed("parse_too_slow", "the child took too long and was killed")
            chunk = os.readv(descriptor, [view[done:]])
            if chunk == 0:
                raise self._failure("the child ended before answering")
            done += chunk

    def _failure(self, what: str) -> ParseFailed:
        """The worker is done for: kill it and say why, by its exit signal when it has one."""
        self.kill()
        returncode = self.process.returncode
        return ParseFailed("parse_too_slow" if returncode == -signal.SIGXCPU else "parse_too_big",
                           f"{what} (exit status {returncode})")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                logger.debug("Closing a sandbox pipe failed", exc_info=True)
        self.retired = True


class _Pool:
    """Up to ``MAX_WORKERS`` idle or busy workers; a caller borrows one for a parse."""

    def __init__(self):
        self._slots = threading.BoundedSemaphore(MAX_WORKERS)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []

    def call(self, request: dict, payload: bytes, limits: ParseLimits) -> tuple[dict, dict[str, np.ndarray]]:
        with self._slots:
            worker = self._borrow(limits.memory_bytes)
            try:
                return worker.call(request, payload, limits.max_seconds)
            finally:
                self._give_back(worker)

    def _borrow(self, memory_bytes: int) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive and worker.memory_bytes == memory_bytes:
                    return worker
                worker.kill()
        return _Worker(memory_bytes)

    def _give_back(self, worker: _Worker) -> None:
        if not worker.alive:
            worker.kill()
            return
        with self._lock:
            self._idle.append(worker)

    def idle_pids(self) -> list[int]:
        with self._lock:
            return [worker.process.pid for worker in self._idle if worker.alive]


_pool = _Pool()


def idle_worker_pids() -> list[int]:
    """Process ids of the idle workers, for checks that a killed one is replaced."""
    return _pool.idle_pids()


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------- the child's side


def child_main(memory_bytes: int) -> None:
    """Limit this process, then answer requests on stdin until it closes."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (WORKER_CPU_SECONDS, WORKER_CPU_SECONDS + 1))
    logging.basicConfig(level=logging.WARNING, format="sandbox: %(levelname)s %(name)s: %(message)s")
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        header = source.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        body_size, payload_size = _HEADER.unpack(header)
        request = json.loads(source.read(body_size))
        payload = source.read(payload_size)
        used = _cpu_seconds()
        budget = float(request["max_seconds"]) + GRACE_SECONDS
        resource.setrlimit(resource.RLIMIT_CPU, (min(WORKER_CPU_SECONDS, int(used + budget) + 1),
                                                 WORKER_CPU_SECONDS + 1))
        reply, arrays = _answer(request, payload)
        reply["retire"] = _cpu_seconds() + budget > WORKER_CPU_SECONDS
        _send(sink, reply, arrays)
        del payload, arrays


def _answer(request: dict, payload: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    module_name, function_name = TASKS[request["task"]].split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    try:
        metadata, arrays = function(payload, request["options"])
    except UploadRefused as refused:
        details = {key: value if isinstance(value, (int, float)) else str(value)
                   for key, value in refused.details.items()}
        return {"refused": {"message": str(refused), "code": refused.code, "details": details}}, {}
    except MemoryError:
        # What is left may be too little to answer in; dying says "too big" just as well.
        os._exit(3)
    except Exception as error:  # noqa: BLE001 - any other failure on hostile bytes is a refusal too
        logger.exception("Reading an upload in the sandbox failed unexpectedly")
        name = str(request["name"])
        message = f"{name} could not be read ({type(error).__name__})."
        return {"refused": {"message": message, "code": "unreadable", "details": {"name": name}}}, {}
    return {"metadata": metadata}, {name: np.ascontiguousarray(array) for name, array in arrays.items()}


def _send(sink, reply: dict, arrays: Mapping[str, np.ndarray]) -> None:
    reply["arrays"] = [{"name": name, "dtype": str(array.dtype), "shape": list(array.shape)}
                       for name, array in arrays.items()]
    body = json.dumps(reply).encode()
    sink.write(_HEADER.pack(len(body), 0) + body)
    for array in arrays.values():
        sink.write(memoryview(array).cast("B"))
    sink.flush()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def describe_child(payload: bytes, options: Mapping[str, object]) -> tuple[dict, dict[str, np.ndarray]]:
    """The child's process id, limits, CPU time used, peak address space and top-level
    modules: what the checks that it stays light and limited look at."""
    modules = sorted({name.split(".")[0] for name in sys.modules})
    with open("/proc/self/status", encoding="ascii") as status:
        peak_kib = next(int(line.split()[1]) for line in status if line.startswith("VmPeak:"))
    return {"pid": os.getpid(), "modules": modules, "cpu_seconds": _cpu_seconds(), "peak_address_space": peak_kib * 1024,
            "memory_limit": resource.getrlimit(resource.RLIMIT_AS)[0],
            "cpu_limit": resource.getrlimit(resource.RLIMIT_CPU)[0],
            "file_size_limit": resource.getrlimit(resource.RLIMIT_FSIZE)[0], "environment": dict(os.environ)}, {}
