"""The order aggregate. Instances are immutable: every change makes a new version."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.values import (
    MAX_LINES,
    AddressLine,
    City,
    Country,
    Currency,
    CustomerId,
    MinorUnits,
    Name,
    PaymentToken,
    PostalCode,
    Quantity,
    Sku,
)


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    PAID = "PAID"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({OrderStatus.CONFIRMED, OrderStatus.REJECTED, OrderStatus.FAILED, OrderStatus.CANCELLED})


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, defer_build=True)


class OrderLine(_Value):
    sku: Sku
    quantity: Quantity
    unit_price: MinorUnits

    @property
    def subtotal(self) -> int:
        return self.quantity * self.unit_price


class ShippingAddress(_Value):
    name: Name
    line1: AddressLine
    line2: AddressLine | None = None
    city: City
    postal_code: PostalCode
    country: Country


class HistoryEntry(_Value):
    status: OrderStatus
    at: str
    reason: str | None = None


class Order(_Value):
    order_id: str
    customer_id: CustomerId
    status: OrderStatus
    currency: Currency
    items: tuple[OrderLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    total: int
    shipping_address: ShippingAddress
    payment_token: PaymentToken
    created_at: str
    updated_at: str
    history: tuple[HistoryEntry, ...]
    version: int = 1
    attempts: int = 0
    payment_id: str | None = None
    tracking_number: str | None = None
    refund_id: str | None = None
    reason: str | None = None

    @property
    def is_charged_without_refund(self) -> bool:
        return self.payment_id is not None and self.refund_id is None
