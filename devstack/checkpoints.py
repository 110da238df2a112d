"""Where the stream worker remembers how far it got in each shard.

Lambda keeps this state inside the event-source mapping. Here it lives in a small
table in the moto server, beside the stream it describes: it survives a restart of the
worker, and disappears with the stream when the stack stops.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

TABLE = "devstack-stream-checkpoints"


@dataclass(frozen=True)
class Checkpoint:
    sequence_number: str | None  # the last record done; None: nothing done yet
    finished: bool  # a closed shard read to its end


def create_checkpoint_table(client: Any, table: str = TABLE) -> None:
    try:
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "stream_arn", "AttributeType": "S"},
                {"AttributeName": "shard_id", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "stream_arn", "KeyType": "HASH"},
                {"AttributeName": "shard_id", "KeyType": "RANGE"},
            ],
        )
    except client.exceptions.ResourceInUseException:
        return


class CheckpointStore:
    def __init__(self, client: Any, stream_arn: str, table: str = TABLE) -> None:
        self._client = client
        self._stream_arn = stream_arn
        self._table = table

    def load(self, shard_id: str) -> Checkpoint:
        item = self._client.get_item(
            TableName=self._table,
            Key={"stream_arn": {"S": self._stream_arn}, "shard_id": {"S": shard_id}},
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return Checkpoint(None, False)
        sequence = item.get("sequence_number", {}).get("S")
        return Checkpoint(sequence, bool(item.get("finished", {}).get("BOOL", False)))

    def save(self, shard_id: str, checkpoint: Checkpoint) -> None:
        item: dict[str, Any] = {
            "stream_arn": {"S": self._stream_arn},
            "shard_id": {"S": shard_id},
            "finished": {"BOOL": checkpoint.finished},
            "updated_at": {"N": str(int(time.time()))},
        }
        if checkpoint.sequence_number is not None:
            item["sequence_number"] = {"S": checkpoint.sequence_number}
        self._client.put_item(TableName=self._table, Item=item)
