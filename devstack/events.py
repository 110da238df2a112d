"""`make events [ONCE=1] [JSON=1]`: follows the running local stack's order events and
prints one line per event as it arrives, until Ctrl-C:

    20:31:05.123  OrderPaid       01KB0Z6R8XQ3M4N5P6Q7R8S9T0  cust alice  v2  PAID       payment pay_…

The time is when the change was stored (the event's `at`, local time). The events come
from the queue that the stack's example rule on the bus targets (every event with the
orders source; see devstack/provision.py): this is that queue's consumer, so it deletes
what it prints, and two followers share the events between them. Delivery is at least
once: an event whose `event_id` this follower printed before is marked `(repeat)`.

ONCE=1 prints what the queue holds and exits; JSON=1 prints each EventBridge envelope
as one JSON line instead. It finds the stack as `make token` does (DEVSTACK_DIR, default
.devstack; with PORT given, that stack must serve that port); with none running it
prints one line on stderr and exits 1.

Usage: python -m devstack.events [--once] [--json] [--port P] [--state-dir DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from devstack.tokens import NoStack, check_port, default_state_dir, stack_state

PREFIX = "make events"
NAME_WIDTH = len("OrderConfirmed")
STATUS_WIDTH = len("CONFIRMED")
EXTRAS = (
    ("payment_id", "payment"),
    ("tracking_number", "tracking"),
    ("refund_id", "refund"),
    ("reason", "reason"),
    ("attempts", "attempts"),
)
Envelope = dict[str, Any]


def aws_client(service: str, state: dict[str, Any]) -> Any:
    """A client for the stack's moto server: dummy credentials, quick to give up."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=1, read_timeout=5)
    return boto3.client(
        service,
        endpoint_url=state["aws_endpoint"],
        region_name=state.get("region") or "us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
        config=config,
    )


def receive(sqs: Any, queue_url: str, wait_s: int = 0) -> tuple[list[Envelope], list[str]]:
    """Up to 10 envelopes from the queue and their receipt handles, for `delete` once
    they are dealt with (until then they are hidden from other receivers for 30 s)."""
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s)
    envelopes, receipts = [], []
    for message in messages.get("Messages", []):
        try:
            envelope = json.loads(message["Body"])
        except ValueError:
            envelope = {"detail-type": "(not JSON)", "detail": message["Body"]}
        envelopes.append(envelope if isinstance(envelope, dict) else {"detail": envelope})
        receipts.append(str(message["ReceiptHandle"]))
    return envelopes, receipts


def delete(sqs: Any, queue_url: str, receipts: list[str]) -> None:
    if receipts:
        entries = [{"Id": str(index), "ReceiptHandle": receipt} for index, receipt in enumerate(receipts)]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)


def take(sqs: Any, queue_url: str, wait_s: int = 0) -> list[Envelope]:
    """Receive and delete: for a reader that cannot lose what it took (it keeps it)."""
    envelopes, receipts = receive(sqs, queue_url, wait_s)
    delete(sqs, queue_url, receipts)
    return envelopes


@dataclass
class StackEvents:
    """The running stack's events queue, as its stack.json describes it."""

    state_dir: Path
    state: dict[str, Any]
    sqs: Any

    @property
    def queue_url(self) -> str:
        return str(self.state["events_queue_url"])

    @classmethod
    def find(cls, state_dir: Path | None = None, port: int | None = None) -> StackEvents:
        from botocore.exceptions import BotoCoreError, ClientError

        state_dir = state_dir or default_state_dir()
        state = stack_state(state_dir)
        check_port(state, state_dir, port)
        if not state.get("events_queue_url") or not state.get("aws_endpoint"):
            raise NoStack(f"the stack.json in {state_dir} has no events queue; restart the stack with `make run`")
        found = cls(state_dir, state, aws_client("sqs", state))
        try:
            found.sqs.get_queue_attributes(QueueUrl=found.queue_url, AttributeNames=["QueueArn"])
        except ClientError:
            raise NoStack(f"the local AWS at {state['aws_endpoint']} has no queue {found.queue_url}") from None
        except BotoCoreError:
            where = state["aws_endpoint"]
            raise NoStack(f"no local stack answers at {where} (its local AWS); start one with `make run`") from None
        return found

    def describe(self) -> str:
        queue = self.queue_url.rsplit("/", 1)[-1]
        bus, rule = self.state.get("event_bus_name", "?"), self.state.get("events_rule", "?")
        return f"queue {queue}, target of rule {rule} on bus {bus}"


def clock(moment: str | None) -> str:
    """HH:MM:SS.mmm in local time, from an ISO timestamp; the text itself if unreadable."""
    if not moment:
        return "--:--:--.---"
    try:
        local = datetime.fromisoformat(moment).astimezone()
    except ValueError:
        return moment
    return local.strftime("%H:%M:%S.") + f"{local.microsecond // 1000:03d}"


