"""What `make load` runs against: a URL given, the local stack already running (found by
its .devstack/stack.json), or a local stack it starts and stops itself. For a local stack
it also reads the processes' CPU time and, when it started moto, counts moto's requests
with moto's own request recorder."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from benchmarks.common import PYTHON, ROOT
from devstack.processes import free_port, stop_all

STATE_DIR = Path(os.environ.get("DEVSTACK_DIR") or ROOT / ".devstack")
START_TIMEOUT_S = 90.0


@dataclass
class Target:
    url: str
    aws_endpoint: str | None = None
    pids: dict[str, int] = field(default_factory=dict)  # local stack processes by role
    records_aws_calls: bool = False  # moto's recorder writes to a file this run chose
    origin: str = ""
    state_dir: Path | None = None  # a local stack's state: its issuer signs the load's tokens


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _running_stack(state_dir: Path = STATE_DIR) -> dict[str, Any] | None:
    with contextlib.suppress(OSError, ValueError, KeyError):
        state: dict[str, Any] = json.loads((state_dir / "stack.json").read_text())
        if healthy(state["api_url"]):
            return state
    return None


def _target_from(state: dict[str, Any], origin: str, records: bool, state_dir: Path) -> Target:
    pids = {role: int(pid) for role, pid in state.get("pids", {}).items() if role != "run"}
    return Target(state["api_url"], state.get("aws_endpoint"), pids, records, origin, state_dir)


@contextlib.contextmanager
def target(url: str | None, scratch: Path, new_stack: bool = False) -> Iterator[Target]:
    if url:
        running = _running_stack()
        local = running is not None and running["api_url"] == url.rstrip("/")
        yield Target(url.rstrip("/"), origin="given URL", state_dir=STATE_DIR if local else None)
        return
    state = None if new_stack else _running_stack()
    if state is not None:
        yield _target_from(state, "local stack already running (left running)", False, STATE_DIR)
        return
    if importlib.util.find_spec("devstack.run") is None:
        raise SystemExit("no local stack running and devstack.run is missing: start one or pass --url")
    port, log, state_dir = free_port(), (scratch / "devstack.log").open("wb"), scratch / "devstack"
    env = {**os.environ, "MOTO_PORT": str(free_port()), "DEVSTACK_DIR": str(state_dir)}
    env["MOTO_RECORDER_FILEPATH"] = str(scratch / "moto-recording")  # moto's recorder writes here, not in ROOT
    argv = [str(PYTHON), "-m", "devstack.run", "--port", str(port)]
    stack = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while (state := _running_stack(state_dir)) is None:
            if stack.poll() is not None or time.monotonic() > deadline:
                tail = (scratch / "devstack.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"the local stack did not start (exit code {stack.poll()}):\n{tail}")
            time.sleep(0.2)
        yield _target_from(state, "local stack started for this run (stopped after)", True, state_dir)
    finally:
        stop_all([stack], grace_s=20)  # devstack.run stops its children on SIGTERM


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User plus system CPU of each local stack process, children included."""
    found: dict[str, float] = {}
    for role, pid in pids.items():
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            times = [process.cpu_times(), *(child.cpu_times() for child in process.children(recursive=True))]
            found[role] = sum(t.user + t.system for t in times)
    return found


class MotoRecorder:
    """Counts the AWS requests moto serves, by operation, with moto's request recorder."""

    def __init__(self, endpoint: str) -> None:
        self._endpoint = endpoint

    def _post(self, action: str) -> bytes:
        request = urllib.request.Request(f"{self._endpoint}/moto-api/recorder/{action}", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            return bytes(response.read())

    def start(self) -> None:
        self._post("reset-recording")
        self._post("start-recording")

    def stop(self) -> Counter[str]:
        self._post("stop-recording")
        with urllib.request.urlopen(f"{self._endpoint}/moto-api/recorder/download-recording", timeout=60) as page:
            lines = page.read().decode().splitlines()
        self._post("reset-recording")
        operations: Counter[str] = Counter()
        for line in filter(None, lines):
            headers = {name.lower(): value for name, value in json.loads(line)["headers"].items()}
            operations[headers.get("x-amz-target", "other").split(".")[-1]] += 1
        return operations
