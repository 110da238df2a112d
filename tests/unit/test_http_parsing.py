"""chalicelib/entrypoints/http.py: the customer and idempotency headers, content types and
the body of a new order, without the router."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.entrypoints import http
from chalicelib.exceptions import Unauthenticated
from tests.support.orders import order_body
from tests.unit.http_requests import fields, invalid, request, status_of

JSON = {"content-type": "application/json"}


UUID_SUB = "3f1c5b9e-8f2a-4c1d-9e7b-2a6d4c8e1f00"  # Cognito, Keycloak


@pytest.mark.parametrize("value", ["cust-42", "A", "a_b-C9", "c" * 128, UUID_SUB, "auth0|5fe435b5", "x@y.z"])
def test_the_customer_is_the_verified_tokens_subject(value: str) -> None:
    assert http.customer_id(request(claims={"sub": value, "iss": "https://issuer"})) == value


@pytest.mark.parametrize(
    "context",
    [{}, {"authorizer": None}, {"authorizer": {"claims": None}}, {"authorizer": {"claims": {"sub": ""}}}],
    ids=["no-authorizer", "null-authorizer", "null-claims", "empty-sub"],
)
def test_without_verified_claims_the_function_fails_closed(context: dict[str, Any]) -> None:
    event_request = request()
    event_request.context = {"httpMethod": "GET", "resourcePath": "/orders"} | context
    with pytest.raises(Unauthenticated, match="Bearer"):
        http.customer_id(event_request)


def test_a_customer_header_or_body_field_never_names_the_customer() -> None:
    sneaky = request({"X-Customer-Id": "victim"}, '{"customer_id": "victim"}', claims={"sub": "caller"})
    assert http.customer_id(sneaky) == "caller"
    with pytest.raises(Unauthenticated):
        http.customer_id(request({"X-Customer-Id": "victim"}))


@pytest.mark.parametrize(
    "value",
    [
        "c" * 129,
        "cust 42",
        "cüst",
        "cust/42",
        "cust-42\n",
    ],
    ids=["129-chars", "space", "unicode", "slash", "trailing-newline"],
)
def test_a_subject_that_is_no_usable_customer_id_is_unauthenticated(value: str) -> None:
    with pytest.raises(Unauthenticated, match="subject"):
        http.customer_id(request(claims={"sub": value}))


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
    assert (status_of(error), fields(error)) == (400, ["Idempotency-Key"])


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
    assert status_of(invalid(place, {"content-type": content_type})) == 415


def test_a_body_over_the_limit_is_a_413() -> None:
    body = json.dumps(order_body()) + " " * (64 * 1024)
    assert status_of(invalid(place, {}, body)) == 413
