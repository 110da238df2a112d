"""Starts, watches and stops the processes of the local stack: the moto server, the API
(`chalice local`'s gateway), two stream workers, one per event-source mapping on the
table's stream (the processor and the outbox publisher), and the queue worker, the
retry queue's mapping (`retry_orders`); and, as a thread of this process, the local
OIDC issuer whose tokens the API checks. Nothing is left running: every child leads its
own process group, and `stop` ends each group."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devstack import processes
from devstack.consumers import CONSUMERS, STAGE, Consumer, Kind
from devstack.environment import local_aws_environment, stage_environment
from devstack.issuer_server import IssuerServer

if TYPE_CHECKING:
    from devstack.provision import EventRouting

TABLE_NAME = "orders-dev"
DLQ_NAME = "orders-dev-process-orders-dlq"
RETRY_QUEUE_NAME = "orders-dev-retries"  # as infrastructure/terraform/retries.tf names them
RETRY_DLQ_NAME = "orders-dev-retries-dlq"
EVENTS_RULE = "orders-dev-all-order-events"
EVENTS_QUEUE = "orders-dev-order-events"
EVENTS_DLQ_NAME = "orders-dev-event-failures"  # as infrastructure/terraform/events.tf names it
READY_TIMEOUT_S = 20.0


class StartupError(Exception):
    """The stack could not start; the message is one line for the user."""


@dataclass
class Stack:
    project_dir: Path
    state_dir: Path
    api_port: int
    moto_port: int
    worker_options: list[str] = field(default_factory=list)  # for the stream workers
    queue_worker_options: list[str] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    schedule: dict[str, int] = field(default_factory=dict)  # the processor's retry schedule
    issuer: IssuerServer | None = None  # the local OIDC issuer, a thread of this process

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        base = dict(os.environ) | stage_environment(self.project_dir, STAGE)
        self.env = local_aws_environment(base, self.endpoint)
        self.schedule = retry_schedule(self.env)  # also checks the app's settings before anything starts
        python = sys.executable
        with (self.state_dir / "moto.log").open("wb") as moto_log:  # the child keeps its own handle
            self._spawn("moto", [python, "-m", "devstack.moto_server", "--port", str(self.moto_port)], moto_log)
        self.issuer = IssuerServer(self.state_dir)  # its port first: the API is told its URL
        api = ["--port", str(self.api_port), "--stage", STAGE, "--issuer", self.issuer.url]
        self._spawn("api", [python, "-m", "devstack.api_server", *api, "--audience", self.issuer.audience])
        self.issuer.start()  # makes the key while the API starts
        self._wait("the moto server", lambda: processes.accepts_connections(self.moto_port), "moto")
        from devstack.provision import provision_stack

        region = self.env["AWS_DEFAULT_REGION"]
        retries = (RETRY_QUEUE_NAME, RETRY_DLQ_NAME)
        self.info = provision_stack(self.endpoint, TABLE_NAME, DLQ_NAME, region, event_routing(self.env), retries)
        # What the mappings' functions get in Lambda; the API (started above) needs none.
        self.env["ORDERS_STREAM_ARN"] = self.info["stream_arn"]
        self.env["RETRY_QUEUE_URL"] = self.info["retry_queue_url"]
        self.env["RETRY_QUEUE_ARN"] = self.info["retry_queue_arn"]
        for consumer in CONSUMERS:
            self.start_worker(consumer)
        self._wait("the API", self._api_healthy, "api")
        for consumer in CONSUMERS:
            self._wait(consumer.what, self._worker_ready(consumer), consumer.child)
        self.write_state()

    def start_worker(self, consumer: Consumer = CONSUMERS[0]) -> None:
        ready = self.state_dir / consumer.ready_file
        ready.unlink(missing_ok=True)
        self._spawn(consumer.child, [*consumer.argv(self.info, ready), *self.options(consumer.kind)])

    def options(self, kind: Kind) -> list[str]:
        """Extra options for the workers of one kind (tests: retry caps, visibility timeout)."""
        return self.worker_options if kind == "stream" else self.queue_worker_options

    def _worker_ready(self, consumer: Consumer) -> Callable[[], bool]:
        return (self.state_dir / consumer.ready_file).exists

    def _api_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=1) as response:  # noqa: S310 - loopback
                return bool(response.status == 200)
        except OSError:
            return False

    def _spawn(self, name: str, argv: list[str], output: Any = None) -> None:
        if self.stopping.is_set():
            raise StartupError("stopped while starting")
        self.children[name] = processes.spawn(argv, self.env, self.project_dir, output)

    def _wait(self, what: str, ready: Any, name: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not ready():
            code = self.children[name].poll()
            if code is not None:
                where = self.state_dir / "moto.log" if name == "moto" else "its output above"
                raise StartupError(f"{what} exited with code {code} while starting; see {where}")
            if self.stopping.is_set():
                raise StartupError("stopped while starting")
            if time.monotonic() > deadline:
                raise StartupError(f"{what} was not ready within {READY_TIMEOUT_S:.0f} s")
            self.stopping.wait(0.02)

    def write_state(self) -> None:
        state = {
            "api_url": self.api_url,
            "aws_endpoint": self.endpoint,
            "region": self.env["AWS_DEFAULT_REGION"],
            "table": TABLE_NAME,
            **self.info,
            "stream_workers": {c.child: c.describe(self.info) for c in CONSUMERS if c.kind == "stream"},
            "queue_workers": {c.child: c.describe(self.info) for c in CONSUMERS if c.kind == "queue"},
            "retry_schedule": self.schedule,
            "issuer": self.issuer.state() if self.issuer else None,
            "pids": {"run": os.getpid(), **{name: child.pid for name, child in self.children.items()}},
        }
        path = self.state_dir / "stack.json"
        path.with_suffix(".tmp").write_text(json.dumps(state, indent=2))
        path.with_suffix(".tmp").replace(path)  # readers never see half a file

    def supervise(self) -> None:
        """Until asked to stop: restart a worker that died (a stream worker resumes from its
        own checkpoint; the messages a queue worker held come back after their visibility
        timeout); stop everything if moto or the API dies."""
        restarts: dict[str, list[float]] = {consumer.child: [] for consumer in CONSUMERS}
        while not self.stopping.wait(0.1):
            for name in ("moto", "api"):
                code = self.children[name].poll()
                if code is not None:
                    raise StartupError(f"the {name} process exited with code {code}; stopping the stack")
            for consumer in CONSUMERS:
                code = self.children[consumer.child].poll()
                if code is None:
                    continue
                now = time.monotonic()
                recent = restarts[consumer.child] = [at for at in restarts[consumer.child] if now - at < 10] + [now]
                if len(recent) > 5:
                    raise StartupError(f"{consumer.what} keeps dying (6 times in 10 s); stopping the stack")
                print(f"devstack: {consumer.what} exited with code {code}; {consumer.restart_note}", flush=True)
                self.start_worker(consumer)
                self.write_state()

    def stop(self) -> None:
        # The workers first, so that an invocation in flight can finish against moto.
        workers = {consumer.child for consumer in CONSUMERS}
        processes.stop_all([child for name, child in self.children.items() if name in workers])
        processes.stop_all([child for name, child in self.children.items() if name not in workers])
        if self.issuer:
            self.issuer.stop()  # and its key file
        (self.state_dir / "stack.json").unlink(missing_ok=True)
        for consumer in CONSUMERS:
            (self.state_dir / consumer.ready_file).unlink(missing_ok=True)


def event_routing(env: dict[str, str]) -> EventRouting:
    """The bus and source the publisher will use: the app's own settings, read from the
    environment the workers get (the stage's EVENT_BUS_NAME, or the settings' default)."""
    from chalicelib.settings import settings_from
    from devstack.provision import EventRouting

    settings = settings_from(env)
    return EventRouting(settings.event_bus_name, settings.event_source, EVENTS_RULE, EVENTS_QUEUE, EVENTS_DLQ_NAME)


def retry_schedule(env: dict[str, str]) -> dict[str, int]:
    """The processor's retry schedule the workers run with (MAX_PROCESSING_ATTEMPTS,
    RETRY_BASE_DELAY_MS, RETRY_HORIZON_SECONDS from their environment, else the app's
    defaults), for stack.json: `make demo` reads it to know how long a retry can last."""
    from chalicelib.settings import settings_from

    settings = settings_from(env)
    return {
        "max_processing_attempts": settings.max_processing_attempts,
        "retry_base_delay_ms": settings.retry_base_delay_ms,
        "retry_horizon_seconds": settings.retry_horizon_seconds,
    }
