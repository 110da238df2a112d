"""The domain's values on their own: bounds of order lines and addresses, money in minor
units, the currency, and an order's immutability."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.domain.models import Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.domain.values import MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE
from tests.unit.builders import ADDRESS, an_order


def test_a_line_subtotal_is_quantity_times_unit_price_in_minor_units() -> None:
    assert OrderLine(sku="SKU-1", quantity=3, unit_price=1999).subtotal == 5997


def test_the_largest_possible_total_fits_a_signed_64_bit_integer() -> None:
    assert MAX_LINES * MAX_QUANTITY * MAX_UNIT_PRICE < 2**63


@pytest.mark.parametrize("quantity", [1, MAX_QUANTITY])
def test_quantity_bounds_are_inclusive(quantity: int) -> None:
    assert OrderLine(sku="S", quantity=quantity, unit_price=0).quantity == quantity


@pytest.mark.parametrize(
    "changes",
    [
        {"quantity": 0},
        {"quantity": -1},
        {"quantity": MAX_QUANTITY + 1},
        {"quantity": "2"},
        {"quantity": 2.0},
        {"quantity": True},
        {"unit_price": -1},
        {"unit_price": MAX_UNIT_PRICE + 1},
        {"unit_price": 19.99},
        {"sku": ""},
        {"sku": "S" * 65},
        {"sku": "-leading-dash"},
        {"sku": "SKU\n"},
    ],
    ids=repr,
)
def test_an_order_line_refuses_bad_values(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        OrderLine.model_validate({"sku": "SKU-1", "quantity": 1, "unit_price": 1} | changes)


def test_an_address_line2_is_optional() -> None:
    assert ShippingAddress(**ADDRESS).line2 is None


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "N" * 201},
        {"name": "Ada\x00"},
        {"city": "Lon\ndon"},
        {"city": "London\x9f"},
        {"line2": ""},
        {"postal_code": "P" * 21},
        {"country": "UK"},
        {"country": "gb"},
        {"country": "GBR"},
        {"unknown": "x"},
    ],
    ids=repr,
)
def test_an_address_refuses_bad_values(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ShippingAddress.model_validate(ADDRESS | changes)


@pytest.mark.parametrize("currency", ["EUR1", "XYZ", "eur", "", "EU"])
def test_an_order_refuses_a_currency_outside_iso_4217(currency: str) -> None:
    assert Order.model_validate(an_order().model_dump()).currency == "EUR", "the unchanged dump is valid"
    with pytest.raises(ValidationError):
        Order.model_validate(an_order().model_dump() | {"currency": currency})


def test_an_order_is_immutable() -> None:
    order = an_order()
    with pytest.raises(ValidationError):
        order.status = OrderStatus.CANCELLED  # type: ignore[misc]
