"""What reaches the service from moto's real stream, how the stream Lambda is invoked,
and racing deliveries against DynamoDB's conditional writes."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from chalicelib.adapters import items
from chalicelib.bootstrap import Container
from chalicelib.domain import state_machine
from chalicelib.domain.commands import ProcessOrder
from chalicelib.domain.models import OrderStatus
from chalicelib.entrypoints import stream
from chalicelib.service_layer import intake, processing
from tests.conftest import TABLE_NAME
from tests.integration.processing_support import CUSTOMER, HEADERS, QueueTail, StreamTail, deliver, place, stored
from tests.support.stream_events import Record, lambda_event, read_stream
from tests.unit.processing_doubles import intercept_ports, place_order_command

S = OrderStatus


def test_records_needing_no_work_never_reach_the_service(
    moto_api: Any, moto_container: Container, dynamodb: Any, stream_arn: str
) -> None:
    tail = StreamTail(stream_arn)
    placed = [place(moto_api, "tok_visa", idempotency_key="key-1"), place(moto_api, "tok_flaky")]
    placed += [place(moto_api, "tok_visa", "AQ"), place(moto_api, "tok_decline"), place(moto_api)]
    assert moto_api.http.post(f"/orders/{placed[-1]}/cancel", headers=HEADERS).status_code == 200
    assert deliver(tail.new_records()) == []
    touched = stored(moto_container, place(moto_api))
    repository = moto_container.processing.repository
    repository.save(state_machine.amend(touched, touched.updated_at), expected=touched, written_by="reconcile")
    dynamodb.delete_item(TableName=TABLE_NAME, Key=items.idempotency_key(CUSTOMER, "key-1"))
    everything = read_stream(boto3.client("dynamodbstreams"), stream_arn)
    handled: list[str] = []

    response = stream.process_batch(everything, lambda command: handled.append(command.order_id))

    assert response == {"batchItemFailures": []}
    assert handled == [*placed, touched.order_id, touched.order_id], "each INSERT, then the reconcile touch"
    kinds = {(r["eventName"], _attribute(r, "entity"), _attribute(r, "written_by")) for r in everything}
    assert {
        ("MODIFY", "order", "processor"),
        ("MODIFY", "order", "customer"),
        ("INSERT", "idempotency", None),
        ("INSERT", "ledger", None),
        ("MODIFY", "ledger", None),
        ("REMOVE", None, None),
    } <= kinds, "every kind of record that needs no work was in the batch"


def _attribute(record: Record, name: str) -> str | None:
    value = record["dynamodb"].get("NewImage", {}).get(name)
    return value["S"] if value else None


def test_the_stream_lambda_works_in_a_process_that_served_no_http(
    moto_container: Container, stream_arn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalice.test import Client

    import app

    monkeypatch.delattr(app.app, "lambda_context", raising=False)  # as in a fresh stream Lambda
    order = intake.place_order(place_order_command(), moto_container.intake).order
    records = StreamTail(stream_arn).new_records()

    with Client(app.app) as client:
        response = client.lambda_.invoke("process_orders", lambda_event(records))

    assert response.payload == {"batchItemFailures": []}
    assert stored(moto_container, order.order_id).status is S.CONFIRMED


def test_racing_failed_attempts_are_each_counted_by_the_conditional_write(
    moto_container: Container, retry_queue_url: str
) -> None:
    """A second delivery fails in full while the first is about to record its own failure:
    two attempts stored, one retry sent for each."""
    order = intake.place_order(place_order_command("tok_down"), moto_container.intake).order
    command = ProcessOrder(order_id=order.order_id)
    raced: list[str] = []

    def race_before_the_first_save(name: str) -> None:
        if name == "save" and not raced:
            raced.append(name)
            processing.process_order(command, moto_container.processing)

    deps = intercept_ports(moto_container.processing, before=race_before_the_first_save)
    processing.process_order(command, deps)

    assert raced
    assert stored(moto_container, order.order_id).attempts == 2
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"]
    queued = QueueTail(retry_queue_url).sqs.get_queue_attributes(QueueUrl=retry_queue_url, AttributeNames=names)
    assert sum(int(count) for count in queued["Attributes"].values()) == 2
