"""The stream handler on moto, fed events built only from records read back from the
table's real stream (a poison record is a real record, spoiled)."""

from __future__ import annotations

import copy
from typing import Any

from chalicelib.bootstrap import Container
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import OrderStatus
from tests.conftest import TABLE_NAME
from tests.integration.processing_support import (
    Books,
    StreamTail,
    deliver,
    place,
    sequence_numbers,
    stored,
    use_processing,
)
from tests.unit.processing_doubles import Intercepted, fail_once_on

S = OrderStatus


def test_a_declined_payment_is_rejected_without_failing_the_batch(
    moto_api: Any, moto_container: Container, dynamodb: Any, stream_arn: str
) -> None:
    order_id = place(moto_api, "tok_decline")

    assert deliver(StreamTail(stream_arn).new_records()) == []

    order = stored(moto_container, order_id)
    assert order.status is S.REJECTED
    assert "declined" in (order.reason or "")
    assert Books(dynamodb).counts() == (0, 0, 0)


def test_a_refused_shipment_is_rejected_and_its_charge_refunded(
    moto_api: Any, moto_container: Container, dynamodb: Any, stream_arn: str
) -> None:
    order_id = place(moto_api, "tok_visa", country="AQ")

    assert deliver(StreamTail(stream_arn).new_records()) == []

    books, order = Books(dynamodb), stored(moto_container, order_id)
    charge, refund = books.charge(order_id), books.refund(order_id)
    assert order.status is S.REJECTED
    assert charge is not None and refund is not None
    assert (order.payment_id, order.refund_id) == (charge["payment_id"], refund["refund_id"])
    assert refund["payment_id"] == charge["payment_id"]
    assert books.counts() == (1, 1, 0)


def test_a_poison_record_holds_back_the_records_behind_it_until_it_is_dropped(
    moto_api: Any, moto_container: Container, stream_arn: str
) -> None:
    tail = StreamTail(stream_arn)
    first, spoiled, second, third = (place(moto_api) for _ in range(4))
    records = tail.new_records()
    poison = copy.deepcopy(records[1])
    del poison["dynamodb"]["NewImage"]["order_id"]
    batch = [records[0], poison, records[2], records[3]]

    assert deliver(batch) == sequence_numbers(batch[1:])
    assert deliver(batch[1:]) == sequence_numbers(batch[1:]), "Lambda retries from the failed record"
    assert [stored(moto_container, i).status for i in (first, second, third)] == [S.CONFIRMED, S.PENDING, S.PENDING]
    assert deliver(batch[2:]) == []  # the retry cap sent the poison to the DLQ

    assert [stored(moto_container, i).status for i in (second, third)] == [S.CONFIRMED, S.CONFIRMED]
    assert stored(moto_container, spoiled).status is S.PENDING, "left for reconcile"


def test_an_order_item_that_is_no_valid_order_is_reported(
    moto_api: Any, moto_container: Container, dynamodb: Any, stream_arn: str
) -> None:
    tail = StreamTail(stream_arn)
    bogus = new_order_id()
    dynamodb.put_item(
        TableName=TABLE_NAME,
        Item={
            "pk": {"S": f"ORDER#{bogus}"},
            "sk": {"S": "ORDER"},
            "order_id": {"S": bogus},
            "entity": {"S": "order"},
            "status": {"S": "PENDING"},
            "written_by": {"S": "intake"},
        },
    )
    behind = place(moto_api)
    batch = tail.new_records()

    assert deliver(batch) == sequence_numbers(batch)
    assert stored(moto_container, behind).status is S.PENDING
    assert deliver(batch[1:]) == []
    assert stored(moto_container, behind).status is S.CONFIRMED


def test_a_crash_between_the_charge_and_its_record_charges_once(
    moto_api: Any, moto_container: Container, dynamodb: Any, stream_arn: str
) -> None:
    order_id = place(moto_api, "tok_visa")
    records = StreamTail(stream_arn).new_records()
    repository = moto_container.processing.repository
    use_processing(moto_container, repository=Intercepted(repository, before=fail_once_on("save", RuntimeError())))
    books = Books(dynamodb)

    assert deliver(records) == sequence_numbers(records)
    charge = books.charge(order_id)
    assert charge is not None and stored(moto_container, order_id).status is S.PENDING
    assert deliver(records) == []  # the redelivery
    assert deliver(records) == []  # and a duplicate of it

    order = stored(moto_container, order_id)
    assert order.status is S.CONFIRMED
    assert order.payment_id == charge["payment_id"]
    assert books.counts() == (1, 0, 1)


def test_a_flaky_provider_is_retried_within_one_invocation(
    moto_api: Any, moto_container: Container, stream_arn: str
) -> None:
    order_id = place(moto_api, "tok_flaky")

    assert deliver(StreamTail(stream_arn).new_records()) == []
    assert stored(moto_container, order_id).status is S.CONFIRMED
