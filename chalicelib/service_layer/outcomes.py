"""Compensation and the events that announce a final state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain import state_machine
from chalicelib.domain.clock import from_iso, to_iso
from chalicelib.domain.events import OrderConfirmed, OrderEvent, OrderFailed, OrderRejected
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.service_layer.retry import call_with_retry

if TYPE_CHECKING:
    from chalicelib.service_layer.processing import ProcessingDeps

COMPENSATOR = "processor"


def refund(order: Order, deps: ProcessingDeps, payment_id: str | None = None) -> str:
    """Refund the order's charge, keyed by the order so a repeat refunds nothing more."""
    charged = payment_id or order.payment_id
    assert charged is not None, "refund needs a charge"
    result = call_with_retry(
        lambda: deps.payments.refund(
            idempotency_key=f"refund-{order.order_id}", payment_id=charged, amount=order.total
        ),
        deps.retry,
    )
    return result.refund_id


def refund_any_charge(order: Order, deps: ProcessingDeps) -> str | None:
    """Before giving up on an order, undo any charge, even one whose answer was lost
    (a timeout after the provider charged): ask the provider by our key."""
    payment_id = charged_payment_id(order.order_id, deps, known=order.payment_id)
    return refund(order, deps, payment_id=payment_id) if payment_id else None


def settle_cancelled(order_id: str, deps: ProcessingDeps, payment_id: str | None = None) -> None:
    """A cancel may win the race after the charge went through. The customer must not
    stay charged: refund, and note both ids on the cancelled order."""
    current = deps.repository.get(order_id)
    if current is None or current.status is not OrderStatus.CANCELLED or current.refund_id is not None:
        return
    payment_id = charged_payment_id(order_id, deps, known=payment_id)
    if payment_id is None:
        return
    refund_id = refund(current, deps, payment_id=payment_id)
    noted = state_machine.amend(current, to_iso(deps.clock()), payment_id=payment_id, refund_id=refund_id)
    deps.repository.save(noted, expected=current, written_by=COMPENSATOR)


def charged_payment_id(order_id: str, deps: ProcessingDeps, known: str | None) -> str | None:
    """The id of the order's charge: the one we know, else the provider's, asked by our key."""
    if known is not None:
        return known
    charge = call_with_retry(lambda: deps.payments.find_charge(idempotency_key=charge_key(order_id)), deps.retry)
    return charge.payment_id if charge else None


def charge_key(order_id: str) -> str:
    return f"charge-{order_id}"


def event_for(order: Order) -> OrderEvent:
    latency_ms = int((from_iso(order.updated_at) - from_iso(order.created_at)).total_seconds() * 1000)
    common = {
        "order_id": order.order_id,
        "customer_id": order.customer_id,
        "at": order.updated_at,
        "total": order.total,
        "currency": order.currency,
        "latency_ms": latency_ms,
    }
    if order.status is OrderStatus.CONFIRMED:
        assert order.payment_id is not None and order.tracking_number is not None
        return OrderConfirmed(**common, payment_id=order.payment_id, tracking_number=order.tracking_number)
    if order.status is OrderStatus.REJECTED:
        return OrderRejected(**common, reason=order.reason or "rejected", refund_id=order.refund_id)
    return OrderFailed(**common, reason=order.reason or "failed", refund_id=order.refund_id)
