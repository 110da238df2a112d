"""The intake API through chalice.test.Client, on the moto-backed table."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from chalicelib.adapters import items
from chalicelib.domain.ids import new_order_id
from tests.conftest import TABLE_NAME
from tests.support.aws_calls import RECORDED
from tests.support.orders import order_body

CUSTOMER = "cust-42"
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


class Api:
    """The test client, checking on every response that the payment token never leaks."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, customer: str | None = CUSTOMER, **kwargs: Any) -> Any:
        headers = {"Content-Type": "application/json"} | kwargs.pop("headers", {})
        if customer is not None:
            headers["X-Customer-Id"] = customer
        response = getattr(self.client.http, method)(path, headers=headers, **kwargs)
        assert b"payment_token" not in response.body and b"tok_visa" not in response.body
        return response

    def create(self, body: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.call("post", "/orders", body=json.dumps(body or order_body()), **kwargs)


@pytest.fixture
def api(moto_api: Any) -> Api:
    return Api(moto_api)


def body_of(response: Any) -> Any:
    return json.loads(response.body)


def items_in(dynamodb: Any) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=TABLE_NAME, ConsistentRead=True)["Items"]


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
def test_a_request_without_x_customer_id_is_401(api: Api, method: str, path: str) -> None:
    order_id = body_of(api.create())["order_id"]
    response = api.call(method, path.format(id=order_id), customer=None, body=json.dumps(order_body()))
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "X-Customer-Id" in body_of(response)["detail"]


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


def test_a_repeated_key_replays_the_first_order_and_creates_nothing(api: Api, dynamodb: Any) -> None:
    first = api.create(headers={"Idempotency-Key": "k-1"})
    count = len(items_in(dynamodb))
    again = api.create(headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert body_of(again) == body_of(first)
    assert len(items_in(dynamodb)) == count


def test_a_replay_ignores_json_formatting(api: Api) -> None:
    first = body_of(api.create(headers={"Idempotency-Key": "k-1"}))
    spaced = api.call("post", "/orders", headers={"Idempotency-Key": "k-1"}, body=json.dumps(order_body(), indent=2))
    assert spaced.headers.get("Idempotent-Replayed") == "true"
    assert body_of(spaced)["order_id"] == first["order_id"]


def test_a_key_reused_with_another_payload_is_422_and_creates_nothing(api: Api, dynamodb: Any) -> None:
    api.create(headers={"Idempotency-Key": "k-1"})
    before = items_in(dynamodb)
    response = api.create(order_body(token="tok_decline"), headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "Idempotency-Key" in body_of(response)["title"]
    assert items_in(dynamodb) == before


def test_the_same_key_from_two_customers_makes_two_orders(api: Api) -> None:
    mine = api.create(headers={"Idempotency-Key": "shared"})
    theirs = api.create(headers={"Idempotency-Key": "shared"}, customer="cust-other")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert body_of(mine)["order_id"] != body_of(theirs)["order_id"]
    assert body_of(theirs)["customer_id"] == "cust-other"


def test_without_a_key_each_post_is_a_new_order(api: Api) -> None:
    assert body_of(api.create())["order_id"] != body_of(api.create())["order_id"]


def test_the_key_record_expires_about_24_hours_ahead(api: Api, dynamodb: Any) -> None:
    api.create(headers={"Idempotency-Key": "k-1"})
    record = dynamodb.get_item(TableName=TABLE_NAME, Key=items.idempotency_key(CUSTOMER, "k-1"))["Item"]
    assert abs(int(record["expires_at"]["N"]) - (time.time() + 24 * 3600)) < 120
    ttl = dynamodb.describe_time_to_live(TableName=TABLE_NAME)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


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


def test_the_order_and_its_key_record_are_written_in_one_transaction(api: Api, dynamodb: Any) -> None:
    with dynamodb_calls(dynamodb) as calls:
        api.create(headers={"Idempotency-Key": "k-1"})
    writes = [(name, params) for name, params in calls if name not in {"GetItem", "Query", "Scan"}]
    assert [name for name, _ in writes] == ["TransactWriteItems"]
    puts = [action["Put"] for action in writes[0][1]["TransactItems"]]
    assert [put["Item"]["entity"]["S"] for put in puts] == ["order", "idempotency"]
    assert all(put["ConditionExpression"].startswith("attribute_not_exists(pk)") for put in puts)
    assert {"order", "idempotency"} == {item["entity"]["S"] for item in items_in(dynamodb)}
    assert any(call.function == "api" and call.operation == "TransactWriteItems" for call in RECORDED)


def test_an_order_without_a_key_is_one_conditional_put(api: Api, dynamodb: Any) -> None:
    with dynamodb_calls(dynamodb) as calls:
        api.create()
    assert [(name, params["ConditionExpression"]) for name, params in calls] == [
        ("PutItem", "attribute_not_exists(pk)")
    ]


def test_an_expired_key_makes_a_new_order(api: Api, dynamodb: Any) -> None:
    first = body_of(api.create(headers={"Idempotency-Key": "k-1"}))
    key = items.idempotency_key(CUSTOMER, "k-1")
    dynamodb.update_item(
        TableName=TABLE_NAME,
        Key=key,
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 60)}},
    )
    again = api.create(headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert body_of(again)["order_id"] != first["order_id"]
