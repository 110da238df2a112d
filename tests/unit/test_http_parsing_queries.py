"""chalicelib/entrypoints/http.py: cursors, limits, query parameters and order ids, without the router."""

from __future__ import annotations

import base64

import pytest

from chalicelib.domain.ids import new_order_id
from chalicelib.entrypoints import http
from chalicelib.service_layer.ports import OrderPage
from tests.unit.http_requests import fields, invalid, request, status_of


def test_a_cursor_round_trips_to_the_order_id() -> None:
    order_id = new_order_id()
    page = http.order_page(OrderPage(orders=[], last_order_id=order_id))
    query = http.list_orders_query(request(query={"cursor": page["next_cursor"]}), "cust-42")
    assert query.after_order_id == order_id
    assert order_id not in page["next_cursor"], "the cursor is opaque"


def test_the_last_page_has_a_null_cursor() -> None:
    assert http.order_page(OrderPage(orders=[], last_order_id=None)) == {"orders": [], "next_cursor": None}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "%%%%",
        b64("junk"),
        b64("v1:abc"),
        b64(new_order_id()),
        b64("v2:" + new_order_id()),
        b64("v1:" + new_order_id().lower()),
        base64.b64encode(b"\xff\xfe\xfd").decode(),
        b64("v1:" + new_order_id() + "\n"),
    ],
    ids=["not-base64", "percent", "junk", "bad-id", "no-prefix", "other-version", "lowercase", "binary", "newline"],
)
def test_a_malformed_cursor_is_a_400_naming_the_cursor(cursor: str) -> None:
    error = invalid(http.list_orders_query, request(query={"cursor": cursor}), "cust-42")
    assert (status_of(error), fields(error)) == (400, ["cursor"])


@pytest.mark.parametrize(("given", "expected"), [(None, 20), ("1", 1), ("100", 100), ("007", 7)])
def test_limit_defaults_to_20_and_runs_from_1_to_100(given: str | None, expected: int) -> None:
    query = http.list_orders_query(request(query={"limit": given} if given else None), "cust-42")
    assert query.limit == expected


@pytest.mark.parametrize(
    "limit",
    [
        "0",
        "101",
        "-1",
        "abc",
        "",
        "1.5",
        " 5",
        "²",
    ],
)
def test_a_limit_outside_1_to_100_is_a_400_naming_the_limit(limit: str) -> None:
    error = invalid(http.list_orders_query, request(query={"limit": limit}), "cust-42")
    assert (status_of(error), fields(error)) == (400, ["limit"])


def test_an_unknown_query_parameter_is_a_400_naming_it() -> None:
    error = invalid(http.list_orders_query, request(query={"limt": "5"}), "cust-42")
    assert (status_of(error), fields(error)) == (400, ["limt"])


@pytest.mark.parametrize(
    "order_id",
    [
        "abc",
        "../etc",
        new_order_id() + "0",
        new_order_id().lower(),
        new_order_id() + "\n",
    ],
    ids=["short", "traversal", "27-chars", "lowercase", "trailing-newline"],
)
def test_a_malformed_order_id_is_a_400_naming_it(order_id: str) -> None:
    for parse in (http.get_order_query, http.cancel_order_command):
        error = invalid(parse, "cust-42", order_id)
        assert (status_of(error), fields(error)) == (400, ["order_id"])
