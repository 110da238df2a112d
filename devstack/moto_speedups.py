"""Two fixes to moto's speed, so that the local stack keeps up with a steady load. Each
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
"""

from __future__ import annotations

import calendar
import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

_SENDING = threading.local()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):  # moto keeps naive UTC; the wire format is epoch seconds
        return calendar.timegm(value.utctimetuple()) + (value.microsecond // 1000) / 1000  # milliseconds, as moto
    raise TypeError(f"cannot serialise {type(value).__name__}")


def install() -> Callable[[], None]:
    """Patch moto in this process; return what undoes it (for tests)."""
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
    from moto.sqs.models import Queue, SQSBackend

    original_get_records = DynamoDBStreamsHandler.get_records
    original_send = SQSBackend.send_message
    original_attributes = Queue.attributes

    def get_records(self: Any) -> str:
        limit = self._get_param("Limit")
        result = self.backend.get_records(self._get_param("ShardIterator"), 1000 if limit is None else limit)
        return json.dumps(result, default=_json_default)

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
        result: dict[str, Any] = original_attributes.fget(self)  # type: ignore[attr-defined]
        return result

    setattr(DynamoDBStreamsHandler, "get_records", get_records)  # noqa: B010 - a monkeypatch, on purpose
    setattr(SQSBackend, "send_message", send_message)  # noqa: B010
    setattr(Queue, "attributes", property(attributes))  # noqa: B010

    def undo() -> None:
        setattr(DynamoDBStreamsHandler, "get_records", original_get_records)  # noqa: B010
        setattr(SQSBackend, "send_message", original_send)  # noqa: B010
        setattr(Queue, "attributes", original_attributes)  # noqa: B010

    return undo
