"""Request bodies used across the test layers."""

from __future__ import annotations

import copy
from typing import Any

VALID_ORDER: dict[str, Any] = {
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


def order_body(token: str = "tok_visa", country: str = "GB", **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(VALID_ORDER)
    body["payment_token"] = token
    body["shipping_address"]["country"] = country
    body.update(changes)
    return body
