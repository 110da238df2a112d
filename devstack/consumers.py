"""The event-source mappings the local stack plays, one worker process each: two on the
table's stream (devstack/stream_worker.py) and one on the retry queue
(devstack/queue_worker.py). `run` starts, supervises, restarts and stops them all
alike (devstack/stack.py); each kind knows its own command line, what a restart means
for it, and its entry in stack.json."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

APP_NAME = "orders"
STAGE = "dev"
Kind = Literal["stream", "queue"]


@dataclass(frozen=True)
class Consumer:
    """One handler of app.py behind an event-source mapping, and the process that plays it."""

    kind: ClassVar[Kind]
    restart_note: ClassVar[str]  # what a restarted worker does about what the dead one held
    child: str  # its name among the children and in stack.json's pids
    function: str  # the handler's name in app.py

    @property
    def function_name(self) -> str:
        return f"{APP_NAME}-{STAGE}-{self.function}"  # as Chalice names the Lambda function

    @property
    def ready_file(self) -> str:
        return f"{self.child}.ready"

    @property
    def what(self) -> str:
        return f"the {self.kind} worker of {self.function}"

    def argv(self, info: Mapping[str, Any], ready: Path) -> list[str]:
        """The worker's command line, given the provisioned resources (`Stack.info`)."""
        raise NotImplementedError

    def describe(self, info: Mapping[str, Any]) -> dict[str, Any]:
        """Its entry in stack.json."""
        raise NotImplementedError


@dataclass(frozen=True)
class StreamConsumer(Consumer):
    """An `@app.on_dynamodb_record` handler and its mapping on the table's stream."""

    kind: ClassVar[Kind] = "stream"
    restart_note: ClassVar[str] = "restarting it from its checkpoint"
    mapping: str  # its mapping spec in chalicelib/resources.json
    dlq: str  # its on-failure destination: the key of the queue URL in `Stack.info`
    checkpoint_file: str  # its own positions in the stream, a file in the state directory

    def argv(self, info: Mapping[str, Any], ready: Path) -> list[str]:
        argv = [sys.executable, "-m", "devstack.stream_worker", "--stream-arn", info["stream_arn"]]
        argv += ["--dlq-url", info[self.dlq], "--handler", f"app:{self.function}"]
        argv += ["--mapping", self.mapping, "--function-name", self.function_name]
        checkpoints = ready.with_name(self.checkpoint_file)  # beside its ready file, in the state directory
        return [*argv, "--checkpoint-file", str(checkpoints), "--ready-file", str(ready)]

    def describe(self, info: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "function_name": self.function_name,
            "handler": f"app.{self.function}",
            "mapping": self.mapping,
            "checkpoint_file": self.checkpoint_file,
            "dlq_url": info.get(self.dlq),
        }


@dataclass(frozen=True)
class QueueConsumer(Consumer):
    """An `@app.on_sqs_message` handler and its mapping on an SQS queue."""

    kind: ClassVar[Kind] = "queue"
    restart_note: ClassVar[str] = "restarting it; messages it held come back after their visibility timeout"
    spec: str  # its mapping settings in chalicelib/resources.json
    queue: str  # the key of the queue's URL in `Stack.info` (and `_arn` its ARN)
    dlq: str  # the key of the URL of the queue's own dead-letter queue (its redrive policy)
    # In Lambda each function has its own CPU; here all share the machine's cores. Work that
    # can wait (a retry already delayed by its backoff) yields them to work that cannot.
    nice: int = 0

    def argv(self, info: Mapping[str, Any], ready: Path) -> list[str]:
        argv = [sys.executable, "-m", "devstack.queue_worker", "--queue-url", info[self.queue]]
        argv += ["--handler", f"app:{self.function}", "--spec", self.spec, "--function-name", self.function_name]
        return [*argv, "--nice", str(self.nice), "--ready-file", str(ready)]

    def describe(self, info: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "function_name": self.function_name,
            "handler": f"app.{self.function}",
            "spec": self.spec,
            "queue_url": info.get(self.queue),
            "queue_arn": info.get(self.queue.replace("_url", "_arn")),
            "dlq_url": info.get(self.dlq),
            "nice": self.nice,
        }


CONSUMERS: tuple[Consumer, ...] = (
    StreamConsumer("worker", "process_orders", "stream_mapping", "dlq_url", "checkpoints-process_orders.json"),
    StreamConsumer(
        "events_worker", "publish_order_events", "events_mapping", "events_dlq_url", "checkpoints-events.json"
    ),
    QueueConsumer("retry_worker", "retry_orders", "retry_queue", "retry_queue_url", "retry_dlq_url", nice=10),
)
