"""process_order against the in-memory fakes: each simulator input ends in its final
state, with the ledger, the history and the published events to match."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.commands import ProcessOrder
from chalicelib.domain.models import OrderStatus
from chalicelib.exceptions import GatewayUnavailable, RetryableProcessingError, UnprocessableRecord
from chalicelib.service_layer import processing
from chalicelib.service_layer.retry import RetryPolicy
from chalicelib.settings import Settings
from tests.unit.processing_doubles import Intercepted, SleepRecorder, world

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
    assert w.repository.written_by[order.order_id] == processing.PROCESSOR
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
    assert "tok_mastercard" in (rejected.reason or "")
    assert w.ledger.count("charge") == 0


def test_a_flaky_provider_is_retried_inside_the_invocation_with_jittered_backoff() -> None:
    sleep = SleepRecorder()
    policy = RetryPolicy(attempts=3, base_delay_s=0.1, max_delay_s=0.15, sleep=sleep, jitter=lambda: 0.5)
    w = world(retry=policy)
    order = w.place("tok_flaky")

    confirmed = w.process(order.order_id)

    assert confirmed.status is S.CONFIRMED
    assert confirmed.attempts == 0
    # Two transient failures, two waits: 0.1 * 2**0, then 0.1 * 2**1 capped at 0.15; each halved by jitter.
    assert sleep.delays == pytest.approx([0.05, 0.075])
    assert w.ledger.count("charge") == 1


def test_a_provider_that_stays_down_costs_attempts_then_fails_the_order() -> None:
    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, max_processing_attempts=3))
    order = w.place("tok_down")

    for attempt in (1, 2):
        with pytest.raises(RetryableProcessingError):
            w.process(order.order_id)
        pending = w.stored(order.order_id)
        assert (pending.status, pending.attempts) == (S.PENDING, attempt)
        assert "unavailable" in (pending.reason or "")
        assert w.events_for(order.order_id) == []
    failed = w.process(order.order_id)

    assert failed.status is S.FAILED
    assert failed.attempts == 3
    assert "gave up after 3 attempts" in (failed.reason or "")
    assert w.events_for(order.order_id) == ["OrderFailed"]
    assert w.ledger.count("charge") == 0


def test_shipping_that_stays_down_fails_the_order_and_refunds_the_charge() -> None:
    def down(name: str) -> None:
        raise GatewayUnavailable("carrier down")

    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, max_processing_attempts=2))
    deps = replace(w.deps, shipping=Intercepted(w.deps.shipping, before=down))
    order = w.place("tok_visa")

    with pytest.raises(RetryableProcessingError):
        w.process(order.order_id, deps)
    assert w.stored(order.order_id).status is S.PAID
    failed = w.process(order.order_id, deps)

    assert failed.status is S.FAILED
    assert failed.refund_id == w.refund(order.order_id)["refund_id"]  # type: ignore[index]
    assert w.refund(order.order_id)["payment_id"] == failed.payment_id  # type: ignore[index]
    assert w.events_for(order.order_id) == ["OrderFailed"]


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


def test_a_charge_whose_answer_is_lost_is_refunded_when_the_order_fails() -> None:
    """The provider charged, but every answer timed out: when the order gives up, the
    customer must not stay charged."""

    def answer_lost(name: str) -> None:
        if name == "charge":
            raise GatewayUnavailable("timed out after the provider charged")

    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, max_processing_attempts=2))
    deps = replace(w.deps, payments=Intercepted(w.deps.payments, after=answer_lost))
    order = w.place("tok_visa")

    with pytest.raises(RetryableProcessingError):
        w.process(order.order_id, deps)
    failed = w.process(order.order_id, deps)

    assert failed.status is S.FAILED
    assert w.charge(order.order_id) is not None, "the provider did charge"
    assert w.refund(order.order_id) is not None, "FAILED order left charged without a refund"


def test_a_confirmed_order_carries_no_failure_reason_from_an_earlier_attempt() -> None:
    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, gateway_retry_attempts=1))
    order = w.place("tok_flaky")
    with pytest.raises(RetryableProcessingError):
        w.process(order.order_id)
    assert w.stored(order.order_id).reason is not None, "a pending order says why it is waiting"
    with pytest.raises(RetryableProcessingError):
        w.process(order.order_id)

    confirmed = w.process(order.order_id)

    assert confirmed.status is S.CONFIRMED
    assert confirmed.reason is None
