"""The parts of the stream worker that talk to moto, against moto in-process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devstack.checkpoints import Checkpoint, CheckpointStore
from devstack.moto_server import prune_shard_iterators
from devstack.shards import ShardReader
from tests.e2e.stack import RunningStack

pytestmark = pytest.mark.e2e


def put_orders(dynamodb: Any, count: int) -> None:
    for number in range(count):
        dynamodb.put_item(TableName="orders-dev", Item={"pk": {"S": f"ORDER#{number}"}, "sk": {"S": "ORDER"}})


def reader_for(checkpoints: Path, stream_arn: str) -> ShardReader:
    import boto3

    store = CheckpointStore(checkpoints, stream_arn)
    reader = ShardReader(boto3.client("dynamodbstreams"), stream_arn, store, "TRIM_HORIZON")
    reader.refresh()
    return reader


def test_a_new_reader_resumes_after_the_saved_checkpoint(dynamodb: Any, stream_arn: str, tmp_path: Path) -> None:
    put_orders(dynamodb, 5)
    first = reader_for(tmp_path / "checkpoints.json", stream_arn)
    (shard,) = first.ready()
    records = first.read(shard, limit=3)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["ORDER#0", "ORDER#1", "ORDER#2"]
    first.done(shard, records[1]["dynamodb"]["SequenceNumber"])  # ORDER#2 read but not done

    restarted = reader_for(tmp_path / "checkpoints.json", stream_arn)
    (shard,) = restarted.ready()
    assert shard.checkpoint == Checkpoint(records[1]["dynamodb"]["SequenceNumber"], False)
    again = restarted.read(shard, limit=10)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in again] == ["ORDER#2", "ORDER#3", "ORDER#4"]


def test_a_bad_iterator_is_replaced_from_the_checkpoint(stack: RunningStack, tmp_path: Path) -> None:
    """Against the moto server, where a bad iterator is an HTTP 500 (in-process moto
    raises a bare KeyError instead). A checkpoint file of its own leaves the worker's alone."""
    from botocore.exceptions import ClientError

    stream_arn = stack.state()["stream_arn"]
    store = CheckpointStore(tmp_path / "checkpoints.json", stream_arn)
    reader = ShardReader(stack.aws("dynamodbstreams"), stream_arn, store, "LATEST")
    reader.refresh()
    (shard,) = reader.ready()
    assert reader.read(shard, limit=10) == []
    shard.iterator = "not-an-iterator"
    with pytest.raises(ClientError):
        reader.read(shard, limit=10)
    assert shard.iterator is None
    assert reader.read(shard, limit=10) == [], "a new iterator was taken"
    assert shard.iterator is not None


def test_moto_keeps_only_the_newest_shard_iterators(stream_arn: str, tmp_path: Path) -> None:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    reader = reader_for(tmp_path / "checkpoints.json", stream_arn)
    (shard,) = reader.ready()
    for _ in range(12):
        reader.read(shard, limit=10)
    iterators = dynamodbstreams_backends["123456789012"]["us-east-1"].shard_iterators
    before, newest = len(iterators), list(iterators)[-3:]
    assert before >= 13
    assert prune_shard_iterators(keep=3) == before - 3
    assert list(iterators) == newest
    assert reader.read(shard, limit=10) == [], "the live iterator still works"


def test_cached_jsonpaths_deliver_the_same_envelope_to_the_rules_queue(moto_aws: None) -> None:
    """devstack/moto_events.py: the example rule's queue gets the same message with
    moto's JSONPath parsing cached, and the second delivery parses nothing."""
    import json

    import boto3
    import jsonpath_ng.ext

    from devstack import moto_events
    from devstack.provision import EventRouting, create_event_routing

    events, sqs = boto3.client("events"), boto3.client("sqs")
    routing = EventRouting("orders-dev-events", "orders", "all", "order-events", "event-failures")
    queue_url = create_event_routing(events, sqs, routing)["events_queue_url"]
    entry = {"EventBusName": "orders-dev-events", "Source": "orders", "DetailType": "OrderPaid", "Detail": '{"a": 1}'}

    def delivered() -> dict[str, Any]:
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
        (message,) = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        body: dict[str, Any] = json.loads(message["Body"])
        return {key: value for key, value in body.items() if key not in ("id", "time")}

    plain = delivered()
    undo = moto_events.install()
    try:
        cached = delivered()
        parses = jsonpath_ng.ext.parse.cache_info()  # type: ignore[attr-defined]
        delivered()
        assert jsonpath_ng.ext.parse.cache_info().misses == parses.misses  # type: ignore[attr-defined]
    finally:
        undo()
    assert cached == plain
    assert plain["detail"] == {"a": 1}
    assert plain["source"] == "orders"
    assert plain["detail-type"] == "OrderPaid"
