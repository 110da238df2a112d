"""The RetryQueue contract, against the fake and against SQS on moto (read back with
ReceiveMessage, as the retry function's mapping does)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from chalicelib.adapters.retry_queue import InMemoryRetryQueue, SqsRetryQueue
from chalicelib.domain.commands import RetryOrder
from chalicelib.exceptions import DependencyUnavailable, SettingsError
from chalicelib.service_layer.ports import RetryQueue

ORDER = "01KB0Z6R8XQ3M4N5P6Q7R8S9T0"
Due = Callable[[], list[RetryOrder]]  # the retries delivered by now


@pytest.fixture
def queue_and_due(backend: str, request: pytest.FixtureRequest) -> tuple[RetryQueue, Due]:
    if backend == "memory":
        fake = InMemoryRetryQueue()
        return fake, lambda: [retry for retry, delay in fake.scheduled if delay == 0]
    url = request.getfixturevalue("retry_queue_url")
    import boto3

    sqs = boto3.client("sqs")

    def due() -> list[RetryOrder]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [RetryOrder.model_validate(json.loads(m["Body"])) for m in messages]

    return SqsRetryQueue(sqs, url), due


def test_a_retry_without_delay_is_delivered_as_scheduled(queue_and_due: tuple[RetryQueue, Due]) -> None:
    queue, due = queue_and_due
    queue.schedule(RetryOrder(order_id=ORDER, attempt=2), 0)

    assert due() == [RetryOrder(order_id=ORDER, attempt=2)]


def test_a_delayed_retry_is_held_back(queue_and_due: tuple[RetryQueue, Due]) -> None:
    queue, due = queue_and_due
    queue.schedule(RetryOrder(order_id=ORDER, attempt=1), 900)

    assert due() == []


def test_the_redelivered_mark_is_not_sent(queue_and_due: tuple[RetryQueue, Due]) -> None:
    queue, due = queue_and_due
    queue.schedule(RetryOrder(order_id=ORDER, attempt=1, redelivered=True), 0)

    assert [retry.redelivered for retry in due()] == [False]


def test_a_queue_that_is_gone_refuses(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "memory":
        queue: RetryQueue = InMemoryRetryQueue(refuse=lambda retry: True)
        with pytest.raises(DependencyUnavailable):
            queue.schedule(RetryOrder(order_id=ORDER, attempt=1), 0)
        return
    import boto3
    from botocore.exceptions import ClientError

    url = request.getfixturevalue("retry_queue_url")
    boto3.client("sqs").delete_queue(QueueUrl=url)
    with pytest.raises((DependencyUnavailable, ClientError)):
        SqsRetryQueue(boto3.client("sqs"), url).schedule(RetryOrder(order_id=ORDER, attempt=1), 0)


def test_an_unconfigured_queue_names_the_missing_setting() -> None:
    with pytest.raises(SettingsError, match="RETRY_QUEUE_URL"):
        SqsRetryQueue(lambda: None, "").schedule(RetryOrder(order_id=ORDER, attempt=1), 0)


def test_the_client_is_made_only_when_a_retry_is_scheduled() -> None:
    made: list[float] = []
    SqsRetryQueue(lambda: made.append(time.time()), "https://sqs.example/q")
    assert made == []
