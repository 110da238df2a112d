"""200 orders of every kind through the whole local stack: API, table, stream, worker."""

from __future__ import annotations

import random
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from tests.e2e.conftest import TEST_PROCESSING_ATTEMPTS
from tests.e2e.stack import FINAL, RunningStack, wait_until_final
from tests.support.orders import order_body

pytestmark = pytest.mark.e2e

# token, country, expected final status: 200 orders in all, interleaved (fixed seed)
MIX = (
    [("tok_visa", "GB", "CONFIRMED")] * 120
    + [("tok_decline", "FR", "REJECTED")] * 30
    + [("tok_flaky", "DE", "CONFIRMED")] * 30
    + [("tok_visa", "AQ", "REJECTED")] * 10
    + [("tok_down", "GB", "FAILED")] * 10
)
random.Random(4).shuffle(MIX)
CUSTOMERS = 8


def epoch_s(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_200_orders_reach_their_expected_final_states(stack: RunningStack) -> None:
    clients = [stack.client(f"load-{uuid.uuid4().hex[:8]}") for _ in range(CUSTOMERS)]

    def place(index: int) -> tuple[str, str, str]:
        token, country, expected = MIX[index]
        reply = clients[index % CUSTOMERS].place(order_body(token, country))
        assert reply.status == 201, reply.body
        return reply.body["order_id"], expected, f"{token}/{country}"

    posting_started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        placed = list(pool.map(place, range(len(MIX))))
    posting_s = time.monotonic() - posting_started
    expected = {order_id: want for order_id, want, _ in placed}
    kind_of = {order_id: kind for order_id, _, kind in placed}

    orders = wait_until_final(clients, list(expected), timeout_s=90, poll_s=1.0)

    statuses = {order_id: orders.get(order_id, {}).get("status") for order_id in expected}
    not_final = [order_id for order_id, status in statuses.items() if status not in FINAL]
    assert not not_final, f"{len(not_final)} orders not final: {not_final[:5]}"
    wrong = {order_id: (statuses[order_id], want) for order_id, want in expected.items() if statuses[order_id] != want}
    assert not wrong, f"{len(wrong)} orders in the wrong state, e.g. {list(wrong.items())[:5]}"
    for order_id in expected:
        order = orders[order_id]
        if order["shipping_address"]["country"] == "AQ":
            assert order.get("refund_id"), "a refused shipment is refunded"
        if order["status"] == "FAILED":
            assert order["attempts"] == TEST_PROCESSING_ATTEMPTS

    latency_ms = {
        order_id: (epoch_s(orders[order_id]["history"][-1]["at"]) - epoch_s(orders[order_id]["created_at"])) * 1000
        for order_id in expected
    }
    ordered = sorted(latency_ms.values())
    span_s = max(epoch_s(orders[i]["history"][-1]["at"]) for i in expected) - min(
        epoch_s(orders[i]["created_at"]) for i in expected
    )
    print(
        f"\n200 orders: POSTed in {posting_s:.2f} s ({len(MIX) / posting_s:.0f}/s); order-to-final latency "
        f"p50 {statistics.median(ordered):.0f} ms, p99 {ordered[int(len(ordered) * 0.99) - 1]:.0f} ms, "
        f"max {ordered[-1]:.0f} ms; all final {span_s:.2f} s after the first POST: {len(MIX) / span_s:.1f} orders/s"
    )
    by_token: dict[str, list[float]] = {}
    for order_id, latency in latency_ms.items():
        by_token.setdefault(kind_of[order_id], []).append(latency)
    print("p50 by kind: " + ", ".join(f"{kind} {statistics.median(v):.0f} ms" for kind, v in sorted(by_token.items())))
