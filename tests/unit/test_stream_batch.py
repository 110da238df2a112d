"""The fail-fast batch processor: which records reach the service, and which are
reported back to Lambda as batch item failures."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chalicelib.domain.commands import ProcessOrder
from chalicelib.domain.models import OrderStatus
from chalicelib.entrypoints import stream
from chalicelib.exceptions import RetryableProcessingError, UnprocessableRecord
from chalicelib.service_layer import processing
from tests.unit.fake_stream import Record, streaming_world


class Handler:
    """The service stand-in: records each command, fails for the order ids it is told to."""

    def __init__(self, failing: dict[str, Exception] | None = None) -> None:
        self.failing = failing or {}
        self.seen: list[str] = []

    def __call__(self, command: ProcessOrder) -> None:
        self.seen.append(command.order_id)
        if command.order_id in self.failing:
            raise self.failing[command.order_id]


class WarningRecorder:
    def __init__(self) -> None:
        self.warnings: list[dict[str, Any]] = []

    def warning(self, message: str, extra: dict[str, Any]) -> None:
        self.warnings.append(extra)


def placed_records(count: int) -> tuple[list[str], list[Record]]:
    w, fake = streaming_world()
    ids = [w.place().order_id for _ in range(count)]
    return ids, list(fake.records)


def sequence_numbers(records: list[Record]) -> list[str]:
    return [record["dynamodb"]["SequenceNumber"] for record in records]


def failures(response: dict[str, Any]) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def test_each_pending_order_reaches_the_service_once_and_in_order() -> None:
    ids, records = placed_records(3)
    handler = Handler()

    assert stream.process_batch(records, handler) == {"batchItemFailures": []}
    assert handler.seen == ids


def test_an_empty_batch_reports_nothing() -> None:
    assert stream.process_batch([], Handler()) == {"batchItemFailures": []}


def test_fail_fast_reports_the_failing_record_and_every_later_one() -> None:
    ids, records = placed_records(4)
    handler = Handler({ids[1]: RetryableProcessingError("provider down")})

    response = stream.process_batch(records, handler)

    assert failures(response) == sequence_numbers(records[1:])
    assert handler.seen == ids[:2], "records behind a failure must not overtake it"


def test_records_needing_no_work_never_reach_the_service() -> None:
    w, fake = streaming_world()
    orders = [w.place("tok_visa"), w.place("tok_flaky", "AQ"), w.place("tok_decline")]
    for order in orders:
        w.process(order.order_id)
    handler = Handler()

    assert stream.process_batch(fake.records, handler) == {"batchItemFailures": []}
    assert handler.seen == [order.order_id for order in orders]
    assert len(fake.records) > 3 * len(orders), "processing's own writes were in the batch too"


def test_a_skipped_record_behind_a_failure_is_reported_too() -> None:
    w, fake = streaming_world()
    order = w.place("tok_visa")
    w.process(order.order_id)
    handler = Handler({order.order_id: RetryableProcessingError("again")})

    response = stream.process_batch(fake.records, handler)

    assert failures(response) == sequence_numbers(fake.records)
    assert handler.seen == [order.order_id]


def _without_order_id(image: dict[str, Any]) -> None:
    del image["order_id"]


def _malformed_order_id(image: dict[str, Any]) -> None:
    image["order_id"] = {"S": "not-a-ulid"}


def _numeric_order_id(image: dict[str, Any]) -> None:
    image["order_id"] = {"N": "42"}


@pytest.mark.parametrize("spoil", [_without_order_id, _malformed_order_id, _numeric_order_id])
def test_a_poison_record_is_reported_as_unprocessable_with_everything_behind_it(
    spoil: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, records = placed_records(3)
    poison = copy.deepcopy(records[1])
    spoil(poison["dynamodb"]["NewImage"])
    batch = [records[0], poison, records[2]]
    logged = WarningRecorder()
    monkeypatch.setattr(stream, "logger", logged)
    handler = Handler()

    response = stream.process_batch(batch, handler)

    assert stream.needs_processing(poison), "the poison passes the filter: only parsing can catch it"
    assert failures(response) == sequence_numbers(batch[1:])
    assert handler.seen == [ids[0]]
    assert "UnprocessableRecord" in logged.warnings[0]["error"]
    with pytest.raises(UnprocessableRecord):
        stream.command_for(poison)


def test_an_order_the_service_cannot_find_is_reported() -> None:
    ids, records = placed_records(2)
    handler = Handler({ids[0]: UnprocessableRecord("order does not exist")})

    assert failures(stream.process_batch(records, handler)) == sequence_numbers(records)


def test_with_the_real_service_a_provider_outage_holds_up_no_other_order() -> None:
    """The down order is put on the retry queue and its record is done: the order behind
    it completes in the same invocation, and nothing is reported for re-delivery."""
    w, fake = streaming_world()
    approved, declined, down, behind = w.place("tok_visa"), w.place("tok_decline"), w.place("tok_down"), w.place()
    records = list(fake.records)

    response = stream.process_batch(records, lambda command: processing.process_order(command, w.deps))

    assert failures(response) == []
    statuses = [w.stored(order.order_id).status for order in (approved, declined, down, behind)]
    assert statuses == [OrderStatus.CONFIRMED, OrderStatus.REJECTED, OrderStatus.PENDING, OrderStatus.CONFIRMED]
    assert w.stored(down.order_id).attempts == 1
    assert [(retry.order_id, retry.attempt) for retry, _ in w.retries.scheduled] == [(down.order_id, 1)]


def test_with_the_real_service_a_retry_queue_that_refuses_fails_the_batch_from_that_record() -> None:
    """Not about one order: the record stays on the stream, with every one behind it."""
    w, fake = streaming_world()
    w.retries.refuse = lambda retry: True
    approved, down, behind = w.place("tok_visa"), w.place("tok_down"), w.place()
    records = list(fake.records)

    response = stream.process_batch(records, lambda command: processing.process_order(command, w.deps))

    assert failures(response) == sequence_numbers(records[1:])
    statuses = [w.stored(order.order_id).status for order in (approved, down, behind)]
    assert statuses == [OrderStatus.CONFIRMED, OrderStatus.PENDING, OrderStatus.PENDING]
    w.retries.refuse = None
    again = stream.process_batch(records[1:], lambda command: processing.process_order(command, w.deps))
    assert failures(again) == []
    assert w.stored(behind.order_id).status is OrderStatus.CONFIRMED
    assert [retry.attempt for retry, _ in w.retries.scheduled] == [2], "the attempt the refused send counted, plus one"
