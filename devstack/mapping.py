"""The error handling of Lambda's event-source mapping for one batch of stream records.

Rules, from the Lambda documentation for DynamoDB streams:
- A full success checkpoints after the batch's last record.
- With ReportBatchItemFailures, the lowest failed sequence number wins: the records
  before it are checkpointed, and only the records from it on are retried.
- An invalid partial response (empty, unknown or missing itemIdentifier) and an
  exception are complete failures; with BisectBatchOnFunctionError the failed batch is
  split in two halves, each retried in order. Splitting does not count as a retry.
- After MaximumRetryAttempts retries, or once a record is older than
  MaximumRecordAgeInSeconds, the records are sent to the on-failure destination and
  skipped.
Where the documentation is silent, this emulation chooses (docs/local-stack.md):
retries are counted per head record and restart when the checkpoint moves on, and a
retried remainder that fails again at its first record is bisected like a failure.
So a poison record is isolated and dead-lettered alone; the records behind it run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from devstack.lambda_shapes import RECORD_AGE_EXCEEDED, RETRY_ATTEMPTS_EXHAUSTED, Record, created_at, sequence_number


@dataclass(frozen=True)
class Settings:
    batch_size: int = 100
    batching_window_s: float = 0.0
    max_retry_attempts: int = 6  # -1: retry until the record expires, as in Lambda
    bisect_on_error: bool = True
    max_record_age_s: int = 3600  # -1: never expire
    report_batch_item_failures: bool = True
    retry_delay_s: float = 0.1


@dataclass(frozen=True)
class Result:
    """One invocation: None failed index is a full success."""

    failed_index: int | None
    request_id: str
    function_error: str | None = None  # "Unhandled" when the function raised


@dataclass
class _Segment:
    records: list[Record]
    failures: int = 0  # failed invocations with this head record
    invokes: int = 0
    last: Result | None = field(default=None)


Invoke = Callable[[list[Record]], Result]
DeadLetter = Callable[[list[Record], str, Result | None, int], None]
Advance = Callable[[Record], None]


def interpret(response: Any, records: Sequence[Record], report_failures: bool) -> int | None:
    """The index of the lowest failed record in a handler response, or None if all passed.
    An invalid response fails the whole batch (index 0)."""
    if not report_failures or not response or not isinstance(response, dict):
        return None
    failures = response.get("batchItemFailures")
    if not failures:
        return None
    positions = {sequence_number(record): index for index, record in enumerate(records)}
    indexes = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or str(identifier) not in positions:
            return 0
        indexes.append(positions[str(identifier)])
    return min(indexes)


def deliver(
    records: list[Record],
    settings: Settings,
    invoke: Invoke,
    dead_letter: DeadLetter,
    advance: Advance,
    stopping: Callable[[], bool] = lambda: False,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Drive one batch to completion: every record ends processed or dead-lettered, and
    `advance` is called after each contiguous prefix. False if stopped part-way."""
    pending = [_Segment(records)] if records else []
    while pending:
        if stopping():
            return False
        segment = pending.pop(0)
        expired = _expired_prefix(segment.records, settings, now())
        if expired:
            dead_letter(segment.records[:expired], RECORD_AGE_EXCEEDED, segment.last, segment.invokes)
            advance(segment.records[expired - 1])
            segment = _Segment(segment.records[expired:], segment.failures, segment.invokes, segment.last)
            if not segment.records:
                continue
        result = invoke(segment.records)
        segment.invokes += 1
        segment.last = result
        failed = result.failed_index
        if failed is None:
            advance(segment.records[-1])
        elif failed > 0:
            advance(segment.records[failed - 1])
            rest = _Segment(segment.records[failed:], failures=0, invokes=1, last=result)
            pending[0:0] = _count_failure(rest, settings, dead_letter, advance, sleep)
        elif settings.bisect_on_error and len(segment.records) > 1:
            # Splitting is no retry. The first half keeps the failing head and its count;
            # the second half's head has not failed yet.
            middle = len(segment.records) // 2
            pending[0:0] = [
                _Segment(segment.records[:middle], segment.failures, segment.invokes, result),
                _Segment(segment.records[middle:], 0, segment.invokes, result),
            ]
        else:
            pending[0:0] = _count_failure(segment, settings, dead_letter, advance, sleep)
    return True


def _count_failure(
    segment: _Segment, settings: Settings, dead_letter: DeadLetter, advance: Advance, sleep: Callable[[float], None]
) -> list[_Segment]:
    """Count a failed invocation; dead-letter the segment once its retries are spent."""
    segment.failures += 1
    if 0 <= settings.max_retry_attempts < segment.failures:
        dead_letter(segment.records, RETRY_ATTEMPTS_EXHAUSTED, segment.last, segment.invokes)
        advance(segment.records[-1])
        return []
    sleep(min(settings.retry_delay_s * segment.failures, 1.0))
    return [segment]


def _expired_prefix(records: list[Record], settings: Settings, now: float) -> int:
    if settings.max_record_age_s < 0:
        return 0
    count = 0
    for record in records:
        if now - created_at(record) <= settings.max_record_age_s:
            break
        count += 1
    return count
