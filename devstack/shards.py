"""Reads a DynamoDB stream shard by shard, as Lambda's poller does: a child shard is
read only once its parent is read to the end, so records of one item stay in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from devstack.checkpoints import Checkpoint, CheckpointStore

Record = dict[str, Any]


@dataclass
class Shard:
    shard_id: str
    parent_id: str | None
    checkpoint: Checkpoint
    iterator: str | None = None
    exhausted: bool = False  # the shard is closed and everything in it has been read
    buffer: list[Record] = field(default_factory=list)  # read, not yet delivered
    buffered_since: float = 0.0


class ShardReader:
    def __init__(self, streams: Any, stream_arn: str, store: CheckpointStore, starting_position: str) -> None:
        self._streams = streams
        self._stream_arn = stream_arn
        self._store = store
        self._starting_position = starting_position
        self.shards: dict[str, Shard] = {}

    def refresh(self) -> None:
        """Learn about new shards (DescribeStream, every page)."""
        start: dict[str, str] = {}
        while True:
            page = self._streams.describe_stream(StreamArn=self._stream_arn, **start)["StreamDescription"]
            for description in page.get("Shards", []):
                shard_id = description["ShardId"]
                if shard_id not in self.shards:
                    parent = description.get("ParentShardId")
                    self.shards[shard_id] = Shard(shard_id, parent, self._store.load(shard_id))
            last = page.get("LastEvaluatedShardId")
            if not last:
                return
            start = {"ExclusiveStartShardId": last}

    def ready(self) -> list[Shard]:
        """Unfinished shards whose parent, if still in the stream, is finished."""
        ready = []
        for shard in self.shards.values():
            parent = self.shards.get(shard.parent_id) if shard.parent_id else None
            if not shard.checkpoint.finished and (parent is None or parent.checkpoint.finished):
                ready.append(shard)
        return ready

    def read(self, shard: Shard, limit: int) -> list[Record]:
        """The next records of `shard`. On any error the iterator is dropped and taken
        again from the checkpoint on the next read (moto answers a bad one with 500)."""
        try:
            if shard.iterator is None:
                shard.iterator = self._iterator(shard)
            page = self._streams.get_records(ShardIterator=shard.iterator, Limit=limit)
        except (ClientError, BotoCoreError):
            self.rewind(shard)
            raise
        shard.iterator = page.get("NextShardIterator")
        if shard.iterator is None:
            shard.exhausted = True
        records: list[Record] = page.get("Records", [])
        return records

    def rewind(self, shard: Shard) -> None:
        """Read again from the checkpoint: records read but not done are delivered again."""
        shard.iterator = None
        shard.exhausted = False
        shard.buffer.clear()

    def done(self, shard: Shard, sequence_number: str) -> None:
        shard.checkpoint = Checkpoint(sequence_number, False)
        self._store.save(shard.shard_id, shard.checkpoint)

    def finish(self, shard: Shard) -> None:
        """A closed shard read to its end: its children may start."""
        shard.checkpoint = Checkpoint(shard.checkpoint.sequence_number, True)
        self._store.save(shard.shard_id, shard.checkpoint)
        self.refresh()

    def _iterator(self, shard: Shard) -> str:
        position: dict[str, str]
        if shard.checkpoint.sequence_number is not None:
            position = {
                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                "SequenceNumber": shard.checkpoint.sequence_number,
            }
        elif shard.parent_id is not None:
            position = {"ShardIteratorType": "TRIM_HORIZON"}  # a child is read from its start
        else:
            position = {"ShardIteratorType": self._starting_position}
        try:
            response = self._streams.get_shard_iterator(StreamArn=self._stream_arn, ShardId=shard.shard_id, **position)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TrimmedDataAccessException":
                raise
            # The checkpoint is older than the stream's 24 h retention: start at what is left.
            response = self._streams.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=shard.shard_id, ShardIteratorType="TRIM_HORIZON"
            )
        return str(response["ShardIterator"])
