"""Starting and stopping the local stack: startup time, a busy port, signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import PROJECT_DIR, alive, free_port, start_stack, stop_stack

pytestmark = pytest.mark.e2e


def niceness(pid: int) -> int:
    """The process's nice value: field 19 of /proc/<pid>/stat, after the command's parentheses."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def run_stack(port: int, moto_port: int, state_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MOTO_PORT=str(moto_port), DEVSTACK_DIR=str(state_dir))
    return subprocess.run(
        [sys.executable, "-m", "devstack.run", "--port", str(port)],
        cwd=PROJECT_DIR,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        start_new_session=True,
        check=False,
    )


def nothing_listens_on(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_busy_api_port_is_one_clear_line_and_starts_nothing(busy_port: int, tmp_path: Path) -> None:
    moto_port = free_port()
    result = run_stack(busy_port, moto_port, tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"devstack: error: port {busy_port} on 127.0.0.1 is already in use; free it or choose another with PORT=<port>"
    ]
    assert nothing_listens_on(moto_port), "moto was never started"
    assert not (tmp_path / "stack.json").exists()


def test_a_busy_moto_port_is_one_clear_line_and_starts_nothing(busy_port: int, tmp_path: Path) -> None:
    api_port = free_port()
    result = run_stack(api_port, busy_port, tmp_path)
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert f"MOTO_PORT {busy_port}" in result.stderr
    assert nothing_listens_on(api_port), "the API was never started"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_every_process_of_the_stack(signum: int, tmp_path: Path) -> None:
    stack = start_stack(tmp_path)
    try:
        print(f"startup to ready: {stack.started_in_s:.2f} s")
        assert stack.started_in_s < 10
        state = stack.state()
        pids = list(state["pids"].values())
        assert all(alive(pid) for pid in pids)
        assert "Where the data lives: in the moto server's memory only" in stack.output()
        assert f"curl -s -X POST {state['api_url']}/orders" in stack.output()
        assert f"token issuer    {state['issuer']['url']}" in stack.output()
        assert f"event bus       {state['event_bus_name']}: rule {state['events_rule']}" in stack.output()
        assert f"-> queue {state['events_queue_url']}" in stack.output()
        assert f"retry queue     {state['retry_queue_url']}  (retry_orders; " in stack.output()
        assert f"-> after 5 receives: {state['retry_dlq_url']}" in stack.output()
        assert {"moto", "api", "worker", "events_worker", "retry_worker"} <= set(state["pids"])
        # Retries, already delayed by backoff, yield the shared cores to fresh orders.
        assert state["queue_workers"]["retry_worker"]["nice"] == 10
        assert niceness(state["pids"]["retry_worker"]) == niceness(state["pids"]["worker"]) + 10
        assert (tmp_path / "issuer-key.pem").exists()
    finally:
        code, survivors = stop_stack(stack, signum)
    assert code == 0, stack.output()
    assert survivors == [], "no process is left behind"
    assert [pid for pid in pids if alive(pid)] == []
    assert not (tmp_path / "stack.json").exists()
    assert not (tmp_path / "issuer-key.pem").exists(), "the issuer's key goes with the stack"
    assert nothing_listens_on(int(state["api_url"].rsplit(":", 1)[1]))
    assert nothing_listens_on(int(state["issuer"]["url"].rsplit(":", 1)[1]))
    assert nothing_listens_on(int(state["aws_endpoint"].rsplit(":", 1)[1]))
