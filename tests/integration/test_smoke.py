"""The intake-to-final-state path through the Chalice app on moto."""

from __future__ import annotations

import json
from typing import Any

import app
from tests.support.auth import authorization
from tests.support.aws_calls import RECORDED
from tests.support.orders import order_body
from tests.support.stream_events import lambda_event, read_stream

HEADERS = {"Content-Type": "application/json", "Authorization": authorization("cust-42")}


def test_an_approved_order_is_confirmed_by_the_stream_handler(moto_api: Any, dynamodb: Any, stream_arn: str) -> None:
    import boto3

    created = moto_api.http.post("/orders", headers=HEADERS, body=json.dumps(order_body()))
    assert created.status_code == 201
    order_id = json.loads(created.body)["order_id"]

    records = read_stream(boto3.client("dynamodbstreams"), stream_arn)
    assert app.process_orders(lambda_event(records), None) == {"batchItemFailures": []}

    order = json.loads(moto_api.http.get(f"/orders/{order_id}", headers=HEADERS).body)
    assert order["status"] == "CONFIRMED"
    assert [entry["status"] for entry in order["history"]] == ["PENDING", "PAID", "CONFIRMED"]
    assert {(call.function, call.operation) for call in RECORDED} >= {("api", "PutItem"), ("stream", "GetItem")}
