"""Builds Lambda DynamoDB stream events from real records read back from a stream.

Chalice's test client has no generator for DynamoDB events, and hand-typed dicts
drift from what AWS sends, so tests read the table's real stream (moto) instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

Record = dict[str, Any]


def read_stream(streams: Any, stream_arn: str) -> list[Record]:
    """Every record currently in the stream, oldest first, across all shards."""
    records: list[Record] = []
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records.extend(page["Records"])
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return [lambda_record(record, stream_arn) for record in records]


def lambda_record(record: Record, stream_arn: str) -> Record:
    """Reshape one GetRecords record as Lambda delivers it (epoch seconds, source ARN)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", "us-east-1"),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def lambda_event(records: list[Record]) -> dict[str, Any]:
    return {"Records": records}
