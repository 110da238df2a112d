"""Every kind of bad input in the issue gets a 4xx problem document that names the
field, never a 5xx, and leaves the table exactly as it was."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.ids import new_order_id
from chalicelib.settings import Settings
from tests.conftest import TABLE_NAME
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


def cursor(text: str) -> str:
    return "/orders?cursor=" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


ULID = new_order_id()
CASES: dict[str, Any] = {
    "invalid-json": post(400, "JSON", '{"currency": "EUR",'),
    "empty-body": post(400, "JSON", ""),
    "trailing-garbage": post(400, "JSON", VALID + "x"),
    "body-list": post(400, "object", "[]"),
    "body-string": post(400, "object", '"order"'),
    "body-number": post(400, "object", "42"),
    "body-null": post(400, "object", "null"),
    "content-type-text": post(415, "Content-Type", Content_Type="text/plain"),
    "content-type-form": post(415, "Content-Type", Content_Type="application/x-www-form-urlencoded"),
    "content-type-missing": Case(415, "Content-Type", VALID, headers={"Content-Type": None}),
    "content-type-empty": post(415, "Content-Type", Content_Type=""),
    "missing-currency": post(422, "currency", body_with(currency=REMOVE)),
    "missing-items": post(422, "items", body_with(items=REMOVE)),
    "missing-address": post(422, "shipping_address", body_with(shipping_address=REMOVE)),
    "missing-token": post(422, "payment_token", body_with(payment_token=REMOVE)),
    "missing-city": post(422, "shipping_address.city", body_with(shipping_address__city=REMOVE)),
    "missing-sku": post(422, "items[0].sku", body_with(items__0__sku=REMOVE)),
    "extra-total": post(422, "total", body_with(total=1)),
    "extra-status": post(422, "status", body_with(status="CONFIRMED")),
    "extra-in-line": post(422, "items[0].discount", body_with(items__0__discount=5)),
    "extra-in-address": post(422, "shipping_address.state", body_with(shipping_address__state="X")),
    "quantity-string": post(422, "items[0].quantity", body_with(items__0__quantity="2")),
    "quantity-float": post(422, "items[0].quantity", body_with(items__0__quantity=2.0)),
    "quantity-bool": post(422, "items[0].quantity", body_with(items__0__quantity=True)),
    "price-float": post(422, "items[0].unit_price", body_with(items__0__unit_price=19.99)),
    "items-object": post(422, "items", body_with(items=LINE)),
    "address-string": post(422, "shipping_address", body_with(shipping_address="1 Main St")),
    "currency-number": post(422, "currency", body_with(currency=978)),
    "quantity-0": post(422, "items[0].quantity", body_with(items__0__quantity=0)),
    "quantity-negative": post(422, "items[0].quantity", body_with(items__0__quantity=-1)),
    "quantity-1001": post(422, "items[0].quantity", body_with(items__0__quantity=1001)),
    "no-lines": post(422, "items", body_with(items=[])),
    "101-lines": post(422, "items", body_with(items=[LINE] * 101)),
    "price-negative": post(422, "items[0].unit_price", body_with(items__0__unit_price=-1)),
    "price-over-1e10": post(422, "items[0].unit_price", body_with(items__0__unit_price=10**10 + 1)),
    "price-2-to-70": post(422, "items[0].unit_price", body_with(items__0__unit_price=2**70)),
    "currency-EUR1": post(422, "currency", body_with(currency="EUR1")),
    "currency-XYZ": post(422, "currency", body_with(currency="XYZ")),
    "currency-lowercase": post(422, "currency", body_with(currency="eur")),
    "country-UK": post(422, "shipping_address.country", body_with(shipping_address__country="UK")),
    "country-lowercase": post(422, "shipping_address.country", body_with(shipping_address__country="gb")),
    "country-alpha-3": post(422, "shipping_address.country", body_with(shipping_address__country="GBR")),
    "empty-currency": post(422, "currency", body_with(currency="")),
    "empty-name": post(422, "shipping_address.name", body_with(shipping_address__name="")),
    "blank-name": post(422, "shipping_address.name", body_with(shipping_address__name="   ")),
    "empty-line2": post(422, "shipping_address.line2", body_with(shipping_address__line2="")),
    "empty-sku": post(422, "items[0].sku", body_with(items__0__sku="")),
    "empty-token": post(422, "payment_token", body_with(payment_token="")),
    "name-201": post(422, "shipping_address.name", body_with(shipping_address__name="N" * 201)),
    "sku-65": post(422, "items[0].sku", body_with(items__0__sku="S" * 65)),
    "postal-code-21": post(422, "shipping_address.postal_code", body_with(shipping_address__postal_code="P" * 21)),
    "token-256": post(422, "payment_token", body_with(payment_token="t" * 256)),
    "name-nul": post(422, "shipping_address.name", body_with(shipping_address__name="Ada\u0000")),
    "city-newline": post(422, "shipping_address.city", body_with(shipping_address__city="Lon\ndon")),
    "name-c1-control": post(422, "shipping_address.name", body_with(shipping_address__name="Ada\u009f")),
    "city-tab": post(422, "shipping_address.city", body_with(shipping_address__city="\tLondon")),
    "body-over-64KiB": post(413, "body", body_with(shipping_address__name="N" * 66_000)),
    "nested-100000": post(413, "body", "[" * 100_000),
    "nested-under-limit": post(400, "JSON", '{"items": ' + "[" * 30_000 + "]" * 30_000 + "}"),
    "quantity-NaN": post(422, "items[0].quantity", VALID.replace('"quantity": 2', '"quantity": NaN')),
    "price-Infinity": post(422, "items[0].unit_price", VALID.replace("1999", "Infinity")),
    "price-minus-Infinity": post(422, "items[0].unit_price", VALID.replace("1999", "-Infinity")),
    "get-id-abc": get("/orders/abc", 400, "order_id"),
    "get-id-traversal": get("/orders/..%2Fetc", 400, "order_id"),
    "get-id-27-chars": get(f"/orders/{ULID}0", 400, "order_id"),
    "get-id-lowercase": get(f"/orders/{ULID.lower()}", 400, "order_id"),
    "cancel-id-abc": Case(400, "order_id", method="post", path="/orders/abc/cancel"),
    "cancel-id-traversal": Case(400, "order_id", method="post", path="/orders/..%2Fetc/cancel"),
    "cancel-id-27-chars": Case(400, "order_id", method="post", path=f"/orders/{ULID}0/cancel"),
    "cancel-id-lowercase": Case(400, "order_id", method="post", path=f"/orders/{ULID.lower()}/cancel"),
    "cursor-not-base64": get("/orders?cursor=not-base64!", 400, "cursor"),
    "cursor-junk": get(cursor("junk"), 400, "cursor"),
    "cursor-bad-id": get(cursor("v1:abc"), 400, "cursor"),
    "cursor-no-prefix": get(cursor(ULID), 400, "cursor"),
    "cursor-id-newline": get(cursor(f"v1:{ULID}\n"), 400, "cursor"),
    "limit-0": get("/orders?limit=0", 400, "limit"),
    "limit-101": get("/orders?limit=101", 400, "limit"),
    "limit-abc": get("/orders?limit=abc", 400, "limit"),
    "limit-negative": get("/orders?limit=-1", 400, "limit"),
    "limit-superscript": get("/orders?limit=²", 400, "limit"),
    "unknown-parameter": get("/orders?limt=5", 400, "limt"),
    "key-empty": post(400, "Idempotency-Key", Idempotency_Key=""),
    "key-256": post(400, "Idempotency-Key", Idempotency_Key="k" * 256),
    "key-non-ascii": post(400, "Idempotency-Key", Idempotency_Key="ключ"),
    "key-control": post(400, "Idempotency-Key", Idempotency_Key="a\x01b"),
    "key-newline": post(400, "Idempotency-Key", Idempotency_Key="key\n"),
    "customer-65": post(400, "X-Customer-Id", X_Customer_Id="c" * 65),
    "customer-space": post(400, "X-Customer-Id", X_Customer_Id="cust 42"),
    "customer-unicode": post(400, "X-Customer-Id", X_Customer_Id="cüst"),
    "customer-empty": post(401, "X-Customer-Id", X_Customer_Id=""),
    "list-customer-unicode": get("/orders", 400, "X-Customer-Id", X_Customer_Id="cüst"),
    "customer-newline": post(400, "X-Customer-Id", X_Customer_Id="cust-42\n"),
}


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Any, Any]]:
    """One moto table for the whole table of cases: each case checks it left it unchanged."""
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
            with Client(app.app) as client:
                headers = {"Content-Type": "application/json", "X-Customer-Id": CUSTOMER, "Idempotency-Key": "seed"}
                assert client.http.post("/orders", headers=headers, body=VALID).status_code == 201
                yield client, dynamodb
        finally:
            bootstrap.use_container(None)


def snapshot(dynamodb: Any) -> list[dict[str, Any]]:
    found = dynamodb.scan(TableName=TABLE_NAME, ConsistentRead=True)["Items"]
    return sorted(found, key=lambda item: item["pk"]["S"])


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_a_4xx_problem_naming_the_field_and_stores_nothing(stack: tuple[Any, Any], case: Case) -> None:
    client, dynamodb = stack
    before = snapshot(dynamodb)
    headers = {"Content-Type": "application/json", "X-Customer-Id": CUSTOMER} | case.headers
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
