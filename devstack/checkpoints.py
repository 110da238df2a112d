"""Where the stream worker remembers how far it got in each shard.

Lambda keeps this state inside the event-source mapping, outside the table and off its
bill. Here it is a small JSON file per worker in the stack's state directory: it
survives a restart of the worker, and costs the local AWS nothing. (It was a table in
the moto server: one PutItem per invocation, a sixth of moto's requests at 10 orders a
second, all of them waiting on the one process that serves the orders too.)

The file names the stream it describes; a file left by an earlier stack, whose stream
is gone, reads as no checkpoint at all. Each save replaces the file whole
(write, then rename), so a worker killed mid-save leaves the previous checkpoint.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Checkpoint:
    sequence_number: str | None  # the last record done; None: nothing done yet
    finished: bool  # a closed shard read to its end


class CheckpointStore:
    def __init__(self, path: Path, stream_arn: str) -> None:
        self._path = path
        self._stream_arn = stream_arn
        self._shards: dict[str, dict[str, Any]] = self._read()

    def load(self, shard_id: str) -> Checkpoint:
        saved = self._shards.get(shard_id)
        if saved is None:
            return Checkpoint(None, False)
        return Checkpoint(saved.get("sequence_number"), bool(saved.get("finished", False)))

    def save(self, shard_id: str, checkpoint: Checkpoint) -> None:
        self._shards[shard_id] = {"sequence_number": checkpoint.sequence_number, "finished": checkpoint.finished}
        document = json.dumps({"stream_arn": self._stream_arn, "shards": self._shards})
        partial = self._path.with_name(f"{self._path.name}.partial")
        partial.write_text(document)
        os.replace(partial, self._path)

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            document = json.loads(self._path.read_text())
        except FileNotFoundError:
            return {}
        if not isinstance(document, dict) or document.get("stream_arn") != self._stream_arn:
            return {}  # another stack's stream
        shards = document.get("shards")
        return dict(shards) if isinstance(shards, dict) else {}
