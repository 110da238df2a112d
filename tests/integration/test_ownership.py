"""A customer reaches only their own orders: another's order is 404 on read and on
cancel (not 403, so ids cannot be probed), lists are disjoint, and an Idempotency-Key
belongs to the verified customer who sent it."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.intake_client import items_in
from tests.support.auth import authorization
from tests.support.orders import order_body


def call(api: Any, method: str, path: str, customer: str, **headers: str) -> Any:
    sent = {"Content-Type": "application/json", "Authorization": authorization(customer)} | headers
    return getattr(api.http, method)(path, headers=sent, body=json.dumps(order_body()))


def test_cross_reads_and_cancels_are_404_and_lists_are_disjoint(moto_api: Any, dynamodb: Any) -> None:
    alices = [json.loads(call(moto_api, "post", "/orders", "alice").body)["order_id"] for _ in range(2)]
    bobs = [json.loads(call(moto_api, "post", "/orders", "bob").body)["order_id"] for _ in range(3)]

    before = items_in(dynamodb)
    for order_id in alices:
        assert call(moto_api, "get", f"/orders/{order_id}", "bob").status_code == 404
        assert call(moto_api, "post", f"/orders/{order_id}/cancel", "bob").status_code == 404
    assert items_in(dynamodb) == before, "a cross cancel changed something"

    listed = {
        who: {o["order_id"] for o in json.loads(call(moto_api, "get", "/orders", who).body)["orders"]}
        for who in ("alice", "bob", "carol")
    }
    assert listed == {"alice": set(alices), "bob": set(bobs), "carol": set()}
    assert call(moto_api, "get", f"/orders/{alices[0]}", "alice").status_code == 200


def test_the_same_idempotency_key_from_two_customers_makes_two_orders(moto_api: Any) -> None:
    first = call(moto_api, "post", "/orders", "alice", **{"Idempotency-Key": "shared"})
    second = call(moto_api, "post", "/orders", "bob", **{"Idempotency-Key": "shared"})

    assert (first.status_code, second.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in second.headers
    assert json.loads(first.body)["customer_id"] == "alice" and json.loads(second.body)["customer_id"] == "bob"
