"""The stream side under failure: a worker killed mid-run, and a poison record."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid
from collections import Counter
from typing import Any

import pytest

from tests.e2e.conftest import TEST_RETRY_CAP
from tests.e2e.stack import FINAL, RunningStack, list_all, wait_until_final
from tests.support.orders import order_body

pytestmark = pytest.mark.e2e


def charges_per_order(stack: RunningStack, order_ids: set[str]) -> Counter[str]:
    """Ledger charge entries, counted per order, read straight from the moto table."""
    dynamodb, counts = stack.aws("dynamodb"), Counter[str]()
    pages = dynamodb.get_paginator("scan").paginate(
        TableName="orders-dev",
        FilterExpression="begins_with(pk, :charge)",
        ExpressionAttributeValues={":charge": {"S": "LEDGER#charge#"}},
    )
    for page in pages:
        for item in page["Items"]:
            order_id = item["pk"]["S"].removeprefix("LEDGER#charge#charge-")
            if order_id in order_ids:
                counts[order_id] += 1
    return counts


def test_a_worker_killed_mid_run_loses_no_order_and_charges_none_twice(stack: RunningStack) -> None:
    client = stack.client(f"kill-{uuid.uuid4().hex[:8]}")
    placed: list[str] = []

    def post(count: int) -> None:
        for _ in range(count):
            reply = client.place(order_body("tok_visa"))
            assert reply.status == 201, reply.body
            placed.append(reply.body["order_id"])

    poster = threading.Thread(target=post, args=(60,))
    poster.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        statuses = [order["status"] for order in list_all(client).values()]
        if sum(status in FINAL for status in statuses) >= 5 and any(s not in FINAL for s in statuses):
            break
        time.sleep(0.02)
    killed = stack.state()["pids"]["worker"]
    os.kill(killed, signal.SIGKILL)
    in_flight = sum(order["status"] not in FINAL for order in list_all(client).values())
    poster.join(timeout=60)
    while stack.state()["pids"]["worker"] == killed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stack.state()["pids"]["worker"] != killed, "run restarts the worker"
    assert in_flight > 0, "the worker was killed with orders still in flight"

    orders = wait_until_final(client, placed, timeout_s=60)
    assert len(placed) == 60
    assert {order_id: orders[order_id]["status"] for order_id in placed} == dict.fromkeys(placed, "CONFIRMED")
    charges = charges_per_order(stack, set(placed))
    assert set(charges) == set(placed), "every order was charged"
    assert set(charges.values()) == {1}, "no order was charged twice"
    for order_id in placed:
        assert [entry["status"] for entry in orders[order_id]["history"]] == ["PENDING", "PAID", "CONFIRMED"]


def dead_letters(stack: RunningStack, timeout_s: float, queue_key: str = "dlq_url") -> list[dict[str, Any]]:
    sqs, deadline = stack.aws("sqs"), time.monotonic() + timeout_s
    found: list[dict[str, Any]] = []
    queue = stack.state()[queue_key]
    while not found and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        found += [json.loads(message["Body"]) for message in messages]
    return found


def stream_record_at(stack: RunningStack, shard_id: str, sequence_number: str) -> dict[str, Any]:
    streams, stream_arn = stack.aws("dynamodbstreams"), stack.state()["stream_arn"]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=sequence_number
    )["ShardIterator"]
    record: dict[str, Any] = streams.get_records(ShardIterator=iterator, Limit=1)["Records"][0]
    return record


def test_a_poison_record_ends_in_the_dlq_while_the_orders_behind_it_complete(stack: RunningStack) -> None:
    poison_key = f"ORDER#poison-{uuid.uuid4().hex}"
    stack.aws("dynamodb").put_item(
        TableName="orders-dev",
        Item={
            "pk": {"S": poison_key},
            "sk": {"S": "ORDER"},
            "entity": {"S": "order"},
            "status": {"S": "PENDING"},
            "written_by": {"S": "intake"},
            "note": {"S": "no order_id, no order shape"},
        },
    )
    client = stack.client(f"poison-{uuid.uuid4().hex[:8]}")
    behind = [client.place(order_body("tok_visa")).body["order_id"] for _ in range(5)]

    messages = dead_letters(stack, timeout_s=30)
    assert len(messages) == 1, messages
    message = messages[0]
    info = message["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1, "the poison record is dead-lettered alone"
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert info["streamArn"] == stack.state()["stream_arn"]
    record = stream_record_at(stack, info["shardId"], info["startSequenceNumber"])
    assert record["dynamodb"]["Keys"]["pk"]["S"] == poison_key
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["approximateInvokeCount"] >= TEST_RETRY_CAP + 1
    assert message["requestContext"]["functionArn"].endswith(":function:orders-dev-process_orders")
    assert message["version"] == "1.0"
    assert message["responseContext"]["statusCode"] == 200

    orders = wait_until_final(client, behind, timeout_s=30)
    assert [orders[order_id]["status"] for order_id in behind] == ["CONFIRMED"] * 5

    # The outbox publisher's mapping on the same stream isolates it too, into its own DLQ...
    (published,) = dead_letters(stack, timeout_s=30, queue_key="events_dlq_url")
    assert published["requestContext"]["functionArn"].endswith(":function:orders-dev-publish_order_events")
    assert published["DDBStreamBatchInfo"]["batchSize"] == 1
    assert published["DDBStreamBatchInfo"]["startSequenceNumber"] == info["startSequenceNumber"]
    # ...and the orders behind it are announced: three events each.
    names = events_of(stack, client.customer_id or "", count=15, timeout_s=20)
    assert [names.get(order_id) for order_id in behind] == [["OrderPlaced", "OrderPaid", "OrderConfirmed"]] * 5


def events_of(stack: RunningStack, customer_id: str, count: int, timeout_s: float) -> dict[str, list[str]]:
    """The customer's event names per order, taken from the stack's events queue."""
    from devstack.events import take

    sqs, queue = stack.aws("sqs"), stack.state()["events_queue_url"]
    names: dict[str, list[str]] = {}
    deadline = time.monotonic() + timeout_s
    while sum(map(len, names.values())) < count and time.monotonic() < deadline:
        for envelope in take(sqs, queue, wait_s=1):
            if envelope["detail"]["customer_id"] == customer_id:
                names.setdefault(envelope["detail"]["order_id"], []).append(envelope["detail-type"])
    return names
