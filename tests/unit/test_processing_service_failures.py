"""process_order and retry_order against the in-memory fakes when providers fail: retries
in process, then through the retry queue, attempts that run out, and refunds for orders
that fail after a charge."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.models import Order, OrderStatus
from chalicelib.exceptions import GatewayUnavailable
from chalicelib.service_layer.retry import RetryPolicy
from chalicelib.settings import Settings
from tests.unit.processing_doubles import Intercepted, SleepRecorder, World, world

S = OrderStatus


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


def next_retry(w: World) -> Order:
    """The one retry scheduled since the last call, delivered."""
    (retry,) = w.retries.take()
    return w.retry(retry)


def test_a_provider_that_stays_down_costs_attempts_then_fails_the_order() -> None:
    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, max_processing_attempts=3))
    order = w.place("tok_down")

    w.process(order.order_id)
    for attempt in (1, 2):
        pending = w.stored(order.order_id)
        assert (pending.status, pending.attempts) == (S.PENDING, attempt)
        assert "unavailable" in (pending.reason or "")
        assert [retry.attempt for retry, _ in w.retries.scheduled] == [attempt]
        assert w.events_for(order.order_id) == []
        next_retry(w)
    failed = w.stored(order.order_id)

    assert failed.status is S.FAILED
    assert failed.attempts == 3
    assert "gave up after 3 attempts" in (failed.reason or "")
    assert w.events_for(order.order_id) == ["OrderFailed"]
    assert w.ledger.count("charge") == 0
    assert w.retries.scheduled == [], "no retry after giving up"


def test_shipping_that_stays_down_fails_the_order_and_refunds_the_charge() -> None:
    def down(name: str) -> None:
        raise GatewayUnavailable("carrier down")

    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, max_processing_attempts=2))
    deps = replace(w.deps, shipping=Intercepted(w.deps.shipping, before=down))
    order = w.place("tok_visa")

    w.process(order.order_id, deps)
    assert w.stored(order.order_id).status is S.PAID
    (retry,) = w.retries.take()
    failed = w.retry(retry, deps)

    assert failed.status is S.FAILED
    assert failed.refund_id == w.refund(order.order_id)["refund_id"]  # type: ignore[index]
    assert w.refund(order.order_id)["payment_id"] == failed.payment_id  # type: ignore[index]
    assert w.events_for(order.order_id) == ["OrderFailed"]


def test_a_charge_whose_answer_is_lost_is_refunded_when_the_order_fails() -> None:
    """The provider charged, but every answer timed out: when the order gives up, the
    customer must not stay charged."""

    def answer_lost(name: str) -> None:
        if name == "charge":
            raise GatewayUnavailable("timed out after the provider charged")

    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, max_processing_attempts=2))
    deps = replace(w.deps, payments=Intercepted(w.deps.payments, after=answer_lost))
    order = w.place("tok_visa")

    w.process(order.order_id, deps)
    (retry,) = w.retries.take()
    failed = w.retry(retry, deps)

    assert failed.status is S.FAILED
    assert w.charge(order.order_id) is not None, "the provider did charge"
    assert w.refund(order.order_id) is not None, "FAILED order left charged without a refund"


def test_a_confirmed_order_carries_no_failure_reason_from_an_earlier_attempt() -> None:
    w = world(Settings(orders_table="t", gateway_retry_base_ms=0, gateway_retry_attempts=1))
    order = w.place("tok_flaky")
    w.process(order.order_id)
    assert w.stored(order.order_id).reason is not None, "a pending order says why it is waiting"
    next_retry(w)

    confirmed = next_retry(w)

    assert confirmed == w.stored(order.order_id)
    assert confirmed.status is S.CONFIRMED
    assert confirmed.reason is None
