"""Shared by the bad-input tables: the Case shape and its builders, one moto-backed app
per module, and the check that a case gets a 4xx problem document and stores nothing."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from chalicelib import bootstrap
from chalicelib.settings import Settings
from tests.conftest import TABLE_NAME
from tests.support.auth import authorization, verify_tokens
from tests.support.orders import order_body

CUSTOMER = "cust-42"
PROBLEM_JSON = "application/problem+json"
REMOVE = object()


@dataclass(frozen=True)
class Case:
    status: int
    names: str  # an errors[].field, or else a word the detail must contain
    body: str = ""
    method: str = "post"
    path: str = "/orders"
    headers: dict[str, str | None] = field(default_factory=dict)  # None removes a default header


def body_with(**changes: Any) -> str:
    """The valid order with changes at paths written `items__0__quantity`; REMOVE deletes."""
    body = copy.deepcopy(order_body())
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target: Any = body
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if value is REMOVE:
            del target[key]
        else:
            target[key] = value
    return json.dumps(body)


VALID = body_with()
LINE = {"sku": "SKU-1", "quantity": 1, "unit_price": 1}


def post(status: int, names: str, body: str = VALID, **headers: str) -> Case:
    return Case(status, names, body, headers=header_names(headers))


def get(path: str, status: int, names: str, **headers: str) -> Case:
    return Case(status, names, method="get", path=path, headers=header_names(headers))


def header_names(headers: dict[str, str]) -> dict[str, str | None]:
    return {name.replace("_", "-"): value for name, value in headers.items()}


@contextmanager
def moto_stack() -> Iterator[tuple[Any, Any]]:
    """A moto table with one seeded order, and a test client for the app on it."""
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    import app
    from devstack.provision import create_table

    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        create_table(dynamodb, TABLE_NAME)
        bootstrap.use_container(bootstrap.build_container(Settings(orders_table=TABLE_NAME), dynamodb))
        try:
            with Client(app.app) as unverified:
                client = verify_tokens(unverified, app.app)
                headers = {
                    "Content-Type": "application/json",
                    "Authorization": authorization(CUSTOMER),
                    "Idempotency-Key": "seed",
                }
                assert client.http.post("/orders", headers=headers, body=VALID).status_code == 201
                yield client, dynamodb
        finally:
            bootstrap.use_container(None)


def snapshot(dynamodb: Any) -> list[dict[str, Any]]:
    found = dynamodb.scan(TableName=TABLE_NAME, ConsistentRead=True)["Items"]
    return sorted(found, key=lambda item: item["pk"]["S"])


def check_refused(client: Any, dynamodb: Any, case: Case) -> None:
    """The case gets a 4xx problem document naming the field, and the table is unchanged."""
    before = snapshot(dynamodb)
    headers = {"Content-Type": "application/json", "Authorization": authorization(CUSTOMER)} | case.headers
    sent = {name: value for name, value in headers.items() if value is not None}
    response = getattr(client.http, case.method)(case.path, headers=sent, body=case.body)

    assert response.status_code < 500, response.body
    assert response.status_code == case.status, response.body
    assert response.headers["Content-Type"] == PROBLEM_JSON
    text = response.body.decode()
    assert "Traceback" not in text and 'File "' not in text
    problem = json.loads(text)
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == response.status_code
    assert all(isinstance(problem[name], str) and problem[name] for name in ("type", "title", "detail"))
    named = [error["field"] for error in problem.get("errors", [])]
    assert case.names in named or case.names in problem["detail"], problem
    assert snapshot(dynamodb) == before
