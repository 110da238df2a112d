"""The retry path on the real local stack: a provider outage is ridden out through the
retry queue and its worker (devstack/queue_worker.py), `tok_down` still ends FAILED at
the horizon, a queue worker killed mid-batch loses nothing, a poison message ends in the
retry queue's DLQ, and `make outage` switches the outage from a shell.

This module runs its own stack: an outage is stack-wide, and the retry schedule is short
(200 ms base delay, 12 s horizon, the default 16 attempts) so that each test takes
seconds; the queue worker receives with a 2 s visibility timeout instead of the
queue's 360 s."""

from __future__ import annotations

import json
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.provider_outages import Provider
from devstack.outage import start_outage
from tests.e2e.stack import FINAL, RunningStack, running_stack, wait_until_final
from tests.e2e.test_order_events import make
from tests.e2e.test_resilience import charges_per_order
from tests.support.orders import order_body

pytestmark = pytest.mark.e2e

HORIZON_S = 12
MAX_ATTEMPTS = 16  # the app's default
VISIBILITY_S = 2
MAX_RECEIVE_COUNT = 5  # resources.json's retry_queue.max_receive_count


@pytest.fixture(scope="module")
def retry_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = Path(tmp_path_factory.mktemp("retry-stack"))
    overrides = {
        "RETRY_BASE_DELAY_MS": "200",
        "RETRY_HORIZON_SECONDS": str(HORIZON_S),
        "DEVSTACK_QUEUE_VISIBILITY_TIMEOUT": str(VISIBILITY_S),
    }
    with running_stack(state_dir, overrides) as running:
        yield running


def outage(stack: RunningStack, seconds: float, provider: Provider = "payments") -> float:
    state = stack.state()
    return start_outage(state["aws_endpoint"], state["region"], state["table"], provider, seconds)


def log_lines(stack: RunningStack, logger: str, since: int = 0) -> list[dict[str, Any]]:
    """The JSON lines one kind of worker printed, from character `since` of the stack's output."""
    lines = []
    for line in stack.output()[since:].splitlines():
        if line.startswith("{") and f'"logger": "{logger}"' in line:
            lines.append(json.loads(line))
    return lines


def invocations(stack: RunningStack, function: str, since: int = 0) -> list[dict[str, Any]]:
    logger = "devstack.queue_worker" if function == "retry_orders" else "devstack.stream_worker"
    return [
        line
        for line in log_lines(stack, logger, since)
        if line["message"] == "invoked" and line["function"] == f"orders-dev-{function}"
    ]


def queue_counts(stack: RunningStack, key: str = "retry_queue_url") -> dict[str, int]:
    names = [f"ApproximateNumberOfMessages{kind}" for kind in ("", "NotVisible", "Delayed")]
    attributes = stack.aws("sqs").get_queue_attributes(QueueUrl=stack.state()[key], AttributeNames=names)
    return {name.removeprefix("ApproximateNumberOf"): int(value) for name, value in attributes["Attributes"].items()}


