"""Bad headers, path ids and query parameters get a 4xx problem document that names the
field, never a 5xx, and leave the table exactly as it was."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.domain.ids import new_order_id
from tests.integration.bad_input_cases import VALID, Case, check_refused, get, moto_stack, post
from tests.support.auth import authorization


def cursor(text: str) -> str:
    return "/orders?cursor=" + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


ULID = new_order_id()
CASES: dict[str, Any] = {
    "content-type-text": post(415, "Content-Type", Content_Type="text/plain"),
    "content-type-form": post(415, "Content-Type", Content_Type="application/x-www-form-urlencoded"),
    "content-type-missing": Case(415, "Content-Type", VALID, headers={"Content-Type": None}),
    "content-type-empty": post(415, "Content-Type", Content_Type=""),
    "get-id-abc": get("/orders/abc", 400, "order_id"),
    "get-id-traversal": get("/orders/..%2Fetc", 400, "order_id"),
    "get-id-27-chars": get(f"/orders/{ULID}0", 400, "order_id"),
    "get-id-lowercase": get(f"/orders/{ULID.lower()}", 400, "order_id"),
    "cancel-id-abc": Case(400, "order_id", method="post", path="/orders/abc/cancel"),
    "cancel-id-traversal": Case(400, "order_id", method="post", path="/orders/..%2Fetc/cancel"),
    "cancel-id-27-chars": Case(400, "order_id", method="post", path=f"/orders/{ULID}0/cancel"),
    "cancel-id-lowercase": Case(400, "order_id", method="post", path=f"/orders/{ULID.lower()}/cancel"),
    "cursor-not-base64": get("/orders?cursor=not-base64!", 400, "cursor"),
    "cursor-junk": get(cursor("junk"), 400, "cursor"),
    "cursor-bad-id": get(cursor("v1:abc"), 400, "cursor"),
    "cursor-no-prefix": get(cursor(ULID), 400, "cursor"),
    "cursor-id-newline": get(cursor(f"v1:{ULID}\n"), 400, "cursor"),
    "limit-0": get("/orders?limit=0", 400, "limit"),
    "limit-101": get("/orders?limit=101", 400, "limit"),
    "limit-abc": get("/orders?limit=abc", 400, "limit"),
    "limit-negative": get("/orders?limit=-1", 400, "limit"),
    "limit-superscript": get("/orders?limit=²", 400, "limit"),
    "unknown-parameter": get("/orders?limt=5", 400, "limt"),
    "key-empty": post(400, "Idempotency-Key", Idempotency_Key=""),
    "key-256": post(400, "Idempotency-Key", Idempotency_Key="k" * 256),
    "key-non-ascii": post(400, "Idempotency-Key", Idempotency_Key="ключ"),
    "key-control": post(400, "Idempotency-Key", Idempotency_Key="a\x01b"),
    "key-newline": post(400, "Idempotency-Key", Idempotency_Key="key\n"),
    # The customer is the verified token's subject: one that is no usable id is refused.
    "subject-129": post(401, "subject", Authorization=authorization("c" * 129)),
    "subject-space": post(401, "subject", Authorization=authorization("cust 42")),
    "subject-unicode": post(401, "subject", Authorization=authorization("cüst")),
    "subject-hash": post(401, "subject", Authorization=authorization("cust#42")),
    "list-subject-unicode": get("/orders", 401, "subject", Authorization=authorization("cüst")),
    "subject-newline": post(401, "subject", Authorization=authorization("cust-42\n")),
    "token-empty": post(401, "Authorization", Authorization=""),
    "only-x-customer-id": Case(
        401, "Authorization", VALID, headers={"Authorization": None, "X-Customer-Id": "cust-42"}
    ),
}


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[Any, Any]]:
    """One moto table for this module's cases: each case checks it left it unchanged."""
    with moto_stack() as client_and_table:
        yield client_and_table


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_is_a_4xx_problem_naming_the_field_and_stores_nothing(stack: tuple[Any, Any], case: Case) -> None:
    check_refused(*stack, case)
