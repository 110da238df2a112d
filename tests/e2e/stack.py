"""Starts the real local stack (`python -m devstack.run`) as a subprocess on free ports,
and stops every process it started, even when a test fails."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.client import OrdersClient
from devstack.processes import free_port
from devstack.tokens import StackIssuer

PROJECT_DIR = Path(__file__).resolve().parents[2]
FINAL = {"CONFIRMED", "REJECTED", "FAILED", "CANCELLED"}


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    state_dir: Path
    log_path: Path
    started_in_s: float = 0.0
    known_pids: set[int] = field(default_factory=set)

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = json.loads((self.state_dir / "stack.json").read_text())
        self.known_pids.update(state["pids"].values())
        return state

    @property
    def api_url(self) -> str:
        return str(self.state()["api_url"])

    def client(self, customer_id: str) -> OrdersClient:
        """A client with a token for `customer_id`, signed by the stack's own issuer."""
        return OrdersClient(self.api_url, customer_id, state_dir=self.state_dir)

    def issuer(self) -> StackIssuer:
        return StackIssuer.find(self.state_dir)

    def aws(self, service: str) -> Any:
        import boto3

        state = self.state()
        return boto3.client(
            service,
            endpoint_url=state["aws_endpoint"],
            region_name=state["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> set[int]:
        """Processes whose parent is the stack's `run` process, read from /proc."""
        found = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:
                    found.add(int(stat.parent.name))
        return found


def start_stack(state_dir: Path, extra_env: dict[str, str] | None = None, timeout_s: float = 30) -> RunningStack:
    state_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, DEVSTACK_DIR=str(state_dir), MOTO_PORT=str(free_port()), **(extra_env or {}))
    env.pop("PORT", None)
    log_path = state_dir / "stack.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack.run", "--port", str(free_port())],
            cwd=PROJECT_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # no terminal, as CI runs it
        )
    stack = RunningStack(process, state_dir, log_path)
    try:
        # stack.json says the stack is ready; the banner follows it: wait for both.
        while not (state_dir / "stack.json").exists() or "Stop with Ctrl-C." not in stack.output():
            if process.poll() is not None:
                raise RuntimeError(f"the stack exited with {process.returncode}:\n{stack.output()}")
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(f"the stack was not ready in {timeout_s} s:\n{stack.output()}")
            time.sleep(0.02)
        stack.started_in_s = time.monotonic() - started
        stack.state()
    except BaseException:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: RunningStack, signum: int = signal.SIGINT) -> tuple[int | None, list[int]]:
    """Ask `run` to stop; return its exit code and the processes it left alive. Then
    kill whatever is left regardless: its group, and each child's group."""
    with contextlib.suppress(OSError, ValueError):
        stack.state()
    stack.known_pids.update(stack.children())
    with contextlib.suppress(ProcessLookupError):
        stack.process.send_signal(signum)
    code = None
    with contextlib.suppress(subprocess.TimeoutExpired):
        code = stack.process.wait(timeout=15)
    survivors = sorted(pid for pid in stack.known_pids if alive(pid))
    for group in {stack.process.pid, *stack.known_pids}:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        stack.process.wait(timeout=5)
    return code, survivors


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


@contextlib.contextmanager
def running_stack(state_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[RunningStack]:
    stack = start_stack(state_dir, extra_env)
    try:
        yield stack
    finally:
        stop_stack(stack)
        print(f"--- last lines of the stack's output ({stack.log_path}) ---")
        print("\n".join(stack.output().splitlines()[-40:]))


def wait_until_final(
    clients: OrdersClient | list[OrdersClient], order_ids: list[str], timeout_s: float, poll_s: float = 0.2
) -> dict[str, dict[str, Any]]:
    """The orders of the clients' customers, once all of `order_ids` are final (or at
    timeout). A customer whose orders are all final is not asked again: every list
    call costs the moto server CPU that the stream worker also needs."""
    clients = clients if isinstance(clients, list) else [clients]
    wanted, orders = set(order_ids), dict[str, dict[str, Any]]()
    deadline = time.monotonic() + timeout_s
    while clients:
        for client in list(clients):
            listed = list_all(client)
            orders.update(listed)
            if all(order["status"] in FINAL for order_id, order in listed.items() if order_id in wanted):
                clients.remove(client)
        done = all(orders.get(order_id, {}).get("status") in FINAL for order_id in wanted)
        if done or time.monotonic() > deadline:
            break
        time.sleep(poll_s)
    return orders


def list_all(client: OrdersClient) -> dict[str, dict[str, Any]]:
    orders: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        reply = client.list(limit=100, cursor=cursor)
        assert reply.status == 200, reply.body
        orders.update({order["order_id"]: order for order in reply.body["orders"]})
        cursor = reply.body.get("next_cursor")
        if not cursor:
            return orders