def wait_drained(stack: RunningStack, timeout_s: float = VISIBILITY_S + 10) -> dict[str, int]:
    """The retry queue's counts once nothing is left on it (or at timeout): a message a
    killed worker held for an order that did finish still comes back once, as a no-op."""
    deadline = time.monotonic() + timeout_s
    counts = queue_counts(stack)
    while sum(counts.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
        counts = queue_counts(stack)
    return counts


def place(stack: RunningStack, prefix: str, count: int, token: str = "tok_visa") -> tuple[Any, list[str]]:
    client = stack.client(f"{prefix}-{uuid.uuid4().hex[:8]}")
    placed = []
    for _ in range(count):
        reply = client.place(order_body(token))
        assert reply.status == 201, reply.body
        placed.append(reply.body["order_id"])
    return client, placed


def assert_confirmed_once(stack: RunningStack, orders: dict[str, dict[str, Any]], placed: list[str]) -> None:
    assert {order_id: orders[order_id]["status"] for order_id in placed} == dict.fromkeys(placed, "CONFIRMED")
    for order_id in placed:
        assert [entry["status"] for entry in orders[order_id]["history"]] == ["PENDING", "PAID", "CONFIRMED"]
    charges = charges_per_order(stack, set(placed))
    assert charges == dict.fromkeys(placed, 1), "every order was charged exactly once"
    payment_ids = [orders[order_id]["payment_id"] for order_id in placed]
    assert len(set(payment_ids)) == len(placed)


def test_orders_placed_during_an_outage_all_confirm_once_it_ends(retry_stack: RunningStack) -> None:
    since = len(retry_stack.output())
    ends = outage(retry_stack, 4)
    client, placed = place(retry_stack, "outage", 8)
    time.sleep(1.5)
    more_client, more = place(retry_stack, "outage-late", 8)
    assert time.time() < ends, "every order was placed during the outage"

    orders = wait_until_final([client, more_client], placed + more, timeout_s=HORIZON_S + 20)
    placed += more
    assert_confirmed_once(retry_stack, orders, placed)
    attempts = sorted(orders[order_id]["attempts"] for order_id in placed)
    print(f"\nfailed attempts per order before it confirmed: {attempts}")
    # A failing record costs the processor about 0.1-0.3 s (the in-process gateway
    # retries), so the last orders may reach it only after the outage: most meet it.
    assert sum(count >= 1 for count in attempts) > len(placed) // 2, attempts

    processor = invocations(retry_stack, "process_orders", since)
    assert processor, "the stream worker processed the orders"
    assert [(line["failures"], line["function_error"]) for line in processor] == [(0, None)] * len(processor), (
        "no stream record was re-sent because the provider failed: the retries went to the queue"
    )
    retried = invocations(retry_stack, "retry_orders", since)
    assert retried and all(line["failures"] == 0 for line in retried)
    assert queue_counts(retry_stack, "dlq_url")["Messages"] == 0
    assert queue_counts(retry_stack, "retry_dlq_url")["Messages"] == 0


def test_a_provider_that_stays_down_fails_the_order_at_the_horizon(retry_stack: RunningStack) -> None:
    client, placed = place(retry_stack, "down", 3, token="tok_down")
    orders = wait_until_final(client, placed, timeout_s=HORIZON_S + 20)
    for order_id in placed:
        order = orders[order_id]
        assert order["status"] == "FAILED", order
        attempts = order["attempts"]
        assert attempts >= 2, "the retry queue tried it again"
        assert order["reason"].startswith(f"gave up after {attempts} attempts"), order["reason"]
        lasted_s = epoch_s(order["history"][-1]["at"]) - epoch_s(order["created_at"])
        assert attempts == MAX_ATTEMPTS or lasted_s >= HORIZON_S, (attempts, lasted_s)
        assert [entry["status"] for entry in order["history"]] == ["PENDING", "FAILED"]
    assert charges_per_order(retry_stack, set(placed)) == {}, "nothing was charged"


def test_a_queue_worker_killed_mid_batch_loses_no_order(retry_stack: RunningStack) -> None:
    """The queue worker is killed (SIGKILL) twice while it holds messages it has not
    deleted. First during an outage, mid-way through retries that fail: it may die
    between storing an attempt and sending that attempt's retry, and the app sends it
    again when the message comes back redelivered. Then after the outage, mid-way
    through a backlog of retries that succeed (it was paused, SIGSTOP, through the rest
    of the outage so that they pile up). What a dead worker held comes back after the
    visibility timeout, for the worker `run` starts instead."""
    since = len(retry_stack.output())
    ends = outage(retry_stack, 6)
    client, placed = place(retry_stack, "killed", 30)
    first = retry_stack.state()["pids"]["retry_worker"]
    held_in_outage = kill_mid_batch(retry_stack, first)
    assert time.time() < ends, "the first kill came during the outage"

    second = ready_worker(retry_stack, replacing=first)
    os.kill(second, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + HORIZON_S + 10
        while time.time() < ends + 1.5 or not backlog_visible(retry_stack, client, placed):
            assert time.monotonic() < deadline, queue_counts(retry_stack)
            time.sleep(0.2)
    finally:
        os.kill(second, signal.SIGCONT)
    time.sleep(0.3)  # into the first batches of the backlog
    held_after = kill_mid_batch(retry_stack, second)

    orders = wait_until_final(client, placed, timeout_s=30)
    assert_confirmed_once(retry_stack, orders, placed)
    restarted = "devstack: the queue worker of retry_orders exited with code -9; restarting it"
    assert retry_stack.output()[since:].count(restarted) == 2
    counts = [count for line in invocations(retry_stack, "retry_orders", since) for count in line["receive_counts"]]
    assert max(counts) >= 2, "what a dead worker held was received again"
    assert wait_drained(retry_stack) == {"Messages": 0, "MessagesNotVisible": 0, "MessagesDelayed": 0}
    print(f"\nkilled holding {held_in_outage} messages, then {held_after}; all {len(placed)} orders confirmed once")


def kill_mid_batch(stack: RunningStack, pid: int, timeout_s: float = 10) -> int:
    """SIGKILL the queue worker `pid` while it holds messages it has not deleted; how many
    it held. It is paused (SIGSTOP) while they are counted, so that it cannot finish the
    batch and delete them between the count and the kill; if it just had, it goes on."""
    deadline = time.monotonic() + timeout_s
    while True:
        assert time.monotonic() < deadline, "the worker never held a message"
        if queue_counts(stack)["MessagesNotVisible"]:
            os.kill(pid, signal.SIGSTOP)
            held = queue_counts(stack)["MessagesNotVisible"]  # no one else takes or returns them this soon
            if held:
                os.kill(pid, signal.SIGKILL)
                return held
            os.kill(pid, signal.SIGCONT)
        time.sleep(0.05)


def ready_worker(stack: RunningStack, replacing: int, timeout_s: float = 20) -> int:
    """The pid of the queue worker `run` started instead of `replacing`, once it polls."""
    deadline = time.monotonic() + timeout_s
    while True:
        pid = int(stack.state()["pids"]["retry_worker"])
        ready = stack.state_dir / "retry_worker.ready"
        if pid != replacing and ready.exists() and ready.read_text() == str(pid):
            return pid
        assert time.monotonic() < deadline, "run restarted the queue worker"
        time.sleep(0.05)


def backlog_visible(stack: RunningStack, client: Any, placed: list[str]) -> bool:
    """Every order has met the outage or is final (the last ones may reach the stream
    worker after it), and their retries wait on the queue, visible: none delayed, none
    held; enough of them for a few batches."""
    counts = queue_counts(stack)
    if counts["Messages"] < 15 or counts["MessagesNotVisible"] or counts["MessagesDelayed"]:
        return False
    orders = [client.get(order_id).body for order_id in placed]
    return all(order["attempts"] >= 1 or order["status"] in FINAL for order in orders)


def test_a_poison_message_ends_in_the_dlq_while_the_others_complete(retry_stack: RunningStack) -> None:
    since = len(retry_stack.output())
    sqs, state = retry_stack.aws("sqs"), retry_stack.state()
    poison_id = sqs.send_message(QueueUrl=state["retry_queue_url"], MessageBody="not a retry {")["MessageId"]
    outage(retry_stack, 2)
    client, placed = place(retry_stack, "beside-poison", 5)

    orders = wait_until_final(client, placed, timeout_s=HORIZON_S + 20)
    assert_confirmed_once(retry_stack, orders, placed)
    deadline, dead = time.monotonic() + MAX_RECEIVE_COUNT * VISIBILITY_S + 20, []
    while not dead and time.monotonic() < deadline:
        dead = sqs.receive_message(QueueUrl=state["retry_dlq_url"], WaitTimeSeconds=1).get("Messages", [])
    assert [(message["MessageId"], message["Body"]) for message in dead] == [(poison_id, "not a retry {")]
    retried = invocations(retry_stack, "retry_orders", since)
    failed_with_it = [line for line in retried if poison_id in line["failed_message_ids"]]
    assert len(failed_with_it) == MAX_RECEIVE_COUNT, "received max_receive_count times, then redriven"
    receive_counts = [line["receive_counts"][line["message_ids"].index(poison_id)] for line in failed_with_it]
    assert receive_counts == list(range(1, MAX_RECEIVE_COUNT + 1))
    assert all(line["failures"] == 1 for line in failed_with_it), "only the poison failed in its batches"


def test_make_outage_switches_the_running_stacks_provider(retry_stack: RunningStack) -> None:
    state_dir = retry_stack.state_dir
    started = make(state_dir, "outage", "SECONDS=30")
    try:
        assert started.returncode == 0, started.stderr
        assert re.fullmatch(r"payments: unavailable for 30 s, until \d\d:\d\d:\d\d\n", started.stdout), started.stdout
        client, placed = place(retry_stack, "make-outage", 2)
        deadline = time.monotonic() + 10
        while not all(client.get(order_id).body["attempts"] >= 2 for order_id in placed):
            assert time.monotonic() < deadline, "the orders are retried while the provider is down"
            time.sleep(0.2)
        assert {client.get(order_id).body["status"] for order_id in placed} == {"PENDING"}
    finally:
        ended = make(state_dir, "outage", "SECONDS=0")
    assert (ended.returncode, ended.stdout) == (0, "payments: outage ended\n"), ended.stderr
    orders = wait_until_final(client, placed, timeout_s=HORIZON_S + 10)
    assert_confirmed_once(retry_stack, orders, placed)


def test_make_outage_without_a_stack_is_one_line(tmp_path: Path) -> None:
    result = make(tmp_path, "outage", "SECONDS=5")
    assert result.returncode != 0
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first == f"make outage: no local stack runs in {tmp_path} (no stack.json); start one with `make run`"


def epoch_s(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
