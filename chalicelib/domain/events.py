"""Events: what happened to an order (past-tense names), published after it is stored."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.clock import from_iso
from chalicelib.domain.models import Order, OrderStatus


class OrderEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    order_id: str
    customer_id: str
    at: str
    total: int
    currency: str
    latency_ms: int


class OrderPlaced(OrderEvent):
    name: Literal["OrderPlaced"] = "OrderPlaced"


class OrderConfirmed(OrderEvent):
    name: Literal["OrderConfirmed"] = "OrderConfirmed"
    payment_id: str
    tracking_number: str


class OrderRejected(OrderEvent):
    name: Literal["OrderRejected"] = "OrderRejected"
    reason: str
    refund_id: str | None = None


class OrderFailed(OrderEvent):
    name: Literal["OrderFailed"] = "OrderFailed"
    reason: str
    refund_id: str | None = None


def final_event(order: Order) -> OrderEvent:
    """The event that announces an order's final state, as processing or reconcile left it."""
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
