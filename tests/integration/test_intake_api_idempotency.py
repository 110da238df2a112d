"""Idempotency-Key on the intake API, on the moto-backed table: replays, conflicts, expiry, writes."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chalicelib.adapters import items
from tests.conftest import TABLE_NAME
from tests.integration.intake_client import CUSTOMER, Api, body_of, dynamodb_calls, items_in
from tests.support.aws_calls import RECORDED
from tests.support.orders import order_body


@pytest.fixture
def api(moto_api: Any) -> Api:
    return Api(moto_api)


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
