"""Order events on the local stack: the outbox publisher's stream worker puts them on the
bus, the example rule sends them to a queue, and `make events` prints them from there."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.e2e.stack import PROJECT_DIR, RunningStack, alive, wait_until_final
from tests.support.orders import order_body

pytestmark = pytest.mark.e2e

EVENT_NAMES = {
    "PENDING": "OrderPlaced",
    "PAID": "OrderPaid",
    "CONFIRMED": "OrderConfirmed",
    "REJECTED": "OrderRejected",
    "FAILED": "OrderFailed",
    "CANCELLED": "OrderCancelled",
}
CLOCK = re.compile(r"^\d\d:\d\d:\d\d\.\d{3}$")


def customer(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_env(state_dir: Path) -> dict[str, str]:
    """The environment a user's shell gives `make`, pointed at this test's stack."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MAKE")}
    env.pop("PORT", None)
    return env | {"DEVSTACK_DIR": str(state_dir)}


def make(state_dir: Path, *arguments: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", *arguments],
        cwd=PROJECT_DIR,
        env=make_env(state_dir),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def forget_earlier_events(stack: RunningStack) -> None:
    """Empty the events queue: the shared stack's earlier tests left hundreds of events
    there, which `make events` would print first. No test needs them."""
    from botocore.exceptions import ClientError

    from devstack.events import take

    sqs, queue_url = stack.aws("sqs"), stack.state()["events_queue_url"]
    try:
        sqs.purge_queue(QueueUrl=queue_url)
    except ClientError:  # one purge a minute, as in SQS: read them away instead
        while take(sqs, queue_url):
            pass


def group_members(group: int) -> list[int]:
    """Live processes of a process group, read from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and alive(int(stat.parent.name)):
                members.append(int(stat.parent.name))
    return members


@contextlib.contextmanager
def following(stack: RunningStack) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str]]]:
    """`make -s events` running, as a user starts it in a second terminal; its stdout lines
    arrive on the queue. Every process it started is killed at the end."""
    follower = subprocess.Popen(
        ["make", "-s", "events"],
        cwd=PROJECT_DIR,
        env=make_env(stack.state_dir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    assert follower.stdout is not None
    threading.Thread(target=pump, args=(follower.stdout,), daemon=True).start()
    try:
        yield follower, lines
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(follower.pid, signal.SIGKILL)
        follower.wait(timeout=10)


def lines_about(order_id: str, lines: queue.Queue[str], until: str, timeout_s: float) -> list[str]:
    """The lines naming `order_id`, up to the first that also holds `until`."""
    found: list[str] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if order_id in line:
            found.append(line)
            if until in line:
                break
    return found


def test_make_events_prints_an_orders_events_in_order_as_they_arrive(stack: RunningStack) -> None:
    who = customer("events")
    client = stack.client(who)
    forget_earlier_events(stack)
    with following(stack) as (follower, lines):
        placed = client.place(order_body("tok_visa"))
        assert placed.status == 201, placed.body
        order_id = placed.body["order_id"]
        ours = lines_about(order_id, lines, until="OrderConfirmed", timeout_s=20)
        os.killpg(follower.pid, signal.SIGINT)  # Ctrl-C in its terminal
        follower.wait(timeout=10)
        assert follower.stderr is not None
        stderr = follower.stderr.read()
    assert [line.split()[1] for line in ours] == ["OrderPlaced", "OrderPaid", "OrderConfirmed"], ours
    order = client.get(order_id).body
    for line, version in zip(ours, ("v1", "v2", "v3"), strict=True):
        fields = line.split()
        assert CLOCK.match(fields[0]), line
        assert fields[2:6] == [order_id, "cust", who, version]
    assert ours[1].split()[6:] == ["PAID", "payment", order["payment_id"]]
    assert ours[2].split()[6:] == ["CONFIRMED", "payment", order["payment_id"], "tracking", order["tracking_number"]]
    assert "tok_visa" not in "\n".join(ours), "no event carries the payment token"
    assert stderr.splitlines()[0].startswith("make events: following queue orders-dev-order-events"), stderr
    assert group_members(follower.pid) == [], "Ctrl-C leaves no process of `make events`"


def test_make_events_without_a_running_stack_is_one_line(tmp_path: Path) -> None:
    result = make(tmp_path, "events", "ONCE=1")
    assert result.returncode != 0
    assert result.stdout == ""
    ours = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    assert ours == [f"make events: error: no local stack runs in {tmp_path} (no stack.json); start one with `make run`"]


def events_from_the_queue(stack: RunningStack, received: list[dict[str, Any]]) -> None:
    """What `make events ONCE=1 JSON=1` prints: every envelope in the queue, one per line."""
    result = make(stack.state_dir, "events", "ONCE=1", "JSON=1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    received.extend(json.loads(line) for line in result.stdout.splitlines())


def first_of_each(envelopes: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per order, its events de-duplicated by event_id, in the order they arrived."""
    seen: dict[str, dict[str, Any]] = {}
    per_order: dict[str, list[dict[str, Any]]] = {}
    for envelope in envelopes:
        detail = envelope["detail"]
        if detail["event_id"] in seen:
            assert seen[detail["event_id"]]["detail"] == detail, "a repeat carries the same event"
            continue
        seen[detail["event_id"]] = envelope
        per_order.setdefault(detail["order_id"], []).append(envelope)
    return per_order


MIXED_KINDS = [("tok_visa", "GB"), ("tok_decline", "FR"), ("tok_flaky", "DE"), ("tok_visa", "AQ"), ("tok_down", "GB")]
MIXED_EXPECTED = ["CONFIRMED", "REJECTED", "CONFIRMED", "REJECTED", "FAILED"]
MIXED_ROUNDS = 18  # 18 x 5 kinds + 10 cancels: a 100-order mixed run


def test_every_status_change_of_a_mixed_run_is_one_event(stack: RunningStack) -> None:
    who = customer("mixed")
    client = stack.client(who)
    forget_earlier_events(stack)
    kinds = MIXED_KINDS * MIXED_ROUNDS
    order_ids = [client.place(order_body(token, country)).body["order_id"] for token, country in kinds]
    for _ in range(100 - len(kinds)):
        cancelled = client.place(order_body("tok_visa")).body["order_id"]
        assert client.cancel(cancelled).status in (200, 409)  # 409: the worker got there first
        order_ids.append(cancelled)

    orders = wait_until_final(client, order_ids, timeout_s=180)
    histories = {order_id: orders[order_id]["history"] for order_id in order_ids}
    statuses = {order_id: [entry["status"] for entry in history] for order_id, history in histories.items()}
    assert [statuses[order_id][-1] for order_id in order_ids[: len(kinds)]] == MIXED_EXPECTED * MIXED_ROUNDS

    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        events_from_the_queue(stack, received)
        per_order = first_of_each([e for e in received if e["detail"].get("customer_id") == who])
        if all(len(per_order.get(order_id, [])) >= len(statuses[order_id]) for order_id in order_ids):
            break
        time.sleep(0.3)
    time.sleep(1.0)  # an extra event would come right behind the others
    events_from_the_queue(stack, received)

    ours = [envelope for envelope in received if envelope["detail"].get("customer_id") == who]
    per_order = first_of_each(ours)
    assert set(per_order) == set(order_ids), "no event for an order that is not ours"
    for order_id in order_ids:
        events = per_order[order_id]
        names = [envelope["detail-type"] for envelope in events]
        assert names == [EVENT_NAMES[status] for status in statuses[order_id]], (order_id, names, statuses[order_id])
        assert [(e["detail"]["status"], e["detail"]["at"]) for e in events] == [
            (entry["status"], entry["at"]) for entry in histories[order_id]
        ], "each event is one status change of the history, stored at that moment"
        versions = [envelope["detail"]["version"] for envelope in events]
        assert versions == sorted(set(versions)), "an order's events arrive in version order"
        for envelope in events:
            assert envelope["source"] == "orders"
            assert envelope["detail"]["name"] == envelope["detail-type"]
            assert envelope["detail"]["event_id"] == f"{order_id}-v{envelope['detail']['version']}"
            assert "payment_token" not in envelope["detail"]
            assert "shipping_address" not in envelope["detail"]
    print(f"\n{len(ours)} envelopes for {len(order_ids)} orders, {sum(map(len, per_order.values()))} distinct events")


def test_the_demo_shows_each_orders_events_and_leaves_no_subscription(stack: RunningStack) -> None:
    port = stack.api_url.rsplit(":", 1)[1]
    result = make(stack.state_dir, "demo", f"PORT={port}", timeout_s=90)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].startswith("demo: watching their events on bus orders-dev-events"), lines[:2]
    header = next(line for line in lines if line.startswith("order id"))
    assert header.split()[-1] == "events", "the events column comes last"
    rows = [line for line in lines if re.match(r"^[0-9A-HJKMNP-TV-Z]{26}  ", line)]
    summary = rows[-11:]
    assert len(summary) == 11
    assert all(re.search(r"  [23]: Placed( \w+)+$", row) for row in summary), summary
    assert lines[-1].startswith("demo: ") and lines[-1].endswith("one per status change of each order")
    bus = stack.state()["event_bus_name"]
    rules = [rule["Name"] for rule in stack.aws("events").list_rules(EventBusName=bus)["Rules"]]
    assert rules == [stack.state()["events_rule"]], "the demo's own rule is gone"
    assert not [url for url in stack.aws("sqs").list_queues()["QueueUrls"] if "demo" in url]
