"""The stream side: turns DynamoDB stream records into ProcessOrder commands (the
processor) and AnnounceChanges commands (the outbox publisher), and reports Lambda's
partial-batch response.

Fail fast: at the first record that fails, it stops and reports that record and every
later one, so records of one order are never handled out of order. Powertools'
BatchProcessor keeps going after a failure (its issue #2850), hence this small loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import ValidationError

from chalicelib.domain.commands import AnnounceChanges, ProcessOrder, RecordedChange
from chalicelib.domain.ids import is_order_id
from chalicelib.event_filter import matches
from chalicelib.exceptions import UnprocessableRecord
from chalicelib.observability import logger, metrics, order_context
from chalicelib.resources import load_resources

Record = dict[str, Any]


def needs_processing(record: Record) -> bool:
    """The event-source filter, checked again in code: a filter is no guarantee."""
    return matches(load_resources().stream_mapping.filter_pattern, record)


def command_for(record: Record) -> ProcessOrder:
    try:
        image = record["dynamodb"]["NewImage"]
        order_id = image["order_id"]["S"]
    except (KeyError, TypeError) as error:
        raise UnprocessableRecord(f"record {record.get('eventID')} has no order_id in its new image") from error
    if not is_order_id(order_id):
        raise UnprocessableRecord(f"record {record.get('eventID')} has a malformed order_id")
    try:
        return ProcessOrder(order_id=order_id)
    except ValidationError as error:
        raise UnprocessableRecord(str(error)) from error


def process_batch(records: Iterable[Record], handle: Callable[[ProcessOrder], object]) -> dict[str, Any]:
    failed: list[str] = []
    for record in records:
        sequence_number = str(record.get("dynamodb", {}).get("SequenceNumber", ""))
        if failed:
            failed.append(sequence_number)
            continue
        if not needs_processing(record):
            metrics.add_metric(name="RecordsSkipped", unit="Count", value=1)
            continue
        try:
            command = command_for(record)
            with order_context(command.order_id):
                handle(command)
        except Exception as error:  # every failure is reported; the mapping's retry cap ends poison
            logger.warning(
                "record failed; reporting it and every later record",
                extra={"sequence_number": sequence_number, "error": repr(error)},
            )
            failed.append(sequence_number)
    return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}


def needs_announcing(record: Record) -> bool:
    """The publisher's filter, checked again in code. Whether the status changed is
    decided by the service, from both images: a filter cannot compare them."""
    return matches(load_resources().events_mapping.filter_pattern, record)


def announce_batch(records: list[Record], announce: Callable[[AnnounceChanges], list[str]]) -> dict[str, Any]:
    changes = []
    for record in records:
        if not needs_announcing(record):
            continue
        dynamodb = record.get("dynamodb", {})
        changes.append(
            RecordedChange(
                record_id=str(dynamodb.get("SequenceNumber", "")),
                old_image=dynamodb.get("OldImage"),
                new_image=dynamodb.get("NewImage", {}),
            )
        )
    try:
        failed = announce(AnnounceChanges(changes=tuple(changes))) if changes else []
    except Exception as error:  # an unreadable image: the whole batch again, bisected to the culprit
        logger.warning("announcing the batch failed", extra={"error": repr(error)})
        failed = [change.record_id for change in changes]
    if failed:
        metrics.add_metric(name="EventsDeferred", unit="Count", value=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": number} for number in failed]}
