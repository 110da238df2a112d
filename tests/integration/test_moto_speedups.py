"""The local stack's speed fixes to moto (devstack/moto_speedups.py): GetRecords skips
moto's generic serializer and answers the same, a send does not walk the queue's
messages, and dispatch remembers each host's service. The speed tests also run against
unpatched moto, where the fix matters, and must fail there; the answers are compared
with and without the fix."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from devstack import moto_speedups


@pytest.fixture(params=["patched", "unpatched"])
def speedups(request: pytest.FixtureRequest, moto_aws: None) -> Iterator[bool]:
    """Each test twice: with the speed fixes installed (True) and on moto as it ships."""
    undo = moto_speedups.install() if request.param == "patched" else None
    try:
        yield undo is not None
    finally:
        if undo:
            undo()


@pytest.fixture
def sqs(speedups: bool) -> tuple[Any, bool]:
    import boto3

    return boto3.client("sqs"), speedups


def count_reads(monkeypatch: pytest.MonkeyPatch, owner: type, name: str) -> list[int]:
    """Replace the property owner.name with one that notes each read (one 1 per read)."""
    reads: list[int] = []
    real = getattr(owner, name)

    def counting(self: Any) -> Any:
        reads.append(1)
        return real.fget(self)

    monkeypatch.setattr(owner, name, property(counting))
    return reads


def test_a_send_does_not_walk_the_messages_already_queued(
    sqs: tuple[Any, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs import models

    client, patched = sqs
    url = client.create_queue(QueueName="deep")["QueueUrl"]
    for n in range(20):
        client.send_message(QueueUrl=url, MessageBody=f"m-{n}")
    walked = count_reads(monkeypatch, models.Message, "visible")
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


def test_get_records_skips_the_generic_serializer(speedups: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto.core import serialize

    from devstack.provision import create_table

    patched = speedups
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


HOSTS = [
    None,
    "moto_api",
    "dynamodb",
    "dynamodb.us-east-1.amazonaws.com",
    "streams.dynamodb.us-east-1.amazonaws.com",
    "sqs.us-east-1.amazonaws.com",
    "events.eu-west-1.amazonaws.com",
    "127.0.0.1:5000",
    "nothing.example.com",
]


def _dispatcher() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def test_dispatch_finds_the_same_service_for_every_host() -> None:
    unpatched = {host: _dispatcher().get_backend_for_host(host) for host in HOSTS}
    undo = moto_speedups.install()
    try:
        dispatcher = _dispatcher()
        patched = {host: dispatcher.get_backend_for_host(host) for host in HOSTS}
        again = {host: dispatcher.get_backend_for_host(host) for host in HOSTS}
    finally:
        undo()
    assert patched == again == unpatched
    assert unpatched["dynamodb.us-east-1.amazonaws.com"] == "dynamodb"


@pytest.mark.parametrize("patched", [True, False])
def test_dispatch_lists_moto_s_modules_once_per_host_not_per_request(
    patched: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto import backends

    listed: list[int] = []
    real = backends.list_of_moto_modules

    def counting() -> Any:
        listed.append(1)
        return real()

    monkeypatch.setattr(backends, "list_of_moto_modules", counting)
    undo = moto_speedups.install() if patched else None
    try:
        dispatcher = _dispatcher()
        for _ in range(50):
            dispatcher.get_backend_for_host("sqs.us-east-1.amazonaws.com")
    finally:
        if undo:
            undo()
    assert len(listed) == (1 if patched else 50)


def _item_calls(dynamodb: Any) -> None:
    """One of each item operation the service and the local stack make, with the item
    shapes they write (nested maps and lists, numbers, sets, null, bool) and a binary."""
    from devstack.provision import create_table

    create_table(dynamodb, "answers")
    item = {
        "pk": {"S": "a"},
        "sk": {"S": "b"},
        "n": {"N": "1.5"},
        "l": {"L": [{"M": {"x": {"BOOL": True}, "y": {"NULL": True}}}]},
        "ss": {"SS": ["x", "y"]},
        "blob": {"B": b"\x00\x01"},
    }
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}
    dynamodb.put_item(TableName="answers", Item={**item, "pk": {"S": "plain"}, "blob": {"S": "-"}})
    dynamodb.put_item(TableName="answers", Item=item, ReturnConsumedCapacity="TOTAL")
    dynamodb.put_item(TableName="answers", Item=item, ReturnValues="ALL_OLD")
    dynamodb.get_item(TableName="answers", Key=key, ConsistentRead=True)
    dynamodb.get_item(TableName="answers", Key={"pk": {"S": "plain"}, "sk": {"S": "b"}})
    dynamodb.get_item(TableName="answers", Key={"pk": {"S": "none"}, "sk": {"S": "b"}})
    dynamodb.update_item(
        TableName="answers",
        Key=key,
        UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "2"}},
        ReturnValues="UPDATED_NEW",
    )
    dynamodb.query(
        TableName="answers",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "plain"}},
        Limit=1,
    )
    dynamodb.scan(TableName="answers", Limit=1)
    dynamodb.batch_get_item(RequestItems={"answers": {"Keys": [key, {"pk": {"S": "plain"}, "sk": {"S": "b"}}]}})
    dynamodb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "answers", "Item": {"pk": {"S": "t"}, "sk": {"S": "1"}}}}]
    )
    with contextlib.suppress(dynamodb.exceptions.ConditionalCheckFailedException):  # the error answer too
        dynamodb.put_item(TableName="answers", Item=item, ConditionExpression="attribute_not_exists(pk)")
    dynamodb.delete_item(TableName="answers", Key=key, ReturnValues="ALL_OLD")


def _raw_answers(patched: bool) -> list[tuple[str, Any]]:
    import json

    import boto3
    from moto import mock_aws

    answers: list[tuple[str, Any]] = []

    def keep(response_dict: dict[str, Any], **_: Any) -> None:
        answers.append((response_dict["status_code"], json.loads(response_dict["body"] or b"{}")))

    undo = moto_speedups.install() if patched else None
    try:
        with mock_aws():
            dynamodb = boto3.client("dynamodb", region_name="us-east-1")
            for action in moto_speedups.ITEM_ACTIONS:  # not CreateTable: it names the time
                dynamodb.meta.events.register(f"response-received.dynamodb.{action}", keep)
            _item_calls(dynamodb)
    finally:
        if undo:
            undo()
    return answers


def test_item_operations_answer_exactly_as_moto_does_to_the_byte_of_json() -> None:
    patched, unpatched = _raw_answers(True), _raw_answers(False)
    assert len(patched) == 13
    assert patched == unpatched


def test_item_answers_skip_the_generic_serializer(speedups: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto.core import serialize

    patched = speedups
    walked: list[int] = []
    real = serialize.ResponseSerializer.serialize

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        walked.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(serialize.ResponseSerializer, "serialize", counting)
    dynamodb = boto3.client("dynamodb")
    from devstack.provision import create_table

    create_table(dynamodb, "walk")
    walked.clear()
    dynamodb.put_item(TableName="walk", Item={"pk": {"S": "a"}, "sk": {"S": "b"}})
    dynamodb.get_item(TableName="walk", Key={"pk": {"S": "a"}, "sk": {"S": "b"}})
    assert (len(walked) == 0) is patched


def test_a_receive_does_not_walk_the_queue_to_check_retention(
    sqs: tuple[Any, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.sqs import models

    client, patched = sqs
    url = client.create_queue(QueueName="retained")["QueueUrl"]
    for n in range(5):
        client.send_message(QueueUrl=url, MessageBody=f"m-{n}")
    counted = count_reads(monkeypatch, models.Queue, "approximate_number_of_messages")
    received = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 5
    assert (len(counted) == 0) is patched
