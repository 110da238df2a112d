"""50 concurrent requests with one Idempotency-Key against the DynamoDB adapter (moto)
make exactly one order, and every caller is told about that one order.

chalice.test.Client shares one `app.current_request` between threads (chalice#759), so
the threads call the service the route calls, with the command the route would build.

moto's in-process TransactWriteItems is not thread-safe: it checks conditions without a
lock and a cancelled transaction restores a snapshot of the whole table, erasing what
another thread committed meanwhile. DynamoDB makes each request atomic, so the test
does the same for moto: one request at a time, while requests of different threads
still interleave freely between calls (the race the service must survive).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from chalice.app import Request
from moto.dynamodb.responses import DynamoHandler

from chalicelib.bootstrap import Container
from chalicelib.domain.commands import PlaceOrder
from chalicelib.domain.models import Order
from chalicelib.entrypoints import http
from chalicelib.exceptions import IdempotencyKeyTaken
from chalicelib.service_layer import intake
from chalicelib.service_layer.intake import IntakeDeps, PlacedOrder
from chalicelib.service_layer.ports import IdempotencyRecord, OrderRepository
from tests.conftest import TABLE_NAME
from tests.support.orders import order_body

THREADS = 50


def keyed_request(key: str) -> Request:
    headers = {"content-type": "application/json", "idempotency-key": key}
    return Request(
        {
            "multiValueQueryStringParameters": None,
            "headers": headers,
            "pathParameters": None,
            "requestContext": {
                "httpMethod": "POST",
                "resourcePath": "/orders",
                "authorizer": {"claims": {"sub": "cust-42"}, "scopes": None},  # as the JWT authorizer leaves them
            },
            "body": json.dumps(order_body()),
            "stageVariables": None,
        }
    )


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    lock = threading.Lock()
    handle = DynamoHandler.call_action

    def call_action(self: DynamoHandler) -> Any:
        with lock:
            return handle(self)

    monkeypatch.setattr(DynamoHandler, "call_action", call_action)
    yield


def entities(dynamodb: Any) -> list[str]:
    found = dynamodb.scan(TableName=TABLE_NAME, ConsistentRead=True)["Items"]
    return sorted(item["entity"]["S"] for item in found)


class ReadsBeforeWrites:
    """The adapter, but each thread's first key lookup waits until every thread has
    looked: all of them miss the key and race to write it, the worst interleaving."""

    def __init__(self, repository: OrderRepository, threads: int) -> None:
        self._repository = repository
        self._all_looked = threading.Barrier(threads)
        self._thread = threading.local()
        self.transactions_lost = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repository, name)

    def get_idempotency(self, customer_id: str, key: str) -> IdempotencyRecord | None:
        found = self._repository.get_idempotency(customer_id, key)
        if not getattr(self._thread, "looked", False):
            self._thread.looked = True
            self._all_looked.wait(timeout=30)
        return found

    def add(self, order: Order, idempotency: IdempotencyRecord | None = None) -> None:
        try:
            self._repository.add(order, idempotency)
        except IdempotencyKeyTaken:
            self.transactions_lost += 1
            raise


def place_concurrently(deps: IntakeDeps, command: PlaceOrder) -> list[PlacedOrder]:
    start = threading.Barrier(THREADS)

    def post() -> PlacedOrder:
        start.wait(timeout=30)  # release every thread at once
        return intake.place_order(command, deps)

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return [future.result(timeout=60) for future in [pool.submit(post) for _ in range(THREADS)]]


def keyed_command(container: Container) -> PlaceOrder:
    request = keyed_request("one-key-for-all")
    return http.place_order_command(request, http.customer_id(request), container.settings.max_body_bytes)


def assert_one_order_for_all(placed: list[PlacedOrder], dynamodb: Any) -> None:
    assert len({result.order.order_id for result in placed}) == 1
    assert sorted(result.replayed for result in placed) == [False] + [True] * (THREADS - 1)
    assert entities(dynamodb) == ["idempotency", "order"]
    assert {http.created(result).headers["Location"] for result in placed} == {f"/orders/{placed[0].order.order_id}"}


def test_fifty_concurrent_posts_with_one_key_make_one_order(
    moto_container: Container, dynamodb: Any, atomic_requests: None
) -> None:
    placed = place_concurrently(moto_container.intake, keyed_command(moto_container))
    assert_one_order_for_all(placed, dynamodb)


def test_fifty_posts_that_all_miss_the_key_still_make_one_order(
    moto_container: Container, dynamodb: Any, atomic_requests: None
) -> None:
    racing = ReadsBeforeWrites(moto_container.intake.repository, THREADS)
    placed = place_concurrently(replace(moto_container.intake, repository=racing), keyed_command(moto_container))
    assert racing.transactions_lost == THREADS - 1, "every thread but one raced the winner to the write"
    assert_one_order_for_all(placed, dynamodb)
