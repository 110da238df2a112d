"""devstack/checkpoints.py: the stream worker's positions, kept in a file of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devstack.checkpoints import Checkpoint, CheckpointStore

pytestmark = pytest.mark.e2e

STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dev/stream/2026-11-30T00:00:00.000"


def test_a_new_store_reads_what_the_last_one_saved(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.json"
    first = CheckpointStore(path, STREAM)
    assert first.load("shard-1") == Checkpoint(None, False)
    first.save("shard-1", Checkpoint("100", False))
    first.save("shard-0", Checkpoint("42", True))
    first.save("shard-1", Checkpoint("105", False))

    restarted = CheckpointStore(path, STREAM)
    assert restarted.load("shard-1") == Checkpoint("105", False)
    assert restarted.load("shard-0") == Checkpoint("42", True)
    assert restarted.load("shard-2") == Checkpoint(None, False)


def test_a_file_left_by_another_stream_is_no_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.json"
    CheckpointStore(path, STREAM).save("shard-1", Checkpoint("100", True))
    assert CheckpointStore(path, STREAM.replace("2026-11-30", "2026-12-01")).load("shard-1") == Checkpoint(None, False)


def test_a_save_replaces_the_file_whole_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.json"
    store = CheckpointStore(path, STREAM)
    store.save("shard-1", Checkpoint("7", False))
    assert json.loads(path.read_text()) == {
        "stream_arn": STREAM,
        "shards": {"shard-1": {"sequence_number": "7", "finished": False}},
    }
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoints.json"]


def test_a_save_interrupted_before_the_rename_keeps_the_previous_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.json"
    CheckpointStore(path, STREAM).save("shard-1", Checkpoint("7", False))
    (tmp_path / "checkpoints.json.partial").write_text('{"stream_arn": "')  # a worker killed mid-write
    assert CheckpointStore(path, STREAM).load("shard-1") == Checkpoint("7", False)
