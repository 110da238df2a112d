"""Helpers for the intake use-case tests: a settable clock and a PlaceOrder builder."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.commands import PlaceOrder
from chalicelib.domain.models import OrderLine, ShippingAddress

ADDRESS = ShippingAddress(name="Ada", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB")


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=123_000)

    def __call__(self) -> datetime:
        return self.now


def place(customer: str = "cust-42", key: str | None = None, fingerprint: str = "f1", **changes: Any) -> PlaceOrder:
    lines = (OrderLine(sku="SKU-1", quantity=2, unit_price=1999), OrderLine(sku="SKU-2", quantity=1, unit_price=5))
    values: dict[str, Any] = {
        "customer_id": customer,
        "currency": "EUR",
        "items": lines,
        "shipping_address": ADDRESS,
        "payment_token": "tok_visa",
        "idempotency_key": key,
        "request_fingerprint": fingerprint,
    }
    return PlaceOrder(**(values | changes))
