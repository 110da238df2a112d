"""Builders for domain objects used by unit tests."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.commands import PlaceOrder
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from tests.support.orders import order_body

ADDRESS = {"name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1 9GU", "country": "GB"}
AT = "2026-11-25T17:00:00.000Z"


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


def an_order(status: OrderStatus = OrderStatus.PENDING) -> Order:
    line = OrderLine(sku="SKU-1", quantity=2, unit_price=1999)
    return Order(
        order_id=new_order_id(),
        customer_id="cust-42",
        status=status,
        currency="EUR",
        items=(line,),
        total=line.subtotal,
        shipping_address=ShippingAddress(**ADDRESS),
        payment_token="tok_visa",
        created_at=AT,
        updated_at=AT,
        history=(HistoryEntry(status=status, at=AT),),
    )
