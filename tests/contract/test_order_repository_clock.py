"""One clock: the repository judges idempotency-key expiry by the clock it is given,
the same one the services use, never by the machine's own time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamodb_repository import DynamoDBOrderRepository
from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.exceptions import IdempotencyKeyTaken
from chalicelib.service_layer.ports import IdempotencyRecord, OrderRepository
from tests.conftest import TABLE_NAME
from tests.contract.repository_builders import an_order

PAST = datetime(2001, 1, 1, tzinfo=UTC)  # long expired by the machine's clock


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(PAST)


@pytest.fixture
def repository(table: Any, clock: FixedClock) -> OrderRepository:
    if table is None:
        return InMemoryOrderRepository(clock=clock)
    return DynamoDBOrderRepository(table, TABLE_NAME, clock=clock)


def _record(order_at: datetime, ttl: timedelta, key: str = "k-1") -> IdempotencyRecord:
    order = an_order(at=order_at)
    return IdempotencyRecord(order.customer_id, key, "f1", order, int((order_at + ttl).timestamp()))


def test_a_key_live_by_the_injected_clock_is_found_and_held(repository: OrderRepository, clock: FixedClock) -> None:
    record = _record(PAST, timedelta(hours=24))
    repository.add(record.order, record)

    assert repository.get_idempotency("cust-42", "k-1") == record
    clock.now = PAST + timedelta(hours=23)
    later = _record(clock.now, timedelta(hours=24))
    with pytest.raises(IdempotencyKeyTaken):
        repository.add(later.order, later)


def test_a_key_expired_by_the_injected_clock_is_gone_and_free(repository: OrderRepository, clock: FixedClock) -> None:
    record = _record(PAST, timedelta(hours=24))
    repository.add(record.order, record)

    clock.now = PAST + timedelta(hours=25)
    assert repository.get_idempotency("cust-42", "k-1") is None
    reused = _record(clock.now, timedelta(hours=24))
    repository.add(reused.order, reused)
    assert repository.get_idempotency("cust-42", "k-1") == reused
