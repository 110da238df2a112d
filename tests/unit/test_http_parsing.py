"""chalicelib/entrypoints/http.py: headers, cursors and limits, without the router."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from chalice.app import Request

from chalicelib.domain.ids import new_order_id
from chalicelib.entrypoints import http
from chalicelib.exceptions import InvalidInput, Unauthenticated
from chalicelib.service_layer.ports import OrderPage
from tests.support.orders import order_body

JSON = {"content-type": "application/json"}


def request(headers: dict[str, str] | None = None, body: str = "", query: dict[str, str] | None = None) -> Request:
    event: dict[str, Any] = {
        "multiValueQueryStringParameters": {name: [value] for name, value in query.items()} if query else None,
        "headers": {name.lower(): value for name, value in (headers or {}).items()},
        "pathParameters": None,
        "requestContext": {"httpMethod": "POST", "resourcePath": "/orders"},
        "body": body,
        "stageVariables": None,
    }
    return Request(event)


def invalid(call: Any, *args: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        call(*args)
    return raised.value


def fields(error: InvalidInput) -> list[str]:
    return [entry["field"] for entry in error.errors]


@pytest.mark.parametrize("value", ["cust-42", "A", "a_b-C9", "c" * 64])
def test_a_well_formed_customer_id_is_read_from_its_header(value: str) -> None:
    assert http.customer_id(request({"X-Customer-Id": value})) == value


@pytest.mark.parametrize("headers", [{}, {"X-Customer-Id": ""}], ids=["absent", "empty"])
def test_a_missing_customer_id_is_unauthenticated(headers: dict[str, str]) -> None:
    with pytest.raises(Unauthenticated, match="X-Customer-Id"):
        http.customer_id(request(headers))


@pytest.mark.parametrize(
    "value",
    [
        "c" * 65,
        "cust 42",
        "cüst",
        "cust/42",
        "cust-42\n",
    ],
    ids=["65-chars", "space", "unicode", "slash", "trailing-newline"],
)
def test_a_malformed_customer_id_is_a_400_naming_the_header(value: str) -> None:
    error = invalid(http.customer_id, request({"X-Customer-Id": value}))
    assert (error.status, fields(error)) == (400, ["X-Customer-Id"])


def place(headers: dict[str, str], body: str | None = None) -> Any:
    raw = json.dumps(order_body()) if body is None else body
    return http.place_order_command(request(JSON | headers, raw), "cust-42", 64 * 1024)


@pytest.mark.parametrize("key", ["k", "order-1 retry", "~" * 255, " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"])
def test_a_printable_ascii_idempotency_key_is_kept(key: str) -> None:
    assert place({"Idempotency-Key": key}).idempotency_key == key


def test_without_an_idempotency_key_the_command_has_none() -> None:
    assert place({}).idempotency_key is None


@pytest.mark.parametrize(
    "key",
    [
        "",
        "k" * 256,
        "ключ",
        "a\x01b",
        "a\x7fb",
        "key\n",
    ],
    ids=["empty", "256-chars", "non-ascii", "control", "delete", "trailing-newline"],
)
def test_a_malformed_idempotency_key_is_a_400_naming_the_header(key: str) -> None:
    error = invalid(place, {"Idempotency-Key": key})
    assert (error.status, fields(error)) == (400, ["Idempotency-Key"])


def test_the_fingerprint_depends_on_the_payload_and_not_on_its_formatting() -> None:
    compact = place({}, json.dumps(order_body(), separators=(",", ":")))
    spaced = place({}, json.dumps(order_body(), indent=4))
    other = place({}, json.dumps(order_body(token="tok_decline")))
    assert compact.request_fingerprint == spaced.request_fingerprint != other.request_fingerprint


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "APPLICATION/JSON"])
def test_json_content_types_are_accepted(content_type: str) -> None:
    assert place({"content-type": content_type}).currency == "EUR"


@pytest.mark.parametrize("content_type", ["", "text/plain", "application/x-www-form-urlencoded", "application/jsonx"])
def test_other_content_types_are_a_415(content_type: str) -> None:
    assert invalid(place, {"content-type": content_type}).status == 415


def test_a_body_over_the_limit_is_a_413() -> None:
    body = json.dumps(order_body()) + " " * (64 * 1024)
    assert invalid(place, {}, body).status == 413


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
    assert (error.status, fields(error)) == (400, ["cursor"])


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
    assert (error.status, fields(error)) == (400, ["limit"])


def test_an_unknown_query_parameter_is_a_400_naming_it() -> None:
    error = invalid(http.list_orders_query, request(query={"limt": "5"}), "cust-42")
    assert (error.status, fields(error)) == (400, ["limt"])


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
        assert (error.status, fields(error)) == (400, ["order_id"])
