"""Monthly AWS bill of the order service at a steady order rate, priced from prices.json.

python -m chalicelib.ops.cost --rps 100 [--json] [--alarms on|off] [--inputs benchmarks/results.json]
                              [--capacity 10000]
"""

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
    as_of: str
    region: str
    prices: dict[str, Price]


def load_prices(path: Path = PRICES_FILE) -> PriceList:
    raw = json.loads(path.read_text())
    prices = {}
    for name, entry in raw["prices"].items():
        tiers = entry.get("tiers") or [{"up_to": None, "usd": entry["usd"]}]
        bands = tuple((math.inf if t["up_to"] is None else float(t["up_to"]), float(t["usd"])) for t in tiers)
        prices[name] = Price(entry["unit"], float(entry.get("per", 1)), bands)
    return PriceList(str(raw["as_of"]), str(raw["region"]), prices)


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
    rest_api_usd: float  # what REST API would cost instead of HTTP API; not part of the total

    @property
    def total_usd(self) -> float:
        return sum(line.usd for line in self.lines)

    @property
    def usd_per_million_orders(self) -> float | None:
        return self.total_usd / self.orders * 1e6 if self.orders else None


def monthly_cost(
    orders_per_second: float, profile: WorkloadProfile, price_list: PriceList, monitoring: bool = True
) -> MonthlyCost:
    orders = orders_per_second * SECONDS_PER_MONTH
    api_requests = orders * cap.api_requests_per_order(profile)
    log_gib = orders * profile.log_kib_per_order / KIB_PER_GIB
    stream_records = orders * (profile.writes_per_order + profile.idempotency_key_share * (
        profile.writes_per_order_with_key - profile.writes_per_order))
    wru = cap.table_write_units_per_order(profile) + cap.gsi_write_units_per_order(profile)
    usage = (
        ("API Gateway HTTP API requests", "http_api_requests", api_requests),
        ("Lambda requests", "lambda_requests", orders * cap.lambda_invocations_per_order(profile)),
        ("Lambda compute", f"lambda_gb_seconds_{profile.architecture}", orders * cap.lambda_gb_seconds_per_order(profile)),
        ("DynamoDB writes (table + GSI)", "dynamodb_write_request_units", orders * wru),
        ("DynamoDB reads", "dynamodb_read_request_units", orders * cap.read_units_per_order(profile)),
        ("DynamoDB storage", "dynamodb_storage", orders * profile.order_retention_months * cap.stored_gib_per_order(profile)),
        ("DynamoDB Streams reads by Lambda", "dynamodb_streams_lambda_reads", stream_records),
        ("CloudWatch Logs ingestion", "cloudwatch_logs_ingestion", log_gib),
        ("CloudWatch Logs storage", "cloudwatch_logs_storage", log_gib * profile.log_retention_months),
        ("CloudWatch alarms", "cloudwatch_standard_alarms", profile.alarms if monitoring else 0),
        ("CloudWatch dashboards", "cloudwatch_dashboards", profile.dashboards if monitoring else 0),
        # EMF metrics are billed only for hours in which something is published: none while idle.
        ("CloudWatch custom metrics (EMF)", "cloudwatch_custom_metrics", profile.custom_metrics if monitoring and orders else 0),
        ("SQS DLQ requests", "sqs_requests", orders * profile.failed_order_share * SQS_REQUESTS_PER_FAILED_ORDER),
    )
    prices = price_list.prices
    lines = tuple(CostLine(item, qty, prices[key].unit, prices[key].cost(qty)) for item, key, qty in usage)
    return MonthlyCost(orders_per_second, orders, lines, prices["rest_api_requests"].cost(api_requests))
