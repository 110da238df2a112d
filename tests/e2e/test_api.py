"""The API of the running local stack, over HTTP as a user calls it."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from tests.e2e.stack import RunningStack, list_all, wait_until_final
from tests.support.orders import order_body

pytestmark = pytest.mark.e2e


def customer() -> str:
    return f"e2e-{uuid.uuid4().hex[:12]}"


def test_a_posted_order_reads_back_confirmed_within_two_seconds(stack: RunningStack) -> None:
    client = stack.client(customer())
    posted = time.monotonic()
    placed = client.place(order_body("tok_visa"))
    assert placed.status == 201, placed.body
    assert placed.body["status"] == "PENDING"
    status, elapsed = "PENDING", 0.0
    while status != "CONFIRMED" and elapsed < 2.0:
        time.sleep(0.05)
        reply = client.get(placed.body["order_id"])
        assert reply.status == 200, reply.body
        status, elapsed = reply.body["status"], time.monotonic() - posted
    print(f"POST -> GET shows {status} after {elapsed * 1000:.0f} ms")
    assert status == "CONFIRMED"
    assert elapsed < 2.0


def test_a_replayed_idempotency_key_gives_one_order(stack: RunningStack) -> None:
    client = stack.client(customer())
    key = f"key-{uuid.uuid4()}"
    first = client.place(order_body("tok_visa"), idempotency_key=key)
    second = client.place(order_body("tok_visa"), idempotency_key=key)
    assert (first.status, second.status) == (201, 201)
    assert first.header("Idempotent-Replayed") is None
    assert second.header("Idempotent-Replayed") == "true"
    assert second.body["order_id"] == first.body["order_id"]
    orders = wait_until_final(client, [first.body["order_id"]], timeout_s=10)
    assert list(orders) == [first.body["order_id"]]
    assert orders[first.body["order_id"]]["status"] == "CONFIRMED"
    charges = stack.aws("dynamodb").scan(
        TableName="orders-dev",
        FilterExpression="begins_with(pk, :charge)",
        ExpressionAttributeValues={":charge": {"S": f"LEDGER#charge#charge-{first.body['order_id']}"}},
    )["Items"]
    assert len(charges) == 1


def test_32_concurrent_clients_each_get_their_own_response(stack: RunningStack) -> None:
    clients = [stack.client(customer()) for _ in range(32)]
    start = threading.Barrier(len(clients))
    replies: dict[int, Any] = {}

    def place(index: int) -> None:
        body = order_body("tok_visa", items=[{"sku": f"SKU-{index}", "quantity": index + 1, "unit_price": 100}])
        start.wait()
        replies[index] = clients[index].place(body)

    threads = [threading.Thread(target=place, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(replies) == list(range(32)), "every client got an answer"
    for index, reply in replies.items():
        assert reply.status == 201, reply.body
        assert reply.body["customer_id"] == clients[index].customer_id
        assert reply.body["items"] == [{"sku": f"SKU-{index}", "quantity": index + 1, "unit_price": 100}]
        assert reply.header("Location") == f"/orders/{reply.body['order_id']}"
    assert len({reply.body["order_id"] for reply in replies.values()}) == 32
    for index, client in enumerate(clients):
        assert list(list_all(client)) == [replies[index].body["order_id"]], "each customer sees only its order"
