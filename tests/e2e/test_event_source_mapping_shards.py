"""The stream worker's shard reader: paged DescribeStream, closed parents before their children;
and how often the worker reads while a batching window gathers."""

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


class TricklingStream(FakeStreams):
    """One open shard that yields one new record on every read, counting the reads."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def describe_stream(self, StreamArn: str, **page: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "only"}]}}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        self.reads += 1
        record = {
            "eventID": f"e{self.reads}",
            "eventName": "INSERT",
            "dynamodb": {"SequenceNumber": str(100 + self.reads), "ApproximateCreationDateTime": 1_800_000_000},
        }
        return {"Records": [record], "NextShardIterator": ShardIterator}


def _gather(window_s: float, run_s: float) -> tuple[int, list[int]]:
    import threading
    import time

    from devstack import mapping
    from devstack.event_source import StreamWorker

    streams, batches = TricklingStream(), []
    reader = ShardReader(streams, "arn:stream", MemoryStore(), "TRIM_HORIZON")  # type: ignore[arg-type]
    reader.refresh()
    worker = StreamWorker(
        reader,
        lambda event, context: batches.append(len(event["Records"])),
        mapping.Settings(batching_window_s=window_s),
        {},
        None,
        "dlq",
        "arn:stream",
        "orders-dev-publish_order_events",
        "us-east-1",
    )
    thread = threading.Thread(target=worker.run)
    thread.start()
    time.sleep(run_s)
    worker.stop.set()
    thread.join(timeout=5)
    return streams.reads, batches


def test_a_batch_gathering_in_its_window_is_read_four_times_a_second_and_delivered_once_due() -> None:
    """As Lambda: while a batching window gathers, the shard is polled at four reads a
    second, not at the worker's busy rate (50 ms), and the batch goes out when due."""
    reads, batches = _gather(window_s=1.0, run_s=1.6)
    busy_reads, busy_batches = _gather(window_s=0.0, run_s=1.6)
    assert 4 <= reads <= 9, reads
    assert batches and batches[0] >= 4, batches
    assert busy_reads > 2 * reads and len(busy_batches) == busy_reads  # no window: each read is delivered
