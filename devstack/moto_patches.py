"""Two fixes to moto's TransactWriteItems, so that the local stack holds realistic use.

- moto deep-copies every table a transaction touches, to roll back on failure: each
  keyed POST /orders then costs time and memory in proportion to the whole table (0.6 to
  1.7 s and 3 GB at about 1,000 orders). DynamoDB checks every condition first and then
  writes all items or none; done that way there is nothing to roll back and nothing to
  copy. This path takes transactions of Puts and ConditionChecks (all this service
  sends); any other goes to moto's own code.
- moto ignores ClientRequestToken. In DynamoDB a repeated token within 10 minutes
  returns success without writing again, so a client's retry of a transaction that did
  commit (its answer lost to a timeout) succeeds. Without it the retry fails on the
  condition and intake took its own order for another request's.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

TOKEN_WINDOW_S = 600.0  # DynamoDB's idempotency window for ClientRequestToken
_WRITE_LOCK = threading.Lock()  # one transaction at a time: all-or-nothing against each other
_TOKENS: dict[str, tuple[str, float]] = {}
_TOKENS_LOCK = threading.Lock()
_SIMPLE_OPS = frozenset({"Put", "ConditionCheck"})


def install() -> Callable[[], None]:
    """Patch moto in this process; return what undoes it (for tests)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    original_write = DynamoDBBackend.transact_write_items
    original_handle = DynamoHandler.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        if len(transact_items) > 100 or any(set(op) - _SIMPLE_OPS or len(op) != 1 for op in transact_items):
            original_write(self, transact_items)
            return
        check_then_write(self, transact_items)

    def handle(self: Any) -> Any:
        token = self.body.get("ClientRequestToken")
        if not token:
            return original_handle(self)
        fingerprint = hashlib.sha256(json.dumps(self.body["TransactItems"], sort_keys=True).encode()).hexdigest()
        if remembered(token, fingerprint):
            from moto.core.responses import ActionResult

            return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
        result = original_handle(self)
        remember(token, fingerprint)
        return result

    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010 - a monkeypatch, on purpose
    setattr(DynamoHandler, "transact_write_items", handle)  # noqa: B010

    def undo() -> None:
        setattr(DynamoDBBackend, "transact_write_items", original_write)  # noqa: B010
        setattr(DynamoHandler, "transact_write_items", original_handle)  # noqa: B010
        with _TOKENS_LOCK:
            _TOKENS.clear()

    return undo


def check_then_write(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import MultipleTransactionsException, TransactionCanceledException

    with _WRITE_LOCK:
        keys: set[tuple[str, str]] = set()
        reasons: list[tuple[Any, Any, Any]] = []
        for op_type, op in (next(iter(item.items())) for item in transact_items):
            table = backend.get_table(op["TableName"])
            key = op["Key"] if op_type == "ConditionCheck" else _key_of(table, op["Item"])
            unique = (op["TableName"], json.dumps(key, sort_keys=True))
            if unique in keys:
                raise MultipleTransactionsException()
            keys.add(unique)
            reasons.append(_condition(backend, op, key))
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)
        for op_type, op in (next(iter(item.items())) for item in transact_items):
            if op_type == "Put":
                backend.put_item(op["TableName"], op["Item"])


def _key_of(table: Any, attributes: dict[str, Any]) -> dict[str, Any]:
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


def _condition(backend: Any, op: dict[str, Any], key: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(None, None, None) if the op's condition holds, else moto's cancellation reason."""
    from moto.dynamodb.comparisons import get_filter_expression

    expression = op.get("ConditionExpression")
    if expression is None:
        return None, None, None
    current = backend.get_item(op["TableName"], key)
    condition = get_filter_expression(
        expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if condition.expr(current):
        return None, None, None
    old = (
        current.to_json()["Attributes"]
        if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        else None
    )
    return "ConditionalCheckFailed", "The conditional request failed", old


def remembered(token: str, fingerprint: str) -> bool:
    """True if this token already committed this very transaction within the window."""
    from moto.dynamodb.exceptions import DynamodbException

    with _TOKENS_LOCK:
        seen = _TOKENS.get(token)
    if seen is None or time.monotonic() - seen[1] > TOKEN_WINDOW_S:
        return False
    if seen[0] != fingerprint:
        raise DynamodbException(
            "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
            "the ClientRequestToken was used with a different transaction",
        )
    return True


def remember(token: str, fingerprint: str) -> None:
    now = time.monotonic()
    with _TOKENS_LOCK:
        _TOKENS[token] = (fingerprint, now)
        for stale in [t for t, (_, at) in _TOKENS.items() if now - at > TOKEN_WINDOW_S]:
            del _TOKENS[stale]
