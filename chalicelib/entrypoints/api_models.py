"""The public API's shapes: the input model for POST /orders and the output models.

The output never carries the payment token; the input forbids unknown fields and
coerces nothing, so a quantity of "2" or 2.0 is an error, not a guess.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.ids import ULID_PATTERN
from chalicelib.domain.models import HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.domain.values import CUSTOMER_ID_PATTERN, MAX_LINES, Currency, PaymentToken
from chalicelib.entrypoints.cursor import CURSOR_PATTERN

# Schema-only annotations for the published document (chalicelib/entrypoints/openapi.py):
# responses are built with model_construct, so they add no checks at run time.
OrderId = Annotated[str, Field(json_schema_extra={"pattern": f"^{ULID_PATTERN.pattern}$"})]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
Cursor = Annotated[str, Field(json_schema_extra={"pattern": CURSOR_PATTERN})]


class CreateOrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    currency: Currency
    items: tuple[OrderLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    shipping_address: ShippingAddress
    payment_token: PaymentToken


class OrderResponse(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    order_id: OrderId
    customer_id: Annotated[str, Field(json_schema_extra={"pattern": CUSTOMER_ID_PATTERN})]
    status: OrderStatus
    currency: Currency
    items: tuple[OrderLine, ...]
    total: int
    shipping_address: ShippingAddress
    created_at: Timestamp
    updated_at: Timestamp
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
    model_config = ConfigDict(frozen=True, defer_build=True)

    orders: list[OrderResponse]
    next_cursor: Cursor | None = Field(description="pass it back as `cursor` for the next page; null on the last")
