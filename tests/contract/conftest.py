"""Each port's contract runs against the fake and against the DynamoDB adapter on moto."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.dynamodb_repository import DynamoDBOrderRepository
from chalicelib.adapters.ledger import DynamoDBLedger, InMemoryLedger
from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.service_layer.ports import Ledger, OrderRepository
from tests.conftest import TABLE_NAME

BACKENDS = ["memory", "dynamodb"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def table(backend: str, request: pytest.FixtureRequest) -> Any:
    """The moto client with the orders table created, or None for the fakes."""
    if backend == "memory":
        return None
    request.getfixturevalue("stream_arn")
    return request.getfixturevalue("dynamodb")


@pytest.fixture
def repository(table: Any) -> OrderRepository:
    return InMemoryOrderRepository() if table is None else DynamoDBOrderRepository(table, TABLE_NAME)


@pytest.fixture
def ledger(table: Any) -> Ledger:
    return InMemoryLedger() if table is None else DynamoDBLedger(table, TABLE_NAME, ttl_seconds=86_400)
