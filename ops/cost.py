"""Monthly AWS bill of the order service at a steady order rate, priced from prices.json. Usage:
python -m ops.cost --rps 100 [--json] [--alarms on|off] [--inputs results.json] [--capacity 10000]
[--retried-share 0..1] (the share of orders a provider outage sends through the retry queue)"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from ops import capacity as cap
from ops import retries as retry_queue
from ops.capacity import KIB_PER_GIB, SECONDS_PER_MONTH, WorkloadProfile
from ops.measured import load_measured
from ops.prices import CostLine, MonthlyCost, PriceList, load_prices
from ops.report import capacity_report, cost_report, inputs_report
from ops.retries import RetryProfile

SQS_REQUESTS_PER_FAILED_ORDER = 3  # Lambda's on-failure send, then a receive and a delete when the DLQ is drained
# The lines order events add (README "Order events"): the bus, its archive, the publisher, the example queue.
EVENT_ITEMS = (
    "Lambda requests, event publisher",
    "Lambda compute, event publisher",
    "EventBridge custom events (PutEvents)",
    "EventBridge archive, events archived",
    "EventBridge archive storage",
    "SQS sends to the example events queue",
)


def monthly_cost(
    orders_per_second: float,
    profile: WorkloadProfile,
    prices: PriceList,
    alarms: bool,
    retries: RetryProfile | None = None,
) -> MonthlyCost:
    orders = orders_per_second * SECONDS_PER_MONTH
    requests = orders * cap.api_requests_per_order(profile)
    log_gib = orders * profile.log_kib_per_order / KIB_PER_GIB
    gb_seconds = orders * cap.lambda_gb_seconds_per_order(profile)
    stream_records = orders * cap.item_writes_per_order(profile)
    write_units = cap.table_write_units_per_order(profile) + cap.gsi_write_units_per_order(profile)
    stored_gib = orders * profile.order_retention_months * cap.stored_gib_per_order(profile)
    # EMF metrics are billed only for the hours in which something publishes them: none while idle.
    metrics = profile.custom_metrics if alarms and orders else 0
    archived_gib = orders * cap.archived_gib_per_order(profile)
    events = orders * profile.events_per_order
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
        (EVENT_ITEMS[0], "lambda_requests", orders * cap.publisher_invocations_per_order(profile)),
        (
            EVENT_ITEMS[1],
            f"lambda_gb_seconds_{profile.architecture}",
            orders * cap.publisher_gb_seconds_per_order(profile),
        ),
        (EVENT_ITEMS[2], "eventbridge_custom_events", orders * cap.put_events_chunks_per_order(profile)),
        (EVENT_ITEMS[3], "eventbridge_archive_processing", archived_gib),
        (EVENT_ITEMS[4], "eventbridge_archive_storage", archived_gib * profile.event_archive_retention_months),
        (EVENT_ITEMS[5], "sqs_requests", events * profile.example_rule_targets),
        *retry_queue.usage(orders, SECONDS_PER_MONTH, retries or RetryProfile()),
    )
    price = prices.prices
    lines = tuple(CostLine(item, amount, price[key].unit, price[key].cost(amount)) for item, key, amount in usage)
    return MonthlyCost(orders_per_second, orders, lines, price["rest_api_requests"].cost(requests))


def order_events_usd(cost: MonthlyCost) -> float:
    """What the order events add to the bill (alarms aside: they are counted in the alarm line)."""
    return sum(line.usd for line in cost.lines if line.item in EVENT_ITEMS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.cost", description="Cost and capacity model")
    parser.add_argument("--rps", type=float, required=True, help="steady order rate, orders per second")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument("--alarms", choices=("on", "off"), default="on", help="alarms, dashboard and custom metrics")
    parser.add_argument("--inputs", type=Path, help="benchmark results JSON whose measured values replace the defaults")
    parser.add_argument("--capacity", type=float, default=10_000.0, help="order rate for the quota check")
    parser.add_argument("--key-share", type=float, help="share of POSTs with an Idempotency-Key (default 1)")
    parser.add_argument("--retried-share", type=float, default=0.0, help="share of orders retried (outages; 0)")
    args = parser.parse_args(argv)
    if args.rps < 0 or args.capacity <= 0 or not 0 <= (args.key_share or 0) <= 1 or not 0 <= args.retried_share <= 1:
        parser.error("--rps must be >= 0, --capacity > 0, --key-share and --retried-share from 0 to 1")
    retries = RetryProfile(retried_order_share=args.retried_share)
    measured = load_measured(args.inputs) if args.inputs else {}
    profile = replace(WorkloadProfile(), **dict[str, Any](measured))
    if args.key_share is not None:
        profile = replace(profile, idempotency_key_share=args.key_share)
    prices = load_prices()
    cost = monthly_cost(args.rps, profile, prices, alarms=args.alarms == "on", retries=retries)
    idle = {f"alarms_{state}": monthly_cost(0, profile, prices, state == "on").total_usd for state in ("on", "off")}
    capacity = cap.capacity(args.capacity, profile)
    if not args.json:
        inputs = inputs_report(args.inputs, measured, profile)
        report = cost_report(cost, idle, prices, order_events_usd(cost))
        request_usd = prices.prices["sqs_requests"].cost(1e6) / 1e6
        report += retry_queue.retry_report(cost, retries, request_usd)
        print("\n".join([*report, *inputs, "", *capacity_report(capacity, profile)]))
        return 0
    document = {
        "prices": {"region": prices.region, "as_of": prices.as_of},
        "cost": asdict(cost)
        | {
            "total_usd": cost.total_usd,
            "usd_per_million_orders": cost.usd_per_million_orders,
            "order_events_usd": order_events_usd(cost),
            "order_events_usd_per_million_orders": order_events_usd(cost) / cost.orders * 1e6 if cost.orders else None,
            "retry_queue_usd": retry_queue.retry_queue_usd(cost),
        },
        "idle_usd": idle,
        "inputs": {
            "measured": measured,
            "assumed": {k: v for k, v in asdict(profile).items() if k not in measured},
            "retries": asdict(retries),
        },
        "capacity": asdict(capacity) | {"first_limit": capacity.first_limit.resource},
    }
    print(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
