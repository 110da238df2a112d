"""The local stack's speed fixes to moto (devstack/moto_speedups.py): GetRecords skips
moto's generic serializer and answers the same, and a send does not walk the queue's
messages. The speed tests also run against unpatched moto, where the fix matters, and
must fail there; the answers are compared with and without the fix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devstack import moto_speedups


@pytest.fixture(params=["patched", "unpatched"])
def sqs(request: pytest.FixtureRequest, moto_aws: None) -> Iterator[tuple[Any, bool]]:
    import boto3

    undo = moto_speedups.install() if request.param == "patched" else None
    try:
        yield boto3.client("sqs"), undo is not None
    finally:
        if undo:
            undo()


def test_a_send_does_not_walk_the_messages_already_queued(
    sqs: tuple[Any, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs import models

    client, patched = sqs
    url = client.create_queue(QueueName="deep")["QueueUrl"]
    for n in range(20):
        client.send_message(QueueUrl=url, MessageBody=f"m-{n}")
    walked: list[int] = []
    real = models.Message.visible

    def counting(self: Any) -> Any:
        walked.append(1)
        return real.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(models.Message, "visible", property(counting))
    client.send_message(QueueUrl=url, MessageBody="one more")

    assert (len(walked) == 0) is patched


def test_queue_attributes_and_fifo_deduplication_are_unchanged(sqs: tuple[Any, bool]) -> None:
    client, _ = sqs
    url = client.create_queue(QueueName="plain")["QueueUrl"]
    client.send_message(QueueUrl=url, MessageBody="a")
    counted = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counted["ApproximateNumberOfMessages"] == "1"
    fifo = client.create_queue(
        QueueName="dedup.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    )["QueueUrl"]
    for _ in range(2):
        client.send_message(QueueUrl=fifo, MessageBody="same", MessageGroupId="g")
    messages = client.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10).get("Messages", [])
    assert len(messages) == 1, "the second send was a duplicate by content"


def test_get_records_answers_exactly_as_moto_does_only_faster(moto_aws: None) -> None:
    """The same records read with and without the fix, as boto3 parses them."""
    import boto3

    from devstack.provision import create_table

    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    arn = create_table(dynamodb, "speed")
    item = {"pk": {"S": "a"}, "sk": {"S": "b"}, "n": {"N": "1.5"}, "l": {"L": [{"M": {"x": {"BOOL": True}}}]}}
    dynamodb.put_item(TableName="speed", Item=item)
    dynamodb.put_item(TableName="speed", Item={**item, "n": {"N": "2"}, "s": {"SS": ["x", "y"]}})
    dynamodb.delete_item(TableName="speed", Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def read() -> dict[str, Any]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        answer = streams.get_records(ShardIterator=iterator["ShardIterator"])
        answer.pop("ResponseMetadata")
        answer.pop("NextShardIterator")
        return dict(answer)

    unpatched = read()
    undo = moto_speedups.install()
    try:
        patched = read()
    finally:
        undo()

    assert len(patched["Records"]) == 3
    for mine, theirs in zip(patched["Records"], unpatched["Records"], strict=True):
        assert mine == theirs, str((mine, theirs))
    assert patched == unpatched


def test_get_records_skips_the_generic_serializer(sqs: tuple[Any, bool], monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto.core import serialize

    from devstack.provision import create_table

    _, patched = sqs
    dynamodb, streams = boto3.client("dynamodb"), boto3.client("dynamodbstreams")
    arn = create_table(dynamodb, "fast")
    dynamodb.put_item(TableName="fast", Item={"pk": {"S": "a"}, "sk": {"S": "b"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    serialized: list[str] = []
    real = serialize.ResponseSerializer.serialize

    def counting(self: Any, result: Any) -> Any:
        serialized.append(self.operation_model.name)
        return real(self, result)

    monkeypatch.setattr(serialize.ResponseSerializer, "serialize", counting)
    assert len(streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]) == 1

    assert ("GetRecords" not in serialized) is patched
