"""Events: what happened to an order (past-tense names), published after it is stored."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


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
