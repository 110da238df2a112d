"""Starts, watches and stops the three processes of the local stack: the moto server,
the API (`chalice local`'s gateway) and the stream worker; and, as a thread of this
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack import processes
from devstack.environment import local_aws_environment, stage_environment
from devstack.issuer_server import IssuerServer

TABLE_NAME = "orders-dev"
DLQ_NAME = "orders-dev-process-orders-dlq"
STAGE = "dev"
READY_TIMEOUT_S = 20.0


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

        self.info = provision_stack(self.endpoint, TABLE_NAME, DLQ_NAME, self.env["AWS_DEFAULT_REGION"])
        self.env["ORDERS_STREAM_ARN"] = self.info["stream_arn"]
        self.start_worker()
        self._wait("the API", self._api_healthy, "api")
        self._wait("the stream worker", self._worker_ready, "worker")
        self.write_state()

    def start_worker(self) -> None:
        ready = self.state_dir / "worker.ready"
        ready.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "devstack.stream_worker", "--stream-arn", self.info["stream_arn"]]
        argv += ["--dlq-url", self.info["dlq_url"], "--ready-file", str(ready), *self.worker_options]
        self._spawn("worker", argv)

    def _worker_ready(self) -> bool:
        return (self.state_dir / "worker.ready").exists()

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
            "issuer": self.issuer.state() if self.issuer else None,
            "pids": {"run": os.getpid(), **{name: child.pid for name, child in self.children.items()}},
        }
        path = self.state_dir / "stack.json"
        path.with_suffix(".tmp").write_text(json.dumps(state, indent=2))
        path.with_suffix(".tmp").replace(path)  # readers never see half a file

    def supervise(self) -> None:
        """Until asked to stop: restart a worker that died (it resumes from its checkpoint);
        stop everything if moto or the API dies."""
        restarts: list[float] = []
        while not self.stopping.wait(0.1):
            for name in ("moto", "api"):
                code = self.children[name].poll()
                if code is not None:
                    raise StartupError(f"the {name} process exited with code {code}; stopping the stack")
            code = self.children["worker"].poll()
            if code is None:
                continue
            restarts = [at for at in restarts if time.monotonic() - at < 10] + [time.monotonic()]
            if len(restarts) > 5:
                raise StartupError("the stream worker keeps dying (6 times in 10 s); stopping the stack")
            print(f"devstack: stream worker exited with code {code}; restarting it from its checkpoint", flush=True)
            self.start_worker()
            self.write_state()

    def stop(self) -> None:
        # The worker first, so that an invocation in flight can finish against moto.
        worker = [self.children["worker"]] if "worker" in self.children else []
        processes.stop_all(worker)
        processes.stop_all([child for name, child in self.children.items() if name != "worker"])
        if self.issuer:
            self.issuer.stop()  # and its key file
        (self.state_dir / "stack.json").unlink(missing_ok=True)
        (self.state_dir / "worker.ready").unlink(missing_ok=True)
