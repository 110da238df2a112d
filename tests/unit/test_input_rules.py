"""Each input rule has one home (chalicelib/domain/values.py); the HTTP parser and the
commands agree on every value because both derive from it."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from chalicelib.domain.commands import ListOrders
from chalicelib.domain.values import MAX_PAGE_SIZE, CustomerId
from chalicelib.entrypoints import http
from chalicelib.exceptions import InvalidInput, Unauthenticated
from tests.unit.http_requests import request

CUSTOMER_IDS = ["a", "cust-42", "A_b-9", "x" * 64, "x" * 65, "", "cust 42", "cust\n", "ünï", "a/b", "a.b", "-"]


def _domain_accepts_customer(value: str) -> bool:
    try:
        TypeAdapter(CustomerId).validate_python(value)
    except ValidationError:
        return False
    return True


def _http_accepts_customer(value: str) -> bool:
    try:
        http.customer_id(request(claims={"sub": value}))
    except (InvalidInput, Unauthenticated):  # an empty header is no customer id either
        return False
    return True


@pytest.mark.parametrize("value", CUSTOMER_IDS)
def test_the_http_layer_and_the_domain_agree_on_customer_ids(value: str) -> None:
    assert _http_accepts_customer(value) == _domain_accepts_customer(value)


@pytest.mark.parametrize("limit", [-1, 0, 1, 2, 20, MAX_PAGE_SIZE - 1, MAX_PAGE_SIZE, MAX_PAGE_SIZE + 1, 999])
def test_the_http_layer_and_the_command_agree_on_page_sizes(limit: int) -> None:
    try:
        ListOrders(customer_id="c", limit=limit)
        command_accepts = True
    except ValidationError:
        command_accepts = False
    try:
        http.list_orders_query(request(query={"limit": str(limit)}), "c")
        http_accepts = True
    except InvalidInput:
        http_accepts = False
    assert http_accepts == command_accepts
