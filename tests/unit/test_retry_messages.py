"""The retry queue's entrypoint: SQS messages to RetryOrder commands, and the partial
batch response. Each message stands alone: one failing reports only itself."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.adapters.retry_queue import message_body
from chalicelib.domain.commands import RetryOrder
from chalicelib.entrypoints import retry_messages
from chalicelib.exceptions import DependencyUnavailable, UnprocessableRecord

ORDER = "01KB0Z6R8XQ3M4N5P6Q7R8S9T0"


def message(body: str, message_id: str = "m-1", receive_count: int = 1) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receive_count)},
        "eventSource": "aws:sqs",
    }


def test_the_body_the_adapter_sends_is_the_command_the_entrypoint_reads() -> None:
    sent = RetryOrder(order_id=ORDER, attempt=3)

    assert json.loads(message_body(sent)) == {"order_id": ORDER, "attempt": 3}
    assert retry_messages.command_for(message(message_body(sent))) == sent


def test_a_message_received_before_is_marked_redelivered() -> None:
    body = message_body(RetryOrder(order_id=ORDER, attempt=1))
    without_attributes = {"messageId": "m", "body": body}

    assert retry_messages.command_for(message(body, receive_count=2)).redelivered
    assert not retry_messages.command_for(message(body, receive_count=1)).redelivered
    assert not retry_messages.command_for(without_attributes).redelivered
    assert not retry_messages.command_for({**without_attributes, "attributes": {}}).redelivered


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        "{}",
        json.dumps({"order_id": ORDER}),
        json.dumps({"order_id": ORDER, "attempt": 0}),
        json.dumps({"order_id": ORDER, "attempt": "1"}),
        json.dumps({"order_id": ORDER, "attempt": 1.5}),
        json.dumps({"order_id": "../etc", "attempt": 1}),
        json.dumps({"order_id": ORDER, "attempt": 1, "redelivered": True}),
        json.dumps({"order_id": ORDER, "attempt": 1, "extra": 1}),
    ],
)
def test_an_unreadable_message_is_unprocessable(body: str) -> None:
    with pytest.raises(UnprocessableRecord):
        retry_messages.command_for(message(body))


def test_a_failed_message_is_reported_alone_and_the_others_are_handled() -> None:
    handled: list[str] = []

    def handle(command: RetryOrder) -> None:
        if command.attempt == 2:
            raise DependencyUnavailable("table throttled")
        handled.append(command.order_id)

    batch = [
        message(message_body(RetryOrder(order_id=ORDER, attempt=1)), "a"),
        message("garbage", "b"),
        message(message_body(RetryOrder(order_id=ORDER, attempt=2)), "c"),
        message(message_body(RetryOrder(order_id=ORDER, attempt=3)), "d"),
    ]

    response = retry_messages.retry_batch(batch, handle)

    assert response == {"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "c"}]}
    assert handled == [ORDER, ORDER]


def test_an_empty_batch_reports_nothing() -> None:
    assert retry_messages.retry_batch([], lambda command: None) == {"batchItemFailures": []}
