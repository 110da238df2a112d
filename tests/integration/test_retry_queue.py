"""The retry path on moto: the stream handler and the retry queue's consumer in app.py,
the real SQS queue, the outage switch in the real ledger."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.ledger import DynamoDBLedger
from chalicelib.adapters.provider_outages import ProviderOutages
from chalicelib.bootstrap import Container
from chalicelib.domain.models import OrderStatus
from chalicelib.service_layer.backoff import RetrySchedule
from chalicelib.settings import Settings
from tests.conftest import TABLE_NAME
from tests.integration.processing_support import (
    Books,
    QueueTail,
    StreamTail,
    deliver,
    place,
    sequence_numbers,
    stored,
    use_processing,
)

S = OrderStatus


@pytest.fixture
def settings() -> Settings:
    """No waiting between attempts: these tests take the queue's delays as passed."""
    return Settings(
        orders_table=TABLE_NAME,
        gateway_retry_base_ms=0,
        retry_base_delay_ms=0,
        max_processing_attempts=4,
        simulator_outage_check_ms=0,
    )


def outage(dynamodb: Any, provider: str, seconds: float) -> None:
    ProviderOutages(DynamoDBLedger(dynamodb, TABLE_NAME, ttl_seconds=3600)).start(provider, seconds)  # type: ignore[arg-type]


def test_a_transient_failure_schedules_a_delayed_retry_and_acknowledges_the_record(
    moto_api: Any, moto_container: Container, stream_arn: str, retry_queue_url: str, dynamodb: Any
) -> None:
    use_processing(moto_container, schedule=RetrySchedule(base_delay_s=30, jitter=lambda: 0.5))
    outage(dynamodb, "shipping", 60)
    down, declined = place(moto_api, "tok_visa"), place(moto_api, "tok_decline")

    assert deliver(StreamTail(stream_arn).new_records()) == [], "the record is done: the shard moves on"

    assert stored(moto_container, declined).status is S.REJECTED, "the order behind it was not held up"
    waiting = stored(moto_container, down)
    assert (waiting.status, waiting.attempts) == (S.PAID, 1)
    assert "unavailable" in (waiting.reason or "")
    queue = QueueTail(retry_queue_url)
    assert queue.receive() == [], "held back by its delay"
    delayed = queue.sqs.get_queue_attributes(QueueUrl=retry_queue_url, AttributeNames=["All"])["Attributes"]
    assert delayed["ApproximateNumberOfMessagesDelayed"] == "1"


def test_the_retry_completes_the_order_once_the_outage_ends(
    moto_api: Any, moto_container: Container, stream_arn: str, retry_queue_url: str, dynamodb: Any
) -> None:
    outage(dynamodb, "payments", 60)
    order_id = place(moto_api, "tok_visa")
    deliver(StreamTail(stream_arn).new_records())
    queue = QueueTail(retry_queue_url)
    assert queue.deliver_some() == 0
    assert stored(moto_container, order_id).attempts == 2, "still down: a second attempt, a second retry"

    outage(dynamodb, "payments", 0)
    assert queue.deliver_some() == 0

    order = stored(moto_container, order_id)
    assert (order.status, order.attempts, order.reason) == (S.CONFIRMED, 2, None)
    assert not queue.waiting()
    assert Books(dynamodb).ledger.count("charge") == 1
    assert deliver(StreamTail(stream_arn).new_records()) == [], "the retry's writes start nothing on the stream"


def test_a_spent_budget_ends_in_failed_with_the_charge_refunded(
    moto_api: Any, moto_container: Container, stream_arn: str, retry_queue_url: str, dynamodb: Any
) -> None:
    outage(dynamodb, "shipping", 600)
    order_id = place(moto_api, "tok_visa")
    deliver(StreamTail(stream_arn).new_records())
    queue = QueueTail(retry_queue_url)
    while queue.waiting():
        assert queue.deliver_some() == 0

    order = stored(moto_container, order_id)
    assert (order.status, order.attempts) == (S.FAILED, moto_container.settings.max_processing_attempts)
    books = Books(dynamodb)
    assert order.refund_id == books.refund(order_id)["refund_id"]  # type: ignore[index]
    assert books.charge(order_id)["payment_id"] == order.payment_id  # type: ignore[index]


def test_a_dynamodb_failure_still_fails_the_batch(
    moto_api: Any, moto_container: Container, stream_arn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = place(moto_api, "tok_visa"), place(moto_api, "tok_visa")
    records = StreamTail(stream_arn).new_records()
    client = moto_container.processing.repository._client  # type: ignore[attr-defined]
    throttled = ClientError(
        {"Error": {"Code": "ThrottlingException"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "GetItem"
    )

    def throttle(**kwargs: Any) -> Any:
        raise throttled

    monkeypatch.setattr(client._client, "get_item", throttle)
    assert deliver(records) == sequence_numbers(records)
    monkeypatch.undo()

    assert deliver(records) == []
    assert {stored(moto_container, order_id).status for order_id in (first, second)} == {S.CONFIRMED}


def test_a_retry_queue_that_refuses_leaves_the_record_on_the_stream(
    moto_api: Any, moto_container: Container, stream_arn: str, retry_queue_url: str, dynamodb: Any
) -> None:
    outage(dynamodb, "payments", 60)
    order_id = place(moto_api, "tok_visa")
    records = StreamTail(stream_arn).new_records()
    boto3.client("sqs").delete_queue(QueueUrl=retry_queue_url)

    assert deliver(records) == sequence_numbers(records)[-1:], "the order's record, after the outage switch's"
    assert stored(moto_container, order_id).attempts == 1, "the attempt is stored; the record comes again"


def test_a_poison_message_is_reported_and_the_others_complete(
    moto_api: Any, moto_container: Container, stream_arn: str, retry_queue_url: str, dynamodb: Any
) -> None:
    outage(dynamodb, "payments", 60)
    order_id = place(moto_api, "tok_visa")
    deliver(StreamTail(stream_arn).new_records())
    outage(dynamodb, "payments", 0)
    queue = QueueTail(retry_queue_url)
    queue.sqs.send_message(QueueUrl=retry_queue_url, MessageBody='{"order_id": 1}')

    assert queue.deliver_some() == 1
    assert stored(moto_container, order_id).status is S.CONFIRMED
