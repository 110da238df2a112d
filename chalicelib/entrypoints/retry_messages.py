"""The retry queue's side: turns SQS messages into RetryOrder commands and reports
Lambda's partial-batch response (ReportBatchItemFailures).

Unlike the stream, a queue keeps no order, so each message stands alone: a failed one
is reported and the rest go on. A message that fails every time (a poison message: an
unreadable body, an unknown order) goes to the dead-letter queue by the queue's own
redrive policy once its receive count is spent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.commands import RetryOrder
from chalicelib.domain.ids import is_order_id
from chalicelib.exceptions import UnprocessableRecord
from chalicelib.observability import logger, metrics, order_context

Message = dict[str, Any]


def command_for(message: Message) -> RetryOrder:
    message_id = message.get("messageId")
    try:
        body = json.loads(message["body"])
        if not isinstance(body, dict) or set(body) != {"order_id", "attempt"}:
            raise ValueError("a retry names exactly the order and the attempt")
        received = _receive_count(message)
        command = RetryOrder.model_validate({**body, "redelivered": received is not None and int(received) > 1})
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise UnprocessableRecord(f"message {message_id} is not a retry: {type(error).__name__}") from error
    if not is_order_id(command.order_id):
        raise UnprocessableRecord(f"message {message_id} has a malformed order_id")
    return command


def retry_batch(messages: Iterable[Message], handle: Callable[[RetryOrder], object]) -> dict[str, Any]:
    failed: list[str] = []
    for message in messages:
        message_id = str(message.get("messageId", ""))
        try:
            command = command_for(message)
            with order_context(command.order_id):
                handle(command)
        except Exception as error:  # reported: the message comes back after its visibility timeout
            logger.warning(
                "retry message failed; reporting it",
                extra={"message_id": message_id, "error": repr(error), "receive_count": _receive_count(message)},
            )
            failed.append(message_id)
    if failed:
        metrics.add_metric(name="RetryMessagesFailed", unit="Count", value=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _receive_count(message: Message) -> str | None:
    attributes = message.get("attributes")
    count = attributes.get("ApproximateReceiveCount") if isinstance(attributes, dict) else None
    return str(count) if count is not None else None
