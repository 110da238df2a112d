"""Helpers for the intake API tests: a test client that checks no response leaks the
payment token, and readers for response bodies, the table and the DynamoDB calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import TABLE_NAME
from tests.support.auth import authorization
from tests.support.orders import order_body

CUSTOMER = "cust-42"


class Api:
    """The test client, checking on every response that the payment token never leaks."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, customer: str | None = CUSTOMER, **kwargs: Any) -> Any:
        headers = {"Content-Type": "application/json"} | kwargs.pop("headers", {})
        if customer is not None:
            headers["Authorization"] = authorization(customer)
        response = getattr(self.client.http, method)(path, headers=headers, **kwargs)
        assert b"payment_token" not in response.body and b"tok_visa" not in response.body
        return response

    def create(self, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.call("post", "/orders", body=json.dumps(body or order_body()), **kwargs)


def body_of(response: Any) -> Any:
    return json.loads(response.body)


def items_in(dynamodb: Any) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=TABLE_NAME, ConsistentRead=True)["Items"]


@contextmanager
def dynamodb_calls(dynamodb: Any) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every call made through the app's client (the same object as the fixture's)."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def spy(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, params))

    dynamodb.meta.events.register("provide-client-params.dynamodb.*", spy)
    try:
        yield calls
    finally:
        dynamodb.meta.events.unregister("provide-client-params.dynamodb.*", spy)
