"""Bad request bodies (JSON syntax, shape, fields, bounds, size) get a 4xx problem
document that names the field, never a 5xx, and leave the table exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.bad_input_cases import LINE, REMOVE, VALID, Case, body_with, check_refused, moto_stack, post

CASES: dict[str, Any] = {
    "invalid-json": post(400, "JSON", '{"currency": "EUR",'),
    "empty-body": post(400, "JSON", ""),
    "trailing-garbage": post(400, "JSON", VALID + "x"),
    "body-list": post(400, "object", "[]"),
    "body-string": post(400, "object", '"order"'),
    "body-number": post(400, "object", "42"),
    "body-null": post(400, "object", "null"),
    "missing-currency": post(422, "currency", body_with(currency=REMOVE)),
    "missing-items": post(422, "items", body_with(items=REMOVE)),
    "missing-address": post(422, "shipping_address", body_with(shipping_address=REMOVE)),
    "missing-token": post(422, "payment_token", body_with(payment_token=REMOVE)),
    "missing-city": post(422, "shipping_address.city", body_with(shipping_address__city=REMOVE)),
    "missing-sku": post(422, "items[0].sku", body_with(items__0__sku=REMOVE)),
    "extra-total": post(422, "total", body_with(total=1)),
    "extra-status": post(422, "status", body_with(status="CONFIRMED")),
    "extra-in-line": post(422, "items[0].discount", body_with(items__0__discount=5)),
    "extra-in-address": post(422, "shipping_address.state", body_with(shipping_address__state="X")),
    "quantity-string": post(422, "items[0].quantity", body_with(items__0__quantity="2")),
    "quantity-float": post(422, "items[0].quantity", body_with(items__0__quantity=2.0)),
    "quantity-bool": post(422, "items[0].quantity", body_with(items__0__quantity=True)),
    "price-float": post(422, "items[0].unit_price", body_with(items__0__unit_price=19.99)),
    "items-object": post(422, "items", body_with(items=LINE)),
    "address-string": post(422, "shipping_address", body_with(shipping_address="1 Main St")),
    "currency-number": post(422, "currency", body_with(currency=978)),
    "quantity-0": post(422, "items[0].quantity", body_with(items__0__quantity=0)),
    "quantity-negative": post(422, "items[0].quantity", body_with(items__0__quantity=-1)),
    "quantity-1001": post(422, "items[0].quantity", body_with(items__0__quantity=1001)),
    "no-lines": post(422, "items", body_with(items=[])),
    "101-lines": post(422, "items", body_with(items=[LINE] * 101)),
    "price-negative": post(422, "items[0].unit_price", body_with(items__0__unit_price=-1)),
    "price-over-1e10": post(422, "items[0].unit_price", body_with(items__0__unit_price=10**10 + 1)),
    "price-2-to-70": post(422, "items[0].unit_price", body_with(items__0__unit_price=2**70)),
    "currency-EUR1": post(422, "currency", body_with(currency="EUR1")),
    "currency-XYZ": post(422, "currency", body_with(currency="XYZ")),
    "currency-lowercase": post(422, "currency", body_with(currency="eur")),
    "country-UK": post(422, "shipping_address.country", body_with(shipping_address__country="UK")),
    "country-lowercase": post(422, "shipping_address.country", body_with(shipping_address__country="gb")),
    "country-alpha-3": post(422, "shipping_address.country", body_with(shipping_address__country="GBR")),
    "empty-currency": post(422, "currency", body_with(currency="")),
    "empty-name": post(422, "shipping_address.name", body_with(shipping_address__name="")),
    "blank-name": post(422, "shipping_address.name", body_with(shipping_address__name="   ")),
    "empty-line2": post(422, "shipping_address.line2", body_with(shipping_address__line2="")),
    "empty-sku": post(422, "items[0].sku", body_with(items__0__sku="")),
    "empty-token": post(422, "payment_token", body_with(payment_token="")),
    "name-201": post(422, "shipping_address.name", body_with(shipping_address__name="N" * 201)),
    "sku-65": post(422, "items[0].sku", body_with(items__0__sku="S" * 65)),
    "postal-code-21": post(422, "shipping_address.postal_code", body_with(shipping_address__postal_code="P" * 21)),
    "token-256": post(422, "payment_token", body_with(payment_token="t" * 256)),
    "name-nul": post(422, "shipping_address.name", body_with(shipping_address__name="Ada\u0000")),
    "city-newline": post(422, "shipping_address.city", body_with(shipping_address__city="Lon\ndon")),
    "name-c1-control": post(422, "shipping_address.name", body_with(shipping_address__name="Ada\u009f")),
    "city-tab": post(422, "shipping_address.city", body_with(shipping_address__city="\tLondon")),
    "body-over-64KiB": post(413, "body", body_with(shipping_address__name="N" * 66_000)),
    "nested-100000": post(413, "body", "[" * 100_000),
    "nested-under-limit": post(400, "JSON", '{"items": ' + "[" * 30_000 + "]" * 30_000 + "}"),
    "quantity-NaN": post(422, "items[0].quantity", VALID.replace('"quantity": 2', '"quantity": NaN')),
    "price-Infinity": post(422, "items[0].unit_price", VALID.replace("1999", "Infinity")),
    "price-minus-Infinity": post(422, "items[0].unit_price", VALID.replace("1999", "-Infinity")),
}


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Any, Any]]:
    """One moto table for this module's cases: each case checks it left it unchanged."""
    with moto_stack() as client_and_table:
        yield client_and_table


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_a_4xx_problem_naming_the_field_and_stores_nothing(stack: tuple[Any, Any], case: Case) -> None:
    check_refused(*stack, case)
