"""The stream worker's failure record: the shape of Lambda's on-failure destination message."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.lambda_shapes import failure_record, lambda_record

pytestmark = pytest.mark.e2e
NOW = 1_800_000_000.0


def test_the_failure_record_has_the_shape_of_lambdas_on_failure_destination_message() -> None:
    batch = [lambda_record(raw, "arn:stream", "us-east-1") for raw in stream_records(2)]
    message = failure_record(
        batch,
        condition="RetryAttemptsExhausted",
        shard_id="shard-1",
        stream_arn="arn:stream",
        function_name="orders-dev-process_orders",
        region="us-east-1",
        request_id="req-1",
        invoke_count=3,
        function_error="Unhandled",
    )
    assert message["requestContext"] == {
        "requestId": "req-1",
        "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:orders-dev-process_orders",
        "condition": "RetryAttemptsExhausted",
        "approximateInvokeCount": 3,
    }
    assert message["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert message["version"] == "1.0"
    info = message["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == ("100", "101", 2)
    assert info["approximateArrivalOfFirstRecord"].endswith("Z")
    assert (info["shardId"], info["streamArn"]) == ("shard-1", "arn:stream")


def stream_records(count: int) -> list[dict[str, Any]]:
    from datetime import UTC, datetime

    created = datetime.fromtimestamp(NOW, UTC)
    return [
        {
            "eventID": str(n),
            "eventName": "INSERT",
            "dynamodb": {"SequenceNumber": str(100 + n), "ApproximateCreationDateTime": created},
        }
        for n in range(count)
    ]
