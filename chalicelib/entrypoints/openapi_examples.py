"""Examples for the OpenAPI document, made by the code that makes real answers (the models
validate the request; http.py renders the order), so an example cannot drift from the
schema. Docs pages show them, and Schemathesis' examples phase sends the request."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.models import HistoryEntry, Order, OrderStatus
from chalicelib.entrypoints.api_models import CreateOrderRequest
from chalicelib.entrypoints.http import order_body

_AT = "2026-11-25T17:00:00.000Z"
PLACE_ORDER: dict[str, Any] = {
    "currency": "EUR",
    "items": [{"sku": "SKU-1", "quantity": 2, "unit_price": 1999}],
    "shipping_address": {
        "name": "Ada Lovelace",
        "line1": "1 Main St",
        "line2": "Flat 2",
        "city": "London",
        "postal_code": "N1 9GU",
        "country": "GB",
    },
    "payment_token": "tok_visa",
}


def order_example() -> dict[str, object]:
    request = CreateOrderRequest.model_validate_json(json.dumps(PLACE_ORDER))  # as the API reads it
    order = Order(
        order_id="01KB0Z6R8XQ3M4N5P6Q7R8S9T0",
        customer_id="alice",
        status=OrderStatus.PENDING,
        currency=request.currency,
        items=request.items,
        total=sum(line.subtotal for line in request.items),
        shipping_address=request.shipping_address,
        payment_token=request.payment_token,
        created_at=_AT,
        updated_at=_AT,
        history=(HistoryEntry(status=OrderStatus.PENDING, at=_AT),),
    )
    return order_body(order)


def examples() -> dict[str, Any]:
    """An example per component schema that has one."""
    order = order_example()
    return {
        "CreateOrderRequest": PLACE_ORDER,
        "OrderResponse": order,
        "OrderListResponse": {"orders": [order], "next_cursor": None},
    }
