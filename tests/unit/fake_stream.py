"""A fake DynamoDB stream for the in-memory tests: the fake repository and ledger turn
each write into a Lambda-shaped record whose images are the items the DynamoDB adapters
really write (chalicelib.adapters.items and DynamoDBLedger), so the filter pattern sees
what it would see on AWS. Integration tests use moto's real stream instead."""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from chalicelib.adapters import items
from chalicelib.adapters.ledger import DynamoDBLedger, InMemoryLedger
from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.domain.models import Order
from chalicelib.service_layer.ports import IdempotencyRecord
from chalicelib.settings import Settings
from tests.unit.processing_doubles import World, world

Record = dict[str, Any]
Item = dict[str, Any]
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dev/stream/2026-01-01T00:00:00.000"


class FakeStream:
    def __init__(self) -> None:
        self.records: list[Record] = []
        self._numbers = itertools.count(1)

    def emit(self, event_name: str, new: Item | None = None, old: Item | None = None) -> Record:
        image = new or old
        assert image is not None
        dynamodb: dict[str, Any] = {
            "ApproximateCreationDateTime": time.time(),
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "SequenceNumber": f"{next(self._numbers):021d}",
            "SizeBytes": len(str(image)),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
        dynamodb |= {"NewImage": new} if new else {}
        dynamodb |= {"OldImage": old} if old else {}
        record = {
            "eventID": uuid.uuid4().hex,
            "eventName": event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": dynamodb,
            "eventSourceARN": STREAM_ARN,
        }
        self.records.append(record)
        return record


class StreamingRepository(InMemoryOrderRepository):
    def __init__(self, stream: FakeStream) -> None:
        super().__init__()
        self.stream = stream

    def add(self, order: Order, idempotency: IdempotencyRecord | None = None) -> None:
        super().add(order, idempotency)
        self.stream.emit("INSERT", new=items.order_to_item(order, written_by="intake"))
        if idempotency is not None:
            self.stream.emit("INSERT", new=items.idempotency_to_item(idempotency))

    def save(self, order: Order, expected: Order, written_by: str) -> None:
        stored = self.orders.get(order.order_id)
        old = items.order_to_item(stored, self.written_by[order.order_id]) if stored else None
        super().save(order, expected, written_by)
        self.stream.emit("MODIFY", new=items.order_to_item(order, written_by), old=old)


class _CapturingClient:
    """Takes DynamoDBLedger's requests in place of boto3, to learn the items it writes."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        return {}

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        return {"Attributes": {"tally": {"N": "1"}}}


class StreamingLedger(InMemoryLedger):
    def __init__(self, stream: FakeStream) -> None:
        super().__init__()
        self.stream = stream

    def record_once(self, kind: str, key: str, entry: dict[str, str]) -> dict[str, str]:
        new = (kind, key) not in self.entries
        stored = super().record_once(kind, key, entry)
        if new:
            self.stream.emit("INSERT", new=ledger_item(kind, key, stored))
        return stored

    def increment(self, kind: str, key: str) -> int:
        tally = super().increment(kind, key)
        client = _CapturingClient()
        DynamoDBLedger(client, "orders-dev", ttl_seconds=60).increment(kind, key)
        values = client.requests[0]["ExpressionAttributeValues"]
        item = {**client.requests[0]["Key"], "entity": values[":ledger"], "kind": values[":kind"]}
        item |= {"expires_at": values[":expires"], "tally": {"N": str(tally)}}
        self.stream.emit("INSERT" if tally == 1 else "MODIFY", new=item)
        return tally


def ledger_item(kind: str, key: str, entry: dict[str, str]) -> Item:
    client = _CapturingClient()
    DynamoDBLedger(client, "orders-dev", ttl_seconds=60).record_once(kind, key, entry)
    item: Item = client.requests[0]["Item"]
    return item


def streaming_world(settings: Settings | None = None, **changes: Any) -> tuple[World, FakeStream]:
    """An in-memory world whose every write also lands on a fake stream."""
    stream = FakeStream()
    return world(settings, StreamingRepository(stream), StreamingLedger(stream), **changes), stream
