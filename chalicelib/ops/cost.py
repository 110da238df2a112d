"""Monthly AWS bill of the order service at a steady order rate, priced from prices.json. Usage:
python -m chalicelib.ops.cost --rps 100 [--json] [--alarms on|off] [--inputs results.json] [--capacity 10000]"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from chalicelib.ops import capacity as cap
from chalicelib.ops.capacity import KIB_PER_GIB, MEASURABLE, SECONDS_PER_MONTH, WorkloadProfile

FULL_VCPU_MEMORY_MB = 1769  # Lambda allots one full vCPU at 1,769 MB, proportionally below
DYNAMODB_ROUND_TRIP_MS = 5.0  # an assumed in-region round trip; single-digit ms per AWS

PRICES_FILE = Path(__file__).with_name("prices.json")
SQS_REQUESTS_PER_FAILED_ORDER = 3  # Lambda's on-failure send, then a receive and a delete when the DLQ is drained


@dataclass(frozen=True)
class Price:
    unit: str
    per: float
    tiers: tuple[tuple[float, float], ...]  # (cumulative units up to, USD per `per` units)

    def cost(self, quantity: float) -> float:
        usd, floor = 0.0, 0.0
        for ceiling, rate in self.tiers:
            usd += max(0.0, min(quantity, ceiling) - floor) * rate / self.per
            floor = ceiling
        return usd


@dataclass(frozen=True)
class PriceList:
    region: str
    as_of: str
    prices: dict[str, Price]


def load_prices(path: Path = PRICES_FILE) -> PriceList:
    raw = json.loads(path.read_text())
    prices = {}
    for name, entry in raw["prices"].items():
        tiers = entry.get("tiers") or [{"up_to": None, "usd": entry["usd"]}]
        bands = tuple((math.inf if t["up_to"] is None else float(t["up_to"]), float(t["usd"])) for t in tiers)
        prices[name] = Price(entry["unit"], float(entry.get("per", 1)), bands)
    return PriceList(str(raw["region"]), str(raw["as_of"]), prices)


def load_measured(path: Path) -> dict[str, float]:
    """The benchmark's values for MEASURABLE fields; none when the file does not exist."""
    data = json.loads(path.read_text()) if path.exists() else {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    found = {key: data[key] for key in MEASURABLE if data.get(key) is not None}
    if any(isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 for value in found.values()):
        raise ValueError(f"{path}: measured values must be positive numbers, got {found}")
    measured = {key: float(value) for key, value in found.items()}
    calls = data.get("dynamodb_calls_per_order")
    if isinstance(calls, dict):
        # The benchmark measures CPU on a full core in process; a Lambda gets memory/1769
        # of a vCPU and waits on each DynamoDB round trip besides.
        memory = measured.get("lambda_memory_mb", WorkloadProfile().lambda_memory_mb)
        for key, role in (("intake_ms", "intake"), ("processing_ms_per_record", "processing")):
            if key in measured and isinstance(calls.get(role), int | float):
                measured[key] = lambda_duration_ms(measured[key], memory, float(calls[role]))
    return measured


def lambda_duration_ms(cpu_ms: float, memory_mb: float, dynamodb_calls: float) -> float:
    return round(cpu_ms * FULL_VCPU_MEMORY_MB / memory_mb + dynamodb_calls * DYNAMODB_ROUND_TRIP_MS, 3)


@dataclass(frozen=True)
class CostLine:
    item: str
    quantity: float
    unit: str
    usd: float


@dataclass(frozen=True)
class MonthlyCost:
    orders_per_second: float
    orders: float
    lines: tuple[CostLine, ...]
    rest_api_usd: float  # REST API instead of HTTP API, for comparison: not in the total

    @property
    def total_usd(self) -> float:
        return sum(line.usd for line in self.lines)

    @property
    def usd_per_million_orders(self) -> float | None:
        return self.total_usd / self.orders * 1e6 if self.orders else None


def monthly_cost(orders_per_second: float, profile: WorkloadProfile, prices: PriceList, alarms: bool) -> MonthlyCost:
    orders = orders_per_second * SECONDS_PER_MONTH
    requests = orders * cap.api_requests_per_order(profile)
    log_gib = orders * profile.log_kib_per_order / KIB_PER_GIB
    gb_seconds = orders * cap.lambda_gb_seconds_per_order(profile)
    stream_records = orders * cap.item_writes_per_order(profile)
    write_units = cap.table_write_units_per_order(profile) + cap.gsi_write_units_per_order(profile)
    stored_gib = orders * profile.order_retention_months * cap.stored_gib_per_order(profile)
    # EMF metrics are billed only for the hours in which something publishes them: none while idle.
    metrics = profile.custom_metrics if alarms and orders else 0
    usage = (
        ("API Gateway HTTP API requests", "http_api_requests", requests),
        ("Lambda requests", "lambda_requests", orders * cap.lambda_invocations_per_order(profile)),
        ("Lambda compute", f"lambda_gb_seconds_{profile.architecture}", gb_seconds),
        ("DynamoDB writes (table + GSI)", "dynamodb_write_request_units", orders * write_units),
        ("DynamoDB reads", "dynamodb_read_request_units", orders * cap.read_units_per_order(profile)),
        ("DynamoDB storage", "dynamodb_storage", stored_gib),
        ("DynamoDB Streams reads by Lambda", "dynamodb_streams_lambda_reads", stream_records),
        ("CloudWatch Logs ingestion", "cloudwatch_logs_ingestion", log_gib),
        ("CloudWatch Logs storage", "cloudwatch_logs_storage", log_gib * profile.log_retention_months),
        ("CloudWatch alarms", "cloudwatch_standard_alarms", profile.alarms if alarms else 0),
        ("CloudWatch dashboards", "cloudwatch_dashboards", profile.dashboards if alarms else 0),
        ("KMS key for the alarm topic", "kms_customer_managed_keys", profile.alarm_topic_keys if alarms else 0),
        ("CloudWatch custom metrics (EMF)", "cloudwatch_custom_metrics", metrics),
        ("SQS DLQ requests", "sqs_requests", orders * profile.failed_order_share * SQS_REQUESTS_PER_FAILED_ORDER),
    )
    price = prices.prices
    lines = tuple(CostLine(item, amount, price[key].unit, price[key].cost(amount)) for item, key, amount in usage)
    return MonthlyCost(orders_per_second, orders, lines, price["rest_api_requests"].cost(requests))


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


def cost_report(cost: MonthlyCost, idle: dict[str, float], prices: PriceList) -> list[str]:
    per_million = cost.usd_per_million_orders
    rows = [(line.item, _n(line.quantity), line.unit, _usd(line.usd)) for line in cost.lines]
    rows += [("Total", "", "", _usd(cost.total_usd))]
    rows += [("Per million orders", "", "", _usd(per_million) if per_million else "n/a")]
    return [
        f"{_n(cost.orders_per_second)} orders/s = {cost.orders:,.0f} orders per 30.4-day month;"
        f" {prices.region} list prices of {prices.as_of}, free tiers excluded",
        *_table(("line item", "quantity/month", "unit", "USD/month"), rows),
        f"REST API instead of HTTP API: {_usd(cost.rest_api_usd)} (not in the total)",
        f"Idle: {_usd(idle['alarms_on'])} with alarms on (idle EMF metrics are free), {_usd(idle['alarms_off'])} off",
    ]


def inputs_report(source: Path | None, measured: dict[str, float], profile: WorkloadProfile) -> list[str]:
    origin = "no --inputs" if source is None else f"{source}" if source.exists() else f"{source} not found"
    assumed = [f"{key}={getattr(profile, key):g}" for key in MEASURABLE if key not in measured]
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.ops.cost", description="Cost and capacity model")
    parser.add_argument("--rps", type=float, required=True, help="steady order rate, orders per second")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--alarms", choices=("on", "off"), default="on", help="alarms, dashboard and custom metrics")
    parser.add_argument("--inputs", type=Path, help="benchmark results JSON whose measured values replace the defaults")
    parser.add_argument("--capacity", type=float, default=10_000.0, help="order rate for the quota check")
    args = parser.parse_args(argv)
    if args.rps < 0 or args.capacity <= 0:
        parser.error("--rps must be >= 0 and --capacity > 0")
    measured = load_measured(args.inputs) if args.inputs else {}
    profile = replace(WorkloadProfile(), **dict[str, Any](measured))
    prices = load_prices()
    cost = monthly_cost(args.rps, profile, prices, alarms=args.alarms == "on")
    idle = {f"alarms_{state}": monthly_cost(0, profile, prices, state == "on").total_usd for state in ("on", "off")}
    capacity = cap.capacity(args.capacity, profile)
    if not args.json:
        inputs = inputs_report(args.inputs, measured, profile)
        print("\n".join([*cost_report(cost, idle, prices), *inputs, "", *capacity_report(capacity, profile)]))
        return 0
    document = {
        "prices": {"region": prices.region, "as_of": prices.as_of},
        "cost": asdict(cost) | {"total_usd": cost.total_usd, "usd_per_million_orders": cost.usd_per_million_orders},
        "idle_usd": idle,
        "inputs": {"measured": measured, "assumed": {k: v for k, v in asdict(profile).items() if k not in measured}},
        "capacity": asdict(capacity) | {"first_limit": capacity.first_limit.resource},
    }
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
