"""The intake API through chalice.test.Client, on the moto-backed table: create, read, list, cancel."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib.adapters import items
from chalicelib.domain.ids import new_order_id
from tests.conftest import TABLE_NAME
from tests.integration.intake_client import CUSTOMER, Api, body_of, items_in
from tests.support.orders import order_body

ISSUE_FIELDS = {
    "order_id",
    "customer_id",
    "status",
    "currency",
    "items",
    "total",
    "shipping_address",
    "created_at",
    "updated_at",
    "history",
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def api(moto_api: Any) -> Api:
    return Api(moto_api)


def test_create_answers_201_with_the_order_and_its_location(api: Api) -> None:
    response = api.create()
    order = body_of(response)
    assert response.status_code == 201
    assert response.headers["Location"] == f"/orders/{order['order_id']}"
    assert "Idempotent-Replayed" not in response.headers
    # `attempts` is the only field beyond the issue's listed shape; the token is never echoed
    assert set(order) == ISSUE_FIELDS | {"attempts"}
    request = order_body()
    assert (order["customer_id"], order["status"], order["currency"]) == (CUSTOMER, "PENDING", "EUR")
    assert order["items"] == request["items"]
    assert order["total"] == 2 * 1999
    assert order["shipping_address"] == request["shipping_address"]
    assert TIMESTAMP.match(order["created_at"])
    assert order["updated_at"] == order["created_at"]
    assert order["history"] == [{"status": "PENDING", "at": order["created_at"]}]


def test_the_total_is_computed_by_the_server_over_every_line(api: Api) -> None:
    lines = [{"sku": f"SKU-{n}", "quantity": n, "unit_price": 10_000_000_000} for n in range(1, 101)]
    order = body_of(api.create(order_body(items=lines)))
    assert order["total"] == 5050 * 10_000_000_000
    assert isinstance(order["total"], int)


def test_a_created_order_reads_back_unchanged(api: Api, dynamodb: Any) -> None:
    created = body_of(api.create())
    read = api.call("get", f"/orders/{created['order_id']}")
    assert read.status_code == 200
    assert body_of(read) == created
    stored = dynamodb.get_item(TableName=TABLE_NAME, Key=items.order_key(created["order_id"]))["Item"]
    assert stored["payment_token"] == {"S": "tok_visa"}, "the store keeps it for processing"


def test_list_pages_newest_first_with_an_opaque_cursor(api: Api) -> None:
    ids = [body_of(api.create())["order_id"] for _ in range(5)]
    api.create(customer="cust-other")
    seen, pages, path = [], 0, "/orders?limit=2"
    while True:
        page = body_of(api.call("get", path))
        pages += 1
        seen += [order["order_id"] for order in page["orders"]]
        assert all("payment_token" not in order for order in page["orders"])
        if page["next_cursor"] is None:
            break
        path = f"/orders?limit=2&cursor={page['next_cursor']}"
    assert seen == sorted(ids, reverse=True)
    assert pages == 3


def test_list_defaults_to_20_and_ends_with_a_null_cursor(api: Api) -> None:
    for _ in range(3):
        api.create()
    page = body_of(api.call("get", "/orders"))
    assert (len(page["orders"]), page["next_cursor"]) == (3, None)
    assert body_of(api.call("get", "/orders", customer="cust-new")) == {"orders": [], "next_cursor": None}


def test_cancel_moves_pending_to_cancelled_and_a_second_cancel_is_409(api: Api) -> None:
    order_id = body_of(api.create())["order_id"]
    cancelled = api.call("post", f"/orders/{order_id}/cancel")
    assert cancelled.status_code == 200
    assert body_of(cancelled)["status"] == "CANCELLED"
    assert [entry["status"] for entry in body_of(cancelled)["history"]] == ["PENDING", "CANCELLED"]
    again = api.call("post", f"/orders/{order_id}/cancel")
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"
    assert body_of(again)["current_status"] == "CANCELLED"
    assert "CANCELLED" in body_of(again)["detail"]
    assert body_of(api.call("get", f"/orders/{order_id}"))["status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/orders"), ("get", "/orders"), ("get", "/orders/{id}"), ("post", "/orders/{id}/cancel")],
)
def test_a_request_without_a_token_is_401(api: Api, method: str, path: str) -> None:
    order_id = body_of(api.create())["order_id"]
    response = api.call(method, path.format(id=order_id), customer=None, body=json.dumps(order_body()))
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "Authorization" in body_of(response)["detail"]


@pytest.mark.parametrize("path", ["/orders/{id}", "/orders/{id}/cancel"])
@pytest.mark.parametrize("whose", ["unknown-id", "other-customer"])
def test_unknown_and_other_customers_orders_are_404(api: Api, dynamodb: Any, path: str, whose: str) -> None:
    theirs = body_of(api.create(customer="cust-other"))["order_id"]
    order_id = theirs if whose == "other-customer" else new_order_id()
    before = items_in(dynamodb)
    response = api.call("post" if path.endswith("cancel") else "get", path.format(id=order_id))
    assert response.status_code == 404
    assert body_of(response)["status"] == 404
    assert items_in(dynamodb) == before


def test_health_is_200_without_identity(api: Api) -> None:
    response = api.call("get", "/health", customer=None)
    assert (response.status_code, body_of(response)) == (200, {"status": "ok"})
