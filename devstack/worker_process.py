"""What every event-source worker process of the local stack shares, whatever it polls
(the stream workers, devstack/stream_worker.py, and the queue worker,
devstack/queue_worker.py): loading the handler as Lambda does, one JSON log line per
event, stopping between invocations on SIGTERM or SIGINT, trying to reach its source
until a deadline at start-up, and the ready file that tells `run` the worker polls."""

from __future__ import annotations

import importlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

STARTUP_TIMEOUT_S = 30.0

Handler = Callable[[dict[str, Any], Any], Any]


class JsonLog:
    """One JSON line per call on stdout, named after the worker that writes it."""

    def __init__(self, logger: str) -> None:
        self.logger = logger

    def __call__(self, message: str, level: str = "INFO", **fields: Any) -> None:
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "level": level, "logger": self.logger}
        print(json.dumps({**line, "message": message, **fields}, default=str), flush=True)


def load_handler(spec: str) -> Handler:
    """`module:function`, imported the way Lambda imports the Chalice app."""
    module_name, _, function_name = spec.partition(":")
    module = importlib.import_module(module_name)
    from chalicelib.settings import load_settings

    load_settings()  # fail now, naming a missing variable, as the app does in Lambda
    handler: Handler = getattr(module, function_name)
    return handler


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM or SIGINT sets `stop`: the worker finishes the invocation in flight and exits."""

    def handle(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


class Connecting(Protocol):
    stop: threading.Event

    def attempt(self, action: Callable[[], object]) -> bool: ...


def connect_within(worker: Connecting, connect: Callable[[], object], timeout_s: float = STARTUP_TIMEOUT_S) -> bool:
    """Try `connect` until it works (True), or until `timeout_s` has passed or the worker
    is told to stop (False): moto may still be starting when `run` starts the worker."""
    deadline = time.monotonic() + timeout_s
    while not worker.attempt(connect):
        if time.monotonic() > deadline or worker.stop.is_set():
            return False
    return True


def announce_ready(ready_file: Path | None) -> None:
    """Tell `run` (devstack/stack.py) that the worker polls: it waits for this file."""
    if ready_file:
        ready_file.write_text(str(os.getpid()))
