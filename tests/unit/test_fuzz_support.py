"""`make fuzz`'s own parts: the Schemathesis hooks change only what they say they change,
and the store check counts a HAR the way it should."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from chalicelib.entrypoints.openapi_operations import IDEMPOTENCY_KEY_PATTERN
from devstack.fuzz_hooks import before_call, integers_as_integers, key_for_body
from devstack.fuzz_report import read_har, store_mismatch, templates

PATHS = ["/orders", "/orders/{order_id}", "/orders/{order_id}/cancel", "/problems/{kind}"]


class Case:
    def __init__(self, body: Any, headers: dict[str, str] | None) -> None:
        self.body, self.headers = body, headers


def test_whole_number_floats_become_integers_and_nothing_else_changes() -> None:
    body = {"items": [{"quantity": 2.0, "unit_price": 1.5, "sku": "2.0"}], "n": [3.0, True, None, -0.0]}
    assert integers_as_integers(body) == {
        "items": [{"quantity": 2, "unit_price": 1.5, "sku": "2.0"}],
        "n": [3, True, None, 0],
    }
    assert type(integers_as_integers(2.0)) is int and type(integers_as_integers(1e300)) is int


def test_a_valid_key_is_scoped_to_its_body_and_an_invalid_one_is_sent_as_it_is() -> None:
    first, again, other = (
        Case({"a": 1}, {"Idempotency-Key": "0"}),
        Case({"a": 1.0}, {"Idempotency-Key": "0"}),
        Case({"a": 2}, {"Idempotency-Key": "0"}),
    )
    for case in (first, again, other):
        before_call(None, case, {})
    assert first.headers == again.headers != other.headers, "same body, same key: still a replay"
    keys = [(case.headers or {})["Idempotency-Key"] for case in (first, other)]
    assert all(re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key) for key in keys)
    bad = Case({"a": 1}, {"Idempotency-Key": " "})
    before_call(None, bad, {})
    assert bad.headers == {"Idempotency-Key": " "}
    assert len(key_for_body("k" * 255, {})) == 255


def test_paths_group_by_the_documents_templates() -> None:
    template = templates(PATHS)
    assert [template(p) for p in ["/orders", "/orders/0", "/orders/%2F/cancel", "/problems/x", "/orders/a/b"]] == [
        "/orders",
        "/orders/{order_id}",
        "/orders/{order_id}/cancel",
        "/problems/{kind}",
        "/orders/a/b",
    ]


def entry(method: str, path: str, status: int, body: Any = None, replayed: bool = False) -> dict[str, Any]:
    headers = [{"name": "Idempotent-Replayed", "value": "true"}] if replayed else []
    return {
        "request": {"method": method, "url": f"http://127.0.0.1:1{path}"},
        "response": {"status": status, "headers": headers, "content": {"text": json.dumps(body)}},
    }


def test_the_har_gives_requests_201s_replays_and_the_orders_created(tmp_path: Path) -> None:
    har = tmp_path / "run.har"
    entries = [
        entry("POST", "/orders", 201, {"order_id": "A"}),
        entry("POST", "/orders", 201, {"order_id": "A"}, replayed=True),
        entry("POST", "/orders", 201, {"order_id": "B"}),
        entry("POST", "/orders", 422, {"type": "/problems/invalid-request"}),
        entry("POST", "/orders/A/cancel", 201, {"order_id": "A"}),
        entry("GET", "/orders/A", 200, {"order_id": "A"}),
    ]
    har.write_text(json.dumps({"log": {"entries": entries}}))
    traffic = read_har(har, PATHS)
    assert (traffic.requests, traffic.answered_201, traffic.replayed, traffic.created) == (6, 3, 1, {"A", "B"})
    assert traffic.by_operation[("POST", "/orders", 201)] == 3
    assert store_mismatch(traffic, {"A", "B"}) == []
    assert store_mismatch(traffic, {"A", "C"}) == [
        "stored without a 201 answer: ['C']",
        "answered 201 but not stored: ['B']",
    ]
