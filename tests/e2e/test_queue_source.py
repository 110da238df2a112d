"""The queue worker's emulation of Lambda's SQS event-source mapping, without processes:
the record shape, the partial batch response, what is deleted and what is left."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.lambda_shapes import sqs_record
from devstack.queue_source import QueueSettings, QueueWorker, failed_ids

pytestmark = pytest.mark.e2e
ARN = "arn:aws:sqs:us-east-1:123456789012:orders-dev-retries"


def message(number: int, **extra: Any) -> dict[str, Any]:
    return {
        "MessageId": f"m-{number}",
        "ReceiptHandle": f"rh-{number}",
        "Body": f'{{"n": {number}}}',
        "MD5OfBody": "md5",
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1800000000000"},
        **extra,
    }


RECORDS = [sqs_record(message(n), ARN, "us-east-1") for n in range(3)]


def test_a_message_becomes_the_record_lambda_delivers() -> None:
    binary = message(7, MessageAttributes={"kind": {"DataType": "Binary", "BinaryValue": b"\x01"}})
    record = sqs_record(binary | {"MD5OfMessageAttributes": "md5a"}, ARN, "eu-west-1")
    assert record == {
        "messageId": "m-7",
        "receiptHandle": "rh-7",
        "body": '{"n": 7}',
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1800000000000"},
        "messageAttributes": {
            "kind": {
                "stringValue": None,
                "binaryValue": "AQ==",
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "Binary",
            }
        },
        "md5OfBody": "md5",
        "md5OfMessageAttributes": "md5a",
        "eventSource": "aws:sqs",
        "eventSourceARN": ARN,
        "awsRegion": "eu-west-1",
    }


@pytest.mark.parametrize("response", [None, {}, {"batchItemFailures": []}, {"batchItemFailures": None}, ""])
def test_an_empty_response_is_a_full_success(response: Any) -> None:
    assert failed_ids(response, RECORDS, report_failures=True) == []


def test_reported_items_fail_alone() -> None:
    response = {"batchItemFailures": [{"itemIdentifier": "m-2"}, {"itemIdentifier": "m-0"}]}
    assert failed_ids(response, RECORDS, report_failures=True) == ["m-0", "m-2"]


@pytest.mark.parametrize(
    "response",
    [
        {"batchItemFailures": [{"itemIdentifier": "m-9"}]},  # not in the batch
        {"batchItemFailures": [{"itemIdentifier": ""}]},
        {"batchItemFailures": [{"itemIdentifier": None}]},
        {"batchItemFailures": [{"id": "m-1"}]},  # a bad key name
        {"batchItemFailures": "m-1"},
        "m-1",
    ],
)
def test_an_invalid_response_fails_the_whole_batch(response: Any) -> None:
    assert failed_ids(response, RECORDS, report_failures=True) == ["m-0", "m-1", "m-2"]


def test_without_report_batch_item_failures_any_return_is_a_success() -> None:
    assert failed_ids({"batchItemFailures": [{"itemIdentifier": "m-1"}]}, RECORDS, report_failures=False) == []


class FakeSqs:
    def __init__(self, batches: list[list[dict[str, Any]]]) -> None:
        self.batches = batches
        self.deleted: list[str] = []
        self.receives: list[dict[str, Any]] = []

    def receive_message(self, **request: Any) -> dict[str, Any]:
        self.receives.append(request)
        return {"Messages": self.batches.pop(0)} if self.batches else {}

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]) -> dict[str, Any]:
        self.deleted += [entry["ReceiptHandle"] for entry in Entries]
        return {"Successful": [{"Id": entry["Id"]} for entry in Entries]}


def worker_for(sqs: FakeSqs, handler: Any, **settings: Any) -> QueueWorker:
    worker = QueueWorker(sqs, handler, QueueSettings(**settings), "url", "orders-dev-retry_orders", "us-east-1")
    worker.queue_arn = ARN
    return worker


def test_the_succeeded_messages_are_deleted_and_the_failed_ones_left() -> None:
    events: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(event)
        assert context.function_name == "orders-dev-retry_orders"
        return {"batchItemFailures": [{"itemIdentifier": "m-1"}]}

    sqs = FakeSqs([[message(0), message(1), message(2)]])
    worker_for(sqs, handler, visibility_timeout_s=2).poll_once()
    assert [record["messageId"] for record in events[0]["Records"]] == ["m-0", "m-1", "m-2"]
    assert sqs.deleted == ["rh-0", "rh-2"]
    assert sqs.receives[0]["VisibilityTimeout"] == 2
    assert sqs.receives[0]["AttributeNames"] == ["All"] and sqs.receives[0]["MessageAttributeNames"] == ["All"]


def test_a_function_error_leaves_the_whole_batch() -> None:
    def handler(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("boom")

    sqs = FakeSqs([[message(0), message(1)]])
    worker_for(sqs, handler).poll_once()
    assert sqs.deleted == []
    assert "VisibilityTimeout" not in sqs.receives[0], "the queue's own visibility timeout, as Lambda"


def test_the_batching_window_gathers_up_to_the_batch_size() -> None:
    sizes: list[int] = []
    sqs = FakeSqs([[message(0)], [message(1), message(2)], [message(3)]])
    handler = worker_for(
        sqs, lambda event, context: sizes.append(len(event["Records"])), batch_size=3, batching_window_s=5
    )
    handler.poll_once()
    assert sizes == [3], "one invocation once the batch is full, before the window ends"
    assert sqs.deleted == ["rh-0", "rh-1", "rh-2"]