def render(envelope: Envelope, repeat: bool = False) -> str:
    """One line for one event: time, name, order, customer, version, status, extras."""
    detail = envelope.get("detail")
    name = str(envelope.get("detail-type") or "?")
    if not isinstance(detail, dict) or "order_id" not in detail:
        return f"{clock(envelope.get('time'))}  {name:<{NAME_WIDTH}}  {json.dumps(detail, default=str)}"
    parts = [
        clock(detail.get("at") or envelope.get("time")),
        f"{name:<{NAME_WIDTH}}",
        str(detail["order_id"]),
        f"cust {detail.get('customer_id', '?')}",
        f"v{detail.get('version', '?')}",
        f"{detail.get('status', '?'):<{STATUS_WIDTH}}",
    ]
    parts += [f"{label} {detail[key]}" for key, label in EXTRAS if detail.get(key) not in (None, "")]
    return ("  ".join(parts) + ("  (repeat)" if repeat else "")).rstrip()


def event_id(envelope: Envelope) -> str | None:
    detail = envelope.get("detail")
    found = detail.get("event_id") if isinstance(detail, dict) else None
    return str(found) if found else None


@dataclass
class Subscription:
    """A rule of one's own on the stack's bus, with a new queue as its target: another
    subscriber, which sees every matching event without taking any from `make events`.
    The demo uses one for its customer's events. `close` deletes both."""

    events: Any
    sqs: Any
    bus: str
    rule: str
    queue_url: str

    @classmethod
    def create(cls, state: dict[str, Any], detail_pattern: dict[str, list[str]], label: str) -> Subscription:
        if not state.get("event_bus_name"):
            raise NoStack("the running stack has no event bus; restart it with `make run`")
        events, sqs = aws_client("events", state), aws_client("sqs", state)
        name = f"{label}-{uuid.uuid4().hex[:8]}"
        queue_url = str(sqs.create_queue(QueueName=name)["QueueUrl"])
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        bus = str(state["event_bus_name"])
        pattern = {"source": [state.get("event_source") or "orders"], "detail": detail_pattern}
        subscription = cls(events, sqs, bus, name, queue_url)
        try:
            events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern), State="ENABLED")
            events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
        except BaseException:
            subscription.close()
            raise
        return subscription

    def take(self, wait_s: int = 0) -> list[Envelope]:
        return take(self.sqs, self.queue_url, wait_s)

    def close(self) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        steps: list[tuple[Any, dict[str, Any]]] = [
            (self.events.remove_targets, {"Rule": self.rule, "EventBusName": self.bus, "Ids": ["queue"]}),
            (self.events.delete_rule, {"Name": self.rule, "EventBusName": self.bus}),
            (self.sqs.delete_queue, {"QueueUrl": self.queue_url}),
        ]
        for call, arguments in steps:
            with contextlib.suppress(BotoCoreError, ClientError):  # the stack may be gone already
                call(**arguments)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--once", action="store_true", help="print what the queue holds, then exit")
    parser.add_argument("--json", action="store_true", help="one EventBridge envelope per line, as JSON")
    parser.add_argument("--port", default="", help="the API port the stack must serve")
    parser.add_argument("--state-dir", type=Path, default=None, help="default: DEVSTACK_DIR or .devstack")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: Any) -> NoReturn:
    raise KeyboardInterrupt


def follow(stack: StackEvents, once: bool, as_json: bool) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    seen: set[str] = set()
    if not once:
        print(f"{PREFIX}: following {stack.describe()}; Ctrl-C stops", file=sys.stderr, flush=True)
    while True:
        try:
            envelopes, receipts = receive(stack.sqs, stack.queue_url, wait_s=0 if once else 1)
        except (BotoCoreError, ClientError) as error:
            if not (stack.state_dir / "stack.json").exists():
                print(f"{PREFIX}: the local stack stopped", file=sys.stderr)
                return 0
            print(f"{PREFIX}: error: the local stack stopped answering ({error})", file=sys.stderr)
            return 1
        if not envelopes and once:
            return 0
        for envelope in envelopes:
            identifier = event_id(envelope)
            if as_json:
                print(json.dumps(envelope, separators=(",", ":"), default=str))
            else:
                print(render(envelope, repeat=identifier in seen))
            if identifier:
                seen.add(identifier)
        sys.stdout.flush()
        with contextlib.suppress(BotoCoreError, ClientError):  # not deleted: shown again later, marked
            delete(stack.sqs, stack.queue_url, receipts)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if not re.fullmatch(r"[0-9]{1,5}", args.port or "0"):
        print(f"{PREFIX}: error: PORT must be a port number, not {args.port!r}", file=sys.stderr)
        return 1
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)  # SIGINT too: a background job of a script starts with it ignored
    try:
        stack = StackEvents.find(args.state_dir, int(args.port) if args.port else None)
        return follow(stack, args.once, args.json)
    except NoStack as error:
        print(f"{PREFIX}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:  # `make -s events | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
