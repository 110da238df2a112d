"""Plain-text tables for the cost and capacity model's command line."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ops import capacity as cap
from ops.capacity import MEASURABLE, WorkloadProfile
from ops.prices import MonthlyCost, PriceList


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    cells = (
        (row[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)))
        for row in (header, *rows)
    )
    return ["  ".join(row) for row in cells]


def _n(value: float | None) -> str:
    if value is None:
        return "-"  # a limit that has no order rate at which it is reached
    return f"{value:,.0f}" if value >= 100 or value == int(value) else f"{value:,.2f}"


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def cost_report(
    cost: MonthlyCost, idle: dict[str, float], prices: PriceList, order_events_usd: float | None = None
) -> list[str]:
    per_million = cost.usd_per_million_orders
    rows = [(line.item, _n(line.quantity), line.unit, _usd(line.usd)) for line in cost.lines]
    rows += [("Total", "", "", _usd(cost.total_usd))]
    rows += [("Per million orders", "", "", _usd(per_million) if per_million else "n/a")]
    return [
        f"{_n(cost.orders_per_second)} orders/s = {cost.orders:,.0f} orders per 30.4-day month;"
        f" {prices.region} list prices of {prices.as_of}, free tiers excluded",
        *_table(("line item", "quantity/month", "unit", "USD/month"), rows),
        f"REST API instead of HTTP API: {_usd(cost.rest_api_usd)} (not in the total)",
        *_events_line(cost, order_events_usd),
        f"Idle: {_usd(idle['alarms_on'])} with alarms on (idle EMF metrics are free), {_usd(idle['alarms_off'])} off",
    ]


def _events_line(cost: MonthlyCost, order_events_usd: float | None) -> list[str]:
    if order_events_usd is None:
        return []
    per_million = f", {_usd(order_events_usd / cost.orders * 1e6)} per million orders" if cost.orders else ""
    return [
        f"Order events (publisher, PutEvents, archive, example queue): {_usd(order_events_usd)} of the total"
        f"{per_million}; their 5 alarms are in the alarm line"
    ]


def inputs_report(source: Path | None, measured: dict[str, float], profile: WorkloadProfile) -> list[str]:
    origin = "no --inputs" if source is None else f"{source}" if source.exists() else f"{source} not found"
    assumed = [
        f"{key}={getattr(profile, key):g}" if getattr(profile, key) is not None else f"{key} modelled"
        for key in MEASURABLE
        if key not in measured
    ]
    return [
        f"Measured ({origin}): " + (", ".join(f"{key}={value:g}" for key, value in measured.items()) or "nothing"),
        "Assumed: " + ", ".join([*assumed, "every other WorkloadProfile default"]),
    ]


def capacity_report(capacity: cap.Capacity, profile: WorkloadProfile) -> list[str]:
    rows = [
        (c.resource, _n(c.needed), _n(c.quota), c.action, _n(c.reached_at_orders_per_second)) for c in capacity.checks
    ]
    first = capacity.first_limit
    return [
        f"Capacity at {_n(capacity.orders_per_second)} orders/s against default us-east-1 quotas",
        *_table(("resource", "needed", "default quota", "must raise?", "reached at orders/s"), rows),
        f"First quota hit: {first.resource}, at {_n(first.reached_at_orders_per_second)} orders/s",
        f"DynamoDB partitions: {capacity.partitions_for_throughput:,} for throughput,"
        f" ~{capacity.partitions_for_storage:,} for {profile.order_retention_months:g} month(s) of orders (~10 GB each)"
        f" -> ~{capacity.stream_shards:,} stream shards",
        "On-demand tables have no account-level quota (its 80,000 is for provisioned mode);"
        " API Gateway bursts 5,000 above 10,000 rps",
    ]
