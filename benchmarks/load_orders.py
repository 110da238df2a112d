"""After the Locust run: wait for the orders to settle and read them all back (GET /orders
per load customer), so that processing throughput and order-to-final latency cover every
order, not only the polled share. Latencies come from the service's own timestamps: intake
to the final history entry, independent of any poll interval."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from datetime import datetime
from typing import Any

from benchmarks.load_report import latency_summary

FINAL = {"CONFIRMED", "REJECTED", "FAILED", "CANCELLED"}
Order = dict[str, Any]


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def server_latency_ms(order: Order) -> float | None:
    history = order.get("history") or []
    if order.get("status") not in FINAL or not history:
        return None
    return (_epoch(history[-1]["at"]) - _epoch(history[0]["at"])) * 1000


def list_orders(url: str, tokens: dict[str, str]) -> list[Order]:
    """Every order of the load's customers, each listed with that customer's token."""
    orders: list[Order] = []
    for token in tokens.values():
        cursor = None
        while True:
            query = urllib.parse.urlencode({"limit": 100, **({"cursor": cursor} if cursor else {})})
            page = _get(f"{url}/orders?{query}", token)
            orders.extend(page["orders"])
            cursor = page.get("next_cursor")
            if not cursor:
                break
    return orders


def settle(url: str, tokens: dict[str, str], timeout_s: float, poll_s: float = 1.0) -> list[Order]:
    """Every order the run placed (tokens: customer -> bearer token), once all are final
    (or the timeout passes). Each poll lists every order: on the local stack that is load
    on moto too, so long drains poll less often."""
    deadline = time.monotonic() + timeout_s
    while True:
        orders = list_orders(url, tokens)
        if all(order["status"] in FINAL for order in orders) or time.monotonic() > deadline:
            return orders
        time.sleep(poll_s)


def processing_figures(orders: list[Order], started: float, hold: tuple[float, float]) -> dict[str, Any]:
    """Every order's latency, and how many orders reached a final state per second while the load held."""
    finals = [_epoch(o["history"][-1]["at"]) - started for o in orders if o["status"] in FINAL]
    span = max(hold[1] - hold[0], 1e-9)
    statuses: dict[str, int] = {}
    for order in orders:
        statuses[order["status"]] = statuses.get(order["status"], 0) + 1
    return {
        "orders": len(orders),
        "statuses": statuses,
        "settled_per_s_during_hold": round(sum(1 for t in finals if hold[0] <= t < hold[1]) / span, 2),
        "all_orders_server_stamped_ms": latency_summary(
            [ms for o in orders if (ms := server_latency_ms(o)) is not None]
        ),
        "last_settled_s_after_start": round(max(finals), 1) if finals else None,
    }


def settled_per_second(orders: list[Order], started: float, seconds: list[int]) -> list[int]:
    finals = [int(_epoch(o["history"][-1]["at"]) - started) for o in orders if o["status"] in FINAL]
    return [finals.count(second) for second in seconds]


def placed_and_latency(orders: list[Order], started: float) -> list[tuple[float, float]]:
    """(seconds after start the order was placed, its time to final state in ms) for the plot."""
    return [(_epoch(o["created_at"]) - started, ms) for o in orders if (ms := server_latency_ms(o)) is not None]
