"""Fixes to moto's speed, so that the local stack keeps up with a steady load. Each
changes how fast moto answers, never what it answers (tests/integration/test_moto_speedups.py
compares the answers with and without them).

- GetRecords: moto turns each stream record into its JSON answer through its generic,
  model-driven serializer, about 7 ms per record here (200 records: 1.4 s; json.dumps of
  the same: 9 ms). Two stream workers read every record, so at 10 orders/s this alone
  kept moto's one core busy and processing fell minutes behind. The records are already
  in DynamoDB's JSON shape; here they are dumped as they are.
- SendMessage: moto asks the queue for all its attributes to read one of them
  (ContentBasedDeduplication), which walks every message to count them, so each send
  cost time in proportion to the queue's depth. The example order-events queue fills
  with three events per order until someone runs `make events`. Here a send reads the
  one attribute it needs.
- Dispatch: to find the service a request is for, moto's server lists its own package
  directory (os.listdir and an isdir per entry, about 200) and then tries its URL
  patterns, for every request and under one lock that all request threads share: in an
  outage drill, py-spy put 15% of moto's samples there. The answer depends only on the
  host name it is asked about, so here it is remembered per host name.
- DynamoDB answers: moto builds each answer through the same generic serializer, walking
  every attribute of every item against the service model (16% of moto's busy samples
  in the drill). The item operations' results are already in DynamoDB's JSON shape, so
  here they are dumped as they are; anything that is not plain JSON (binary values) takes
  moto's own path. SQS: checking a received message's retention period asked the queue
  for all its attributes, which walks every message; here it reads the one it needs.
"""

from __future__ import annotations

import calendar
import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

_SENDING = threading.local()
# The item operations the service and the local stack call; their results hold items,
# keys, counts and consumed capacity, nothing that needs the service model to render.
ITEM_ACTIONS = frozenset(
    {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "TransactWriteItems"}
)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):  # moto keeps naive UTC; the wire format is epoch seconds
        return calendar.timegm(value.utctimetuple()) + (value.microsecond // 1000) / 1000  # milliseconds, as moto
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _plain(value: Any) -> Any:
    """The result with None members dropped, as the serializer drops them."""
    if isinstance(value, dict):
        return {key: _plain(member) for key, member in value.items() if member is not None}
    if isinstance(value, list):
        return [_plain(member) for member in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(type(value).__name__)  # bytes, datetimes, sets: moto's own serializer


def install() -> Callable[[], None]:
    """Patch moto in this process; return what undoes it (for tests)."""
    return undo_all([*_stream_records(), *_queues(), *_dispatch(), *_dynamodb_answers()])


def undo_all(restores: list[Callable[[], None]]) -> Callable[[], None]:
    """One undo for several replacements, last replaced first restored."""

    def undo() -> None:
        for restore in reversed(restores):
            restore()

    return undo


def replace_attribute(owner: Any, name: str, replacement: Any) -> Callable[[], None]:
    """Set owner.name; the undo puts back the class's own attribute, or removes the
    replacement when the original was inherited."""
    own = owner.__dict__.get(name)
    setattr(owner, name, replacement)
    return lambda: setattr(owner, name, own) if own is not None else delattr(owner, name)


def _stream_records() -> list[Callable[[], None]]:
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    def get_records(self: Any) -> str:
        limit = self._get_param("Limit")
        result = self.backend.get_records(self._get_param("ShardIterator"), 1000 if limit is None else limit)
        return json.dumps(result, default=_json_default)

    return [replace_attribute(DynamoDBStreamsHandler, "get_records", get_records)]


def _queues() -> list[Callable[[], None]]:
    from moto.core.utils import unix_time
    from moto.sqs.models import Queue, SQSBackend

    original_send, original_attributes = SQSBackend.send_message, Queue.__dict__["attributes"]

    def send_message(self: Any, *args: Any, **kwargs: Any) -> Any:
        _SENDING.active = True
        try:
            return original_send(self, *args, **kwargs)
        finally:
            _SENDING.active = False

    def attributes(self: Any) -> dict[str, Any]:
        if getattr(_SENDING, "active", False):
            deduplicated = bool(self.fifo_queue and getattr(self, "content_based_deduplication", False))
            return {"ContentBasedDeduplication": "true"} if deduplicated else {}
        result: dict[str, Any] = original_attributes.fget(self)
        return result

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retention_s = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention_s + message.sent_timestamp / 1000 > unix_time())

    return [
        replace_attribute(SQSBackend, "send_message", send_message),
        replace_attribute(Queue, "attributes", property(attributes)),
        replace_attribute(
            SQSBackend, "is_message_valid_based_on_retention_period", is_message_valid_based_on_retention_period
        ),
    ]


def _dispatch() -> list[Callable[[], None]]:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.get_backend_for_host
    backends_by_host: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        # Called under the dispatcher's lock, so the dict needs no lock of its own.
        if host not in backends_by_host:
            backends_by_host[host] = original(self, host)
        return backends_by_host[host]

    return [replace_attribute(DomainDispatcherApplication, "get_backend_for_host", get_backend_for_host)]


def _dynamodb_answers() -> list[Callable[[], None]]:
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.serialized

    def serialized(self: Any, action_result: ActionResult) -> Any:
        result = action_result.result
        if isinstance(result, dict) and self._get_action() in ITEM_ACTIONS:
            try:
                body = json.dumps(_plain(result), separators=(",", ":"))
            except TypeError:
                return original(self, action_result)
            return 200, {"Content-Type": "application/x-amz-json-1.0", **self.response_headers}, body
        return original(self, action_result)

    return [replace_attribute(DynamoHandler, "serialized", serialized)]
