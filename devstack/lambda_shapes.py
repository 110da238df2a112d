"""What Lambda hands a function behind an event-source mapping: the DynamoDB stream
record, the SQS message record and the context object; and what a stream mapping sends
to its on-failure destination, the failure record."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Record = dict[str, Any]
LOCAL_ACCOUNT = "123456789012"
RETRY_ATTEMPTS_EXHAUSTED = "RetryAttemptsExhausted"
RECORD_AGE_EXCEEDED = "RecordAgeExceeded"


def lambda_record(raw: Record, stream_arn: str, region: str) -> Record:
    """One GetRecords record as Lambda delivers it: epoch-second creation time,
    event source and its ARN. moto says eventVersion 1.0; Lambda sends 1.1."""
    dynamodb = dict(raw["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": raw["eventID"],
        "eventName": raw["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion") or region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def sqs_record(message: Record, queue_arn: str, region: str) -> Record:
    """One ReceiveMessage message as Lambda delivers it: camelCase keys, the system
    attributes (ApproximateReceiveCount, SentTimestamp, ...) as strings, and message
    attributes as {stringValue, binaryValue (base64), stringListValues,
    binaryListValues, dataType}."""
    attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(value["BinaryValue"]).decode() if "BinaryValue" in value else None,
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": [base64.b64encode(item).decode() for item in value.get("BinaryListValues", [])],
            "dataType": value["DataType"],
        }
        for name, value in message.get("MessageAttributes", {}).items()
    }
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def sequence_number(record: Record) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


def created_at(record: Record) -> float:
    return float(record["dynamodb"].get("ApproximateCreationDateTime", 0))


def function_arn(function_name: str, region: str) -> str:
    return f"arn:aws:lambda:{region}:{LOCAL_ACCOUNT}:function:{function_name}"


@dataclass
class LambdaContext:
    """The attributes of Lambda's Python context object that handlers read."""

    function_name: str
    region: str
    timeout_s: float = 900.0
    memory_limit_in_mb: int = 256
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _deadline: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._deadline = datetime.now(UTC).timestamp() + self.timeout_s

    @property
    def invoked_function_arn(self) -> str:
        return function_arn(self.function_name, self.region)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - datetime.now(UTC).timestamp()) * 1000))


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def failure_record(
    records: list[Record],
    *,
    condition: str,
    shard_id: str,
    stream_arn: str,
    function_name: str,
    region: str,
    request_id: str | None,
    invoke_count: int,
    function_error: str | None,
) -> dict[str, Any]:
    """The message Lambda sends to a stream mapping's on-failure destination. It names
    the records (shard and sequence range); it does not carry them."""
    return {
        "requestContext": {
            "requestId": request_id or str(uuid.uuid4()),
            "functionArn": function_arn(function_name, region),
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": {
            "statusCode": 200 if invoke_count else 0,
            "executedVersion": "$LATEST",
            "functionError": function_error,
        },
        "version": "1.0",
        "timestamp": _iso(datetime.now(UTC).timestamp()),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": sequence_number(records[0]),
            "endSequenceNumber": sequence_number(records[-1]),
            "approximateArrivalOfFirstRecord": _iso(created_at(records[0])),
            "approximateArrivalOfLastRecord": _iso(created_at(records[-1])),
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }
