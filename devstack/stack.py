"""Starts, watches and stops the processes of the local stack: the moto server, the API
(`chalice local`'s gateway) and two stream workers, one per event-source mapping on the
table's stream (the processor and the outbox publisher); and, as a thread of this
process, the local OIDC issuer whose tokens the API checks. Nothing is left running:
every child leads its own process group, and `stop` ends each group."""

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
from devstack.checkpoints import TABLE as CHECKPOINT_TABLE
from devstack.environment import local_aws_environment, stage_environment
from devstack.issuer_server import IssuerServer

if TYPE_CHECKING:
    from devstack.provision import EventRouting

APP_NAME = "orders"
STAGE = "dev"
TABLE_NAME = "orders-dev"
DLQ_NAME = "orders-dev-process-orders-dlq"
EVENTS_RULE = "orders-dev-all-order-events"
EVENTS_QUEUE = "orders-dev-order-events"
EVENTS_DLQ_NAME = "orders-dev-event-failures"  # as infrastructure/terraform/events.tf names it
READY_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class StreamConsumer:
    """One `@app.on_dynamodb_record` handler and its event-source mapping, run by one
    stream worker process (devstack/stream_worker.py)."""

    child: str  # its name among the children and in stack.json's pids
    function: str  # the handler's name in app.py
    mapping: str  # its mapping spec in chalicelib/resources.json
    dlq: str  # its on-failure destination: the key of the queue URL in `Stack.info`
    checkpoint_table: str  # its own positions in the stream

    @property
    def function_name(self) -> str:
        return f"{APP_NAME}-{STAGE}-{self.function}"  # as Chalice names the Lambda function

    @property
    def ready_file(self) -> str:
        return f"{self.child}.ready"


CONSUMERS = (
    StreamConsumer("worker", "process_orders", "stream_mapping", "dlq_url", CHECKPOINT_TABLE),
    StreamConsumer(
        "events_worker", "publish_order_events", "events_mapping", "events_dlq_url", f"{CHECKPOINT_TABLE}-events"
    ),
)


class StartupError(Exception):
    """The stack could not start; the message is one line for the user."""


@dataclass
class Stack:
    project_dir: Path
    state_dir: Path
    api_port: int
    moto_port: int
    worker_options: list[str] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
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
        self.info = provision_stack(self.endpoint, TABLE_NAME, DLQ_NAME, region, event_routing(self.env))
        self.env["ORDERS_STREAM_ARN"] = self.info["stream_arn"]
        for consumer in CONSUMERS:
            self.start_worker(consumer)
        self._wait("the API", self._api_healthy, "api")
        for consumer in CONSUMERS:
            self._wait(f"the stream worker of {consumer.function}", self._worker_ready(consumer), consumer.child)
        self.write_state()

    def start_worker(self, consumer: StreamConsumer = CONSUMERS[0]) -> None:
        ready = self.state_dir / consumer.ready_file
        ready.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "devstack.stream_worker", "--stream-arn", self.info["stream_arn"]]
        argv += ["--dlq-url", self.info[consumer.dlq], "--handler", f"app:{consumer.function}"]
        argv += ["--mapping", consumer.mapping, "--function-name", consumer.function_name]
        argv += ["--checkpoint-table", consumer.checkpoint_table, "--ready-file", str(ready), *self.worker_options]
        self._spawn(consumer.child, argv)

    def _worker_ready(self, consumer: StreamConsumer) -> Callable[[], bool]:
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
            "stream_workers": {
                consumer.child: {
                    "function_name": consumer.function_name,
                    "handler": f"app.{consumer.function}",
                    "mapping": consumer.mapping,
                    "checkpoint_table": consumer.checkpoint_table,
                    "dlq_url": self.info.get(consumer.dlq),
                }
                for consumer in CONSUMERS
            },
            "issuer": self.issuer.state() if self.issuer else None,
            "pids": {"run": os.getpid(), **{name: child.pid for name, child in self.children.items()}},
        }
        path = self.state_dir / "stack.json"
        path.with_suffix(".tmp").write_text(json.dumps(state, indent=2))
        path.with_suffix(".tmp").replace(path)  # readers never see half a file

    def supervise(self) -> None:
        """Until asked to stop: restart a stream worker that died (it resumes from its own
        checkpoint); stop everything if moto or the API dies."""
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
                what = f"the stream worker of {consumer.function}"
                if len(recent) > 5:
                    raise StartupError(f"{what} keeps dying (6 times in 10 s); stopping the stack")
                print(f"devstack: {what} exited with code {code}; restarting it from its checkpoint", flush=True)
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
