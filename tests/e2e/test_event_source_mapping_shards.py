"""The stream worker's shard reader: paged DescribeStream, closed parents before their children."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.checkpoints import Checkpoint
from devstack.shards import ShardReader

pytestmark = pytest.mark.e2e


class FakeStreams:
    """A stream whose parent shard closed and split into two children."""

    def __init__(self) -> None:
        self.iterators: list[dict[str, str]] = []

    def describe_stream(self, StreamArn: str, **page: str) -> dict[str, Any]:
        shards = [
            {"ShardId": "parent", "SequenceNumberRange": {"StartingSequenceNumber": "1", "EndingSequenceNumber": "9"}},
            {"ShardId": "child-a", "ParentShardId": "parent"},
            {"ShardId": "child-b", "ParentShardId": "parent"},
        ]
        if not page:
            return {"StreamDescription": {"Shards": shards[:2], "LastEvaluatedShardId": "child-a"}}
        return {"StreamDescription": {"Shards": shards[2:]}}

    def get_shard_iterator(self, **request: str) -> dict[str, str]:
        self.iterators.append(request)
        return {"ShardIterator": f"it-{request['ShardId']}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        if ShardIterator == "it-parent":
            return {"Records": []}  # closed and read to the end: no NextShardIterator
        return {"Records": [], "NextShardIterator": ShardIterator}


class MemoryStore:
    def __init__(self, saved: dict[str, Checkpoint] | None = None) -> None:
        self.saved = saved or {}

    def load(self, shard_id: str) -> Checkpoint:
        return self.saved.get(shard_id, Checkpoint(None, False))

    def save(self, shard_id: str, checkpoint: Checkpoint) -> None:
        self.saved[shard_id] = checkpoint


def test_children_wait_for_their_parent_shard_and_then_start_at_trim_horizon() -> None:
    streams, store = FakeStreams(), MemoryStore({"parent": Checkpoint("5", False)})
    reader = ShardReader(streams, "arn:stream", store, "TRIM_HORIZON")  # type: ignore[arg-type]
    reader.refresh()
    assert set(reader.shards) == {"parent", "child-a", "child-b"}, "every DescribeStream page is read"
    assert [shard.shard_id for shard in reader.ready()] == ["parent"]
    parent = reader.shards["parent"]
    assert reader.read(parent, 100) == []
    assert parent.exhausted
    assert streams.iterators[0] == {
        "StreamArn": "arn:stream",
        "ShardId": "parent",
        "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
        "SequenceNumber": "5",
    }
    reader.finish(parent)
    assert store.saved["parent"] == Checkpoint("5", True)
    assert sorted(shard.shard_id for shard in reader.ready()) == ["child-a", "child-b"]
    reader.read(reader.shards["child-a"], 100)
    assert streams.iterators[-1]["ShardIteratorType"] == "TRIM_HORIZON"
