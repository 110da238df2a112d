"""process_order against the in-memory fakes: each simulator input ends in its final
state, with the ledger, the history and the published events to match."""

from __future__ import annotations

import pytest

from chalicelib.domain.commands import ProcessOrder
from chalicelib.domain.models import OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import UnprocessableRecord
from chalicelib.service_layer import processing
from tests.unit.processing_doubles import world

S = OrderStatus


def test_an_approved_order_is_confirmed_with_its_payment_and_tracking_number() -> None:
    w = world()
    order = w.place("tok_visa")

    confirmed = w.process(order.order_id)

    charge = w.charge(order.order_id)
    assert charge is not None
    assert confirmed == w.stored(order.order_id)
    assert confirmed.status is S.CONFIRMED
    assert confirmed.payment_id == charge["payment_id"]
    assert charge["amount"] == str(order.total)
    assert confirmed.tracking_number == w.shipment(order.order_id)["tracking_number"]  # type: ignore[index]
    assert [entry.status for entry in confirmed.history] == [S.PENDING, S.PAID, S.CONFIRMED]
    assert w.repository.written_by[order.order_id] == Writer.PROCESSOR
    assert w.events_for(order.order_id) == ["OrderConfirmed"]
    assert w.ledger.count("refund") == 0


def test_a_declined_payment_rejects_the_order_without_charging() -> None:
    w = world()
    order = w.place("tok_decline")

    rejected = w.process(order.order_id)

    assert rejected.status is S.REJECTED
    assert "declined" in (rejected.reason or "")
    assert rejected.payment_id is None
    assert w.ledger.count("charge") == 0
    assert w.shipment(order.order_id) is None
    assert [entry.status for entry in rejected.history] == [S.PENDING, S.REJECTED]
    assert w.events_for(order.order_id) == ["OrderRejected"]


def test_an_unknown_token_is_rejected() -> None:
    w = world()
    order = w.place("tok_mastercard")

    rejected = w.process(order.order_id)

    assert rejected.status is S.REJECTED
    # The reason is shown to the customer and published: it names the problem, never the token.
    assert "unknown payment token" in (rejected.reason or "") and "tok_mastercard" not in (rejected.reason or "")
    assert w.ledger.count("charge") == 0


def test_a_refused_shipment_rejects_the_order_and_refunds_its_charge() -> None:
    w = world()
    order = w.place("tok_visa", country="AQ")

    rejected = w.process(order.order_id)

    refund = w.refund(order.order_id)
    assert rejected.status is S.REJECTED
    assert "shipping refused" in (rejected.reason or "")
    assert refund is not None
    assert rejected.refund_id == refund["refund_id"]
    assert refund["payment_id"] == rejected.payment_id
    assert (w.ledger.count("charge"), w.ledger.count("refund"), w.ledger.count("shipment")) == (1, 1, 0)
    assert [entry.status for entry in rejected.history] == [S.PENDING, S.PAID, S.REJECTED]
    assert w.events_for(order.order_id) == ["OrderRejected"]
    assert w.publisher.events[-1].refund_id == refund["refund_id"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("token", "country", "event"),
    [("tok_visa", "GB", "OrderConfirmed"), ("tok_decline", "GB", "OrderRejected"), ("tok_visa", "AQ", "OrderRejected")],
)
def test_redelivering_a_final_order_changes_nothing_and_publishes_nothing(token: str, country: str, event: str) -> None:
    w = world()
    order = w.place(token, country)
    final = w.process(order.order_id)
    writes, entries, events = w.repository.writes, dict(w.ledger.entries), list(w.publisher.events)

    for _ in range(3):
        assert w.process(order.order_id) == final

    assert w.events_for(order.order_id) == [event]
    assert (w.repository.writes, w.ledger.entries, w.publisher.events) == (writes, entries, events)


def test_a_record_for_a_missing_order_can_never_succeed() -> None:
    with pytest.raises(UnprocessableRecord):
        processing.process_order(ProcessOrder(order_id="01ARZ3NDEKTSV4RRFFQ69G5FAV"), world().deps)
