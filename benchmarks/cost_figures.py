"""Cost per million orders at 100 orders/s, all in, priced by ops/cost.py from the figures
this run measured: the numbers `make cost` prints, for orders without an Idempotency-Key
and for every order keyed, beside the issue's targets and without the order events."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ops.capacity import WorkloadProfile
from ops.cost import monthly_cost, order_events_usd
from ops.measured import measured_inputs
from ops.prices import load_prices

ORDERS_PER_SECOND = 100.0
TARGETS_USD = {"no_keys": 5.50, "all_keyed": 7.50}
KEY_SHARES = {"no_keys": 0.0, "all_keyed": 1.0}


def cost_per_million_orders(results: dict[str, Any]) -> dict[str, Any]:
    """Priced from the measured inputs in `results` (write units, CPU, calls per order)."""
    profile = replace(WorkloadProfile(), **dict[str, Any](measured_inputs(results, "this run's results")))
    prices = load_prices()
    figures: dict[str, Any] = {"orders_per_second": ORDERS_PER_SECOND}
    for case, share in KEY_SHARES.items():
        cost = monthly_cost(ORDERS_PER_SECOND, replace(profile, idempotency_key_share=share), prices, alarms=True)
        total = cost.usd_per_million_orders or 0.0
        events = order_events_usd(cost) / cost.orders * 1e6
        figures[case] = {
            "usd": round(total, 2),
            "usd_without_order_events": round(total - events, 2),
            "target_usd": TARGETS_USD[case],
            "met": total <= TARGETS_USD[case],
        }
    return figures


def cost_lines(figures: dict[str, Any]) -> list[str]:
    lines = ["", f"cost per million orders at {figures['orders_per_second']:g} orders/s, all in (make cost):"]
    for case in KEY_SHARES:
        row = figures[case]
        verdict = "met" if row["met"] else "not met"
        lines.append(
            f"  {case.replace('_', ' ')}: ${row['usd']:.2f} (target ${row['target_usd']:.2f}, {verdict});"
            f" ${row['usd_without_order_events']:.2f} without the order events"
        )
    return lines
