"""Helpers for the stream-processing tests on moto: a reader that hands out only the
stream records not seen before, and access to the orders and the simulator's ledger."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import app
from chalicelib import bootstrap
from chalicelib.adapters.ledger import DynamoDBLedger
from chalicelib.bootstrap import Container
from chalicelib.domain.models import Order
from chalicelib.service_layer.payments import charge_key
from tests.conftest import TABLE_NAME
from tests.support.auth import authorization
from tests.support.orders import order_body
from tests.support.stream_events import Record, lambda_event, read_stream

CUSTOMER = "cust-42"
HEADERS = {"Content-Type": "application/json", "Authorization": authorization(CUSTOMER)}


class StreamTail:
    """moto's real stream, read from the trim horizon; each call returns the new records."""

    def __init__(self, stream_arn: str) -> None:
        import boto3

        self._client = boto3.client("dynamodbstreams")
        self._arn = stream_arn
        self._seen: set[str] = set()

    def new_records(self) -> list[Record]:
        fresh = [record for record in read_stream(self._client, self._arn) if record["eventID"] not in self._seen]
        self._seen.update(record["eventID"] for record in fresh)
        return fresh


def place(api: Any, token: str = "tok_visa", country: str = "GB", idempotency_key: str | None = None) -> str:
    headers = HEADERS | ({"Idempotency-Key": idempotency_key} if idempotency_key else {})
    response = api.http.post("/orders", headers=headers, body=json.dumps(order_body(token, country)))
    assert response.status_code == 201, response.body
    return str(json.loads(response.body)["order_id"])


def deliver(records: list[Record]) -> list[str]:
    """Invoke the stream handler as Lambda would; return the reported sequence numbers."""
    response = app.process_orders(lambda_event(records), None)
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def sequence_numbers(records: list[Record]) -> list[str]:
    return [record["dynamodb"]["SequenceNumber"] for record in records]


def stored(container: Container, order_id: str) -> Order:
    order = container.processing.repository.get(order_id)
    assert order is not None, f"order {order_id} vanished"
    return order


def use_processing(container: Container, **changes: Any) -> None:
    """Run the stream handler with some processing dependencies swapped."""
    bootstrap.use_container(replace(container, processing=replace(container.processing, **changes)))


class Books:
    """The simulator's ledger in the moto table, read as an auditor would."""

    def __init__(self, dynamodb: Any) -> None:
        self.ledger = DynamoDBLedger(dynamodb, TABLE_NAME, ttl_seconds=3600)

    def charge(self, order_id: str) -> dict[str, str] | None:
        return self.ledger.get("charge", charge_key(order_id))

    def refund(self, order_id: str) -> dict[str, str] | None:
        return self.ledger.get("refund", f"refund-{order_id}")

    def counts(self) -> tuple[int, int, int]:
        return self.ledger.count("charge"), self.ledger.count("refund"), self.ledger.count("shipment")


class QueueTail:
    """moto's real retry queue, consumed as Lambda's SQS mapping does: a batch received,
    handed to `app.retry_orders`, the succeeded messages deleted (unless `lost_delete`
    says the delete was lost) and the failed ones made visible again at once."""

    def __init__(self, queue_url: str, lost_delete: float = 0.0) -> None:
        import boto3

        self.sqs = boto3.client("sqs")
        self.queue_url = queue_url
        self._lost_delete = lost_delete

    def waiting(self) -> bool:
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=names)["Attributes"]
        return any(int(attributes[name]) for name in names)

    def receive(self, limit: int = 10) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=limit, VisibilityTimeout=60, AttributeNames=["All"]
        )
        messages: list[dict[str, Any]] = response.get("Messages", [])
        return messages

    def deliver_some(self, rng: Any = None) -> int:
        messages = self.receive(rng.randint(1, 10) if rng else 10)
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "eventSource": "aws:sqs",
            }
            for m in messages
        ]
        response = app.retry_orders({"Records": records}, None) if records else {"batchItemFailures": []}
        failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
        for message in messages:
            handle = message["ReceiptHandle"]
            if message["MessageId"] in failed or (rng is not None and rng.random() < self._lost_delete):
                self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=handle, VisibilityTimeout=0)
            else:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=handle)
        return len(failed)
