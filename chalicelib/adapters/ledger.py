"""The simulator's ledger: in DynamoDB beside the orders, and in memory for tests."""

from __future__ import annotations

import threading
import time
from typing import Any

from chalicelib.adapters import items
from chalicelib.adapters.outages import OutageTranslatingClient


class DynamoDBLedger:
    def __init__(self, client: Any, table_name: str, ttl_seconds: int) -> None:
        self._client = OutageTranslatingClient(client)
        self._table = table_name
        self._ttl_seconds = ttl_seconds

    def _expiry(self) -> dict[str, str]:
        return {"N": str(int(time.time()) + self._ttl_seconds)}

    def record_once(self, kind: str, key: str, entry: dict[str, str]) -> dict[str, str]:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=self._item(kind, key, entry),
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            old = error.response.get("Item") or self._read(kind, key)
            return _entry(old)
        return dict(entry)

    def put(self, kind: str, key: str, entry: dict[str, str]) -> None:
        self._client.put_item(TableName=self._table, Item=self._item(kind, key, entry))

    def get(self, kind: str, key: str) -> dict[str, str] | None:
        item = self._read(kind, key)
        return _entry(item) if item and "entry" in item else None  # a bare tally is no entry

    def _item(self, kind: str, key: str, entry: dict[str, str]) -> dict[str, Any]:
        return {
            **items.ledger_key(kind, key),
            "entity": {"S": "ledger"},
            "kind": {"S": kind},
            "entry": {"M": {name: {"S": value} for name, value in entry.items()}},
            "expires_at": self._expiry(),
        }

    def _read(self, kind: str, key: str) -> dict[str, Any] | None:
        response = self._client.get_item(TableName=self._table, Key=items.ledger_key(kind, key), ConsistentRead=True)
        item: dict[str, Any] | None = response.get("Item")
        return item

    def increment(self, kind: str, key: str) -> int:
        response = self._client.update_item(
            TableName=self._table,
            Key=items.ledger_key(kind, key),
            UpdateExpression="ADD tally :one SET entity = :ledger, kind = :kind, expires_at = :expires",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":ledger": {"S": "ledger"},
                ":kind": {"S": kind},
                ":expires": self._expiry(),
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["tally"]["N"])

    def count(self, kind: str) -> int:
        """Entries of one kind. A Scan: for tests and operators, never a request path."""
        total = 0
        scan: dict[str, Any] = {
            "TableName": self._table,
            "Select": "COUNT",
            "FilterExpression": "entity = :ledger AND kind = :kind AND attribute_exists(entry)",
            "ExpressionAttributeValues": {":ledger": {"S": "ledger"}, ":kind": {"S": kind}},
        }
        while True:
            page = self._client.scan(**scan)
            total += int(page["Count"])
            if "LastEvaluatedKey" not in page:
                return total
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _entry(item: dict[str, Any] | None) -> dict[str, str]:
    if not item:
        raise LookupError("ledger entry vanished between write and read")
    return {name: value["S"] for name, value in item["entry"]["M"].items()}


class InMemoryLedger:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], dict[str, str]] = {}
        self.tallies: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def record_once(self, kind: str, key: str, entry: dict[str, str]) -> dict[str, str]:
        with self._lock:
            return dict(self.entries.setdefault((kind, key), dict(entry)))

    def put(self, kind: str, key: str, entry: dict[str, str]) -> None:
        with self._lock:
            self.entries[(kind, key)] = dict(entry)

    def get(self, kind: str, key: str) -> dict[str, str] | None:
        found = self.entries.get((kind, key))
        return dict(found) if found else None

    def increment(self, kind: str, key: str) -> int:
        with self._lock:
            self.tallies[(kind, key)] = self.tallies.get((kind, key), 0) + 1
            return self.tallies[(kind, key)]

    def count(self, kind: str) -> int:
        return sum(1 for entry_kind, _ in self.entries if entry_kind == kind)
