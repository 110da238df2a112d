"""Defects an outside fuzzer found, each pinned: malformed cursors, JSON Pointers, and a
misleading extra error for a bad item."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.ids import new_order_id
from chalicelib.entrypoints import http
from chalicelib.entrypoints.cursor import encode_cursor
from chalicelib.entrypoints.problems import field_path, json_pointer
from chalicelib.exceptions import InvalidInput
from tests.support.orders import order_body
from tests.unit.http_requests import fields, invalid, request, status_of

VALID = encode_cursor(new_order_id())


@pytest.mark.parametrize("cursor", ["", VALID + "!!", VALID + "==", VALID + "A", VALID + " ", VALID[:-1], "=" + VALID])
def test_an_empty_or_tampered_cursor_is_refused_naming_the_cursor(cursor: str) -> None:
    error = invalid(http.list_orders_query, request(query={"cursor": cursor}), "cust-42")
    assert (status_of(error), fields(error)) == (400, ["cursor"])


def test_the_cursor_the_service_wrote_is_still_accepted() -> None:
    order_id = new_order_id()
    query = http.list_orders_query(request(query={"cursor": encode_cursor(order_id)}), "cust-42")
    assert query.after_order_id == order_id


@pytest.mark.parametrize(
    ("location", "pointer", "name"),
    [
        (("items", 0, "quantity"), "#/items/0/quantity", "items[0].quantity"),
        (("a/b~c",), "#/a~1b~0c", '["a/b~c"]'),
        (("",), "#/", '[""]'),
        (("shipping_address", "x.y"), "#/shipping_address/x.y", 'shipping_address["x.y"]'),
        ((), "#", "body"),
    ],
)
def test_pointers_follow_rfc_6901_and_every_key_is_named(
    location: tuple[int | str, ...], pointer: str, name: str
) -> None:
    assert (json_pointer(location), field_path(location)) == (pointer, name)


def place(body: dict[str, object]) -> InvalidInput:
    raw = json.dumps(body)
    return invalid(http.place_order_command, request({"content-type": "application/json"}, raw), "cust-42", 65536)


def test_unknown_keys_are_reported_with_escaped_pointers() -> None:
    error = place(order_body() | {"a/b~c": 1, "": 2})
    pointers = {entry["field"]: entry["pointer"] for entry in error.errors}
    assert pointers == {'["a/b~c"]': "#/a~1b~0c", '[""]': "#/"}


@pytest.mark.parametrize("quantity", [2.0, "2", None])
def test_a_bad_item_in_a_list_of_one_reports_only_the_item(quantity: object) -> None:
    body = order_body()
    body["items"][0]["quantity"] = quantity
    assert fields(place(body)) == ["items[0].quantity"]


def test_an_empty_item_list_is_still_too_short() -> None:
    assert fields(place(order_body() | {"items": []})) == ["items"]
