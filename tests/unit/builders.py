"""Builders for domain objects used by unit tests."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.commands import PlaceOrder
from chalicelib.domain.models import OrderLine, ShippingAddress
from tests.support.orders import order_body


def place_order_command(
    token: str = "tok_visa", country: str = "GB", customer_id: str = "cust-42", **changes: Any
) -> PlaceOrder:
    body = order_body(token=token, country=country)
    return PlaceOrder(
        customer_id=customer_id,
        currency=body["currency"],
        items=tuple(OrderLine(**line) for line in body["items"]),
        shipping_address=ShippingAddress(**body["shipping_address"]),
        payment_token=token,
        **changes,
    )
