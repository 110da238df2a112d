"""A reconcile touch writes a stream record that the filter lets through, and the
stream handler then finishes the order."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3

import app
from chalicelib import bootstrap
from chalicelib.domain.clock import utc_now
from chalicelib.domain.commands import ReconcileOrders
from chalicelib.entrypoints.stream import needs_processing
from chalicelib.service_layer.reconcile import reconcile_orders
from tests.support.auth import authorization
from tests.support.orders import order_body
from tests.support.stream_events import lambda_event, read_stream

HEADERS = {"Content-Type": "application/json", "Authorization": authorization("cust-7")}


def test_a_redriven_order_reaches_a_final_state(moto_api: Any, stream_arn: str) -> None:
    order_id = json.loads(moto_api.http.post("/orders", headers=HEADERS, body=json.dumps(order_body())).body)[
        "order_id"
    ]
    streams = boto3.client("dynamodbstreams")
    lost = read_stream(streams, stream_arn)  # pretend these records went to the DLQ

    deps = bootstrap.container().processing
    later = replace(deps, clock=lambda: utc_now() + timedelta(minutes=30))
    assert reconcile_orders(ReconcileOrders(older_than_seconds=900), later).redriven == [order_id]

    fresh = read_stream(streams, stream_arn)[len(lost) :]
    assert [record["eventName"] for record in fresh] == ["MODIFY"]
    assert needs_processing(fresh[0])
    assert app.process_orders(lambda_event(fresh), None) == {"batchItemFailures": []}
    order = json.loads(moto_api.http.get(f"/orders/{order_id}", headers=HEADERS).body)
    assert order["status"] == "CONFIRMED"
