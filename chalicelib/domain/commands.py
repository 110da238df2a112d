"""Commands: what a caller asks the service to do (imperative names)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.models import OrderLine, ShippingAddress
from chalicelib.domain.values import DEFAULT_PAGE_SIZE, MAX_LINES, Currency, CustomerId, PageSize, PaymentToken


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, defer_build=True)


class PlaceOrder(_Command):
    customer_id: CustomerId
    currency: Currency
    items: tuple[OrderLine, ...] = Field(min_length=1, max_length=MAX_LINES)
    shipping_address: ShippingAddress
    payment_token: PaymentToken
    idempotency_key: str | None = None
    request_fingerprint: str = ""


class CancelOrder(_Command):
    customer_id: CustomerId
    order_id: str


class GetOrder(_Command):
    customer_id: CustomerId
    order_id: str


class ListOrders(_Command):
    customer_id: CustomerId
    limit: PageSize = DEFAULT_PAGE_SIZE
    after_order_id: str | None = None


class ProcessOrder(_Command):
    order_id: str


class RetryOrder(_Command):
    """Try a placed order again, after failed attempt `attempt`: a message on the retry
    queue. It is stale once the order has moved past that attempt."""

    order_id: str
    attempt: int = Field(ge=1)
    redelivered: bool = False  # handed back after a failed handling (not part of the message)


class RecordedChange(_Command):
    """One stored change as the table's stream recorded it."""

    record_id: str  # the record's sequence number: what Lambda is told to re-deliver from
    old_image: dict[str, Any] | None
    new_image: dict[str, Any]


class AnnounceChanges(_Command):
    changes: tuple[RecordedChange, ...]


class ReconcileOrders(_Command):
    older_than_seconds: int = Field(ge=0)
    dry_run: bool = False
