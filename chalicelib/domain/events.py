"""Events: what happened to an order (past-tense names), one per stored status change.

The same models serve the log lines written where a change is made and the events the
outbox publisher sends to EventBridge from the table's stream. Their JSON Schemas live
in docs/events/. They never carry the payment token or the shipping address.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.clock import from_iso
from chalicelib.domain.models import Order, OrderStatus

SCHEMA_VERSION: Literal[1] = 1


class OrderEvent(BaseModel):
    """What every order event's `detail` carries."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    event_id: str = Field(description="Stable per change: the same on every re-delivery. De-duplicate by it.")
    name: str
    order_id: str
    customer_id: str
    status: OrderStatus
    version: int = Field(description="The order's version after the change; orders the events of one order.")
    total: int = Field(description="The order total in minor units of the currency.")
    currency: str
    item_count: int
    placed_at: str
    at: str = Field(description="When the change was stored.")


class OrderPlaced(OrderEvent):
    name: Literal["OrderPlaced"] = "OrderPlaced"
    status: Literal[OrderStatus.PENDING] = OrderStatus.PENDING


class OrderPaid(OrderEvent):
    name: Literal["OrderPaid"] = "OrderPaid"
    status: Literal[OrderStatus.PAID] = OrderStatus.PAID
    payment_id: str


class OrderConfirmed(OrderEvent):
    name: Literal["OrderConfirmed"] = "OrderConfirmed"
    status: Literal[OrderStatus.CONFIRMED] = OrderStatus.CONFIRMED
    payment_id: str
    tracking_number: str


class OrderRejected(OrderEvent):
    name: Literal["OrderRejected"] = "OrderRejected"
    status: Literal[OrderStatus.REJECTED] = OrderStatus.REJECTED
    reason: str
    payment_id: str | None = None
    refund_id: str | None = None


class OrderFailed(OrderEvent):
    name: Literal["OrderFailed"] = "OrderFailed"
    status: Literal[OrderStatus.FAILED] = OrderStatus.FAILED
    reason: str
    attempts: int
    payment_id: str | None = None
    refund_id: str | None = None


class OrderCancelled(OrderEvent):
    name: Literal["OrderCancelled"] = "OrderCancelled"
    status: Literal[OrderStatus.CANCELLED] = OrderStatus.CANCELLED
    reason: str | None = None
    payment_id: str | None = None
    refund_id: str | None = None


EVENT_TYPES: dict[OrderStatus, type[OrderEvent]] = {
    OrderStatus.PENDING: OrderPlaced,
    OrderStatus.PAID: OrderPaid,
    OrderStatus.CONFIRMED: OrderConfirmed,
    OrderStatus.REJECTED: OrderRejected,
    OrderStatus.FAILED: OrderFailed,
    OrderStatus.CANCELLED: OrderCancelled,
}


def event_id(order: Order) -> str:
    """Derived from the stored change itself (the order and its version), so every
    re-delivery of the stream record, and the log line, name the same event."""
    return f"{order.order_id}-v{order.version}"


def order_event(order: Order) -> OrderEvent:
    """The event announcing that the order reached its current status."""
    event_type = EVENT_TYPES[order.status]
    values = {
        "event_id": event_id(order),
        "order_id": order.order_id,
        "customer_id": order.customer_id,
        "version": order.version,
        "total": order.total,
        "currency": order.currency,
        "item_count": sum(line.quantity for line in order.items),
        "placed_at": order.created_at,
        "at": order.updated_at,
        "payment_id": order.payment_id,
        "tracking_number": order.tracking_number,
        "refund_id": order.refund_id,
        "reason": order.reason,
        "attempts": order.attempts,
    }
    wanted = {name: value for name, value in values.items() if name in event_type.model_fields}
    return event_type.model_validate(wanted)


def is_status_change(old: Order | None, new: Order) -> bool:
    """Only a new order or a new status makes an event; counters and touches do not."""
    return old is None or old.status is not new.status


def latency_ms(event: OrderEvent) -> int:
    return int((from_iso(event.at) - from_iso(event.placed_at)).total_seconds() * 1000)
