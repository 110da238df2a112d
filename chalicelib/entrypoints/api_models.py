"""The public API's shapes: the input model for POST /orders and the output models.

The output never carries the payment token; the input forbids unknown fields and
coerces nothing, so a quantity of "2" or 2.0 is an error, not a guess.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.models import HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.domain.values import MAX_LINES, Currency, PaymentToken


class CreateOrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    currency: Currency
    items: tuple[OrderLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    shipping_address: ShippingAddress
    payment_token: PaymentToken


class OrderResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_id: str
    customer_id: str
    status: OrderStatus
    currency: str
    items: tuple[OrderLine, ...]
    total: int
    shipping_address: ShippingAddress
    created_at: str
    updated_at: str
    history: tuple[HistoryEntry, ...]
    attempts: int
    reason: str | None = None
    payment_id: str | None = None
    tracking_number: str | None = None
    refund_id: str | None = None

    @classmethod
    def of(cls, order: Order) -> OrderResponse:
        # The order was validated when it was made: copying it need not validate again.
        return cls.model_construct(**{name: getattr(order, name) for name in cls.model_fields})


class OrderListResponse(BaseModel):
    orders: list[OrderResponse]
    next_cursor: str | None
