"""Pins the cost and capacity arithmetic to numbers worked out by hand."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from ops import capacity as cap
from ops.cost import EVENT_ITEMS, main, monthly_cost, order_events_usd
from ops.measured import load_measured
from ops.prices import PRICES_FILE, load_prices

PROFILE = cap.WorkloadProfile(order_item_kib=1.5)  # pinned: the arithmetic below takes 2 WRU per write
PRICES = load_prices()
ORDERS_AT_ONE_PER_SECOND = 86_400 * 30.4  # 2,626,560
GIB = 1024 * 1024  # KiB per GiB
IDLE_POLLS = 5 * ORDERS_AT_ONE_PER_SECOND / 20  # 5 pollers, one 20 s long poll after another: 656,640


def usd_by_item(
    orders_per_second: float, alarms: bool = True, profile: cap.WorkloadProfile = PROFILE
) -> dict[str, float]:
    return {line.item: line.usd for line in monthly_cost(orders_per_second, profile, PRICES, alarms).lines}


def test_http_api_at_one_order_per_second_is_one_and_a_half_requests_per_order() -> None:
    line = monthly_cost(1, PROFILE, PRICES, alarms=True).lines[0]
    assert line.quantity == pytest.approx(1.5 * 86_400 * 30.4) == 3_939_840
    assert line.usd == pytest.approx(3_939_840 / 1e6 * 1.00)


def test_every_line_and_the_total_at_one_order_per_second() -> None:
    orders = ORDERS_AT_ONE_PER_SECOND
    log_gib = orders * 1.5 / GIB
    expected = {
        "API Gateway HTTP API requests": orders * 1.5 * 1.00 / 1e6,
        "Lambda requests": orders * (1.5 + 1 / 10) * 0.20 / 1e6,
        "Lambda compute": orders * (1.5 * 15 + 20) / 1000 * 0.25 * 0.0000133334,
        # 1.5 KiB items take 2 WRU; keyed put = 2 items x 2 x 2, two saves x 2, GSI copy of 3 writes x 2.
        "DynamoDB writes (table + GSI)": orders * (8 + 4 + 6) * 0.625 / 1e6,
        "DynamoDB reads": orders * (1 + 1 + 0.5) * 0.125 / 1e6,
        "DynamoDB storage": orders * (1.5 + 100 / 1024) * 2 / GIB * 0.25,
        "DynamoDB Streams reads by Lambda": 0.0,
        "CloudWatch Logs ingestion": log_gib * 0.50,
        "CloudWatch Logs storage": log_gib * 0.03,
        "CloudWatch alarms": 16 * 0.10,
        "CloudWatch dashboards": 1 * 3.00,
        "KMS key for the alarm topic": 1.00,
        "CloudWatch custom metrics (EMF)": 6 * 0.30,
        "SQS DLQ requests": 0.0,
        # Order events: 3 records and 3 events an order, batched 10 records an invocation.
        "Lambda requests, event publisher": orders * 3 / 10 * 0.20 / 1e6,
        "Lambda compute, event publisher": orders * 3 * 20 / 1000 * 0.25 * 0.0000133334,
        "EventBridge custom events (PutEvents)": orders * 3 * 1.00 / 1e6,
        "EventBridge archive, events archived": orders * 3 * 0.5 / GIB * 0.10,
        "EventBridge archive storage": orders * 3 * 0.5 / GIB * 0.023,
        "SQS sends to the example events queue": orders * 3 * 0.40 / 1e6,
        # No order retried outside an outage; retry_orders' 5 pollers long-poll 20 s at a time.
        "SQS retry queue: retries (send, receive, delete)": 0.0,
        "SQS retry queue: idle long polls": IDLE_POLLS * 0.40 / 1e6,
    }
    cost = monthly_cost(1, PROFILE, PRICES, alarms=True)
    assert usd_by_item(1) == pytest.approx(expected)
    assert cost.total_usd == pytest.approx(sum(expected.values())) == pytest.approx(59.3537, abs=1e-4)
    assert cost.usd_per_million_orders == pytest.approx(sum(expected.values()) / orders * 1e6)


def test_http_api_requests_past_300_million_take_the_cheaper_tier() -> None:
    assert usd_by_item(100)["API Gateway HTTP API requests"] == pytest.approx(300 * 1.00 + (393.984 - 300) * 0.90)


def test_rest_api_is_a_comparison_outside_the_total() -> None:
    cost = monthly_cost(1, PROFILE, PRICES, alarms=True)
    assert cost.rest_api_usd == pytest.approx(3.93984 * 3.50)
    assert cost.total_usd == pytest.approx(sum(line.usd for line in cost.lines))


def test_idle_with_alarms_off_costs_only_the_retry_queues_long_polls() -> None:
    assert monthly_cost(0, PROFILE, PRICES, alarms=False).total_usd == pytest.approx(IDLE_POLLS * 0.40 / 1e6)


def test_idle_with_alarms_on_pays_alarms_dashboard_and_topic_key_but_not_unpublished_metrics() -> None:
    assert monthly_cost(0, PROFILE, PRICES, alarms=True).total_usd == pytest.approx(
        16 * 0.10 + 3.00 + 1.00 + IDLE_POLLS * 0.40 / 1e6
    )


def test_failed_orders_cost_three_sqs_requests_each() -> None:
    failing = replace(PROFILE, failed_order_share=0.01)
    assert usd_by_item(1, profile=failing)["SQS DLQ requests"] == pytest.approx(
        ORDERS_AT_ONE_PER_SECOND * 0.03 * 0.4 / 1e6
    )


@pytest.mark.parametrize(
    ("item_kib", "wru", "rru"), [(0.5, 1, 1), (1.0, 1, 1), (1.01, 2, 1), (1.5, 2, 1), (3.2, 4, 1), (4.1, 5, 2)]
)
def test_units_round_up_per_started_kib_for_writes_and_4_kib_for_reads(item_kib: float, wru: int, rru: int) -> None:
    assert (cap.write_units(item_kib), cap.read_units(item_kib)) == (wru, rru)


@pytest.mark.parametrize(
    ("item_kib", "key_share", "table_wru", "gsi_wru"),
    [(1.0, 0.0, 3, 3), (1.0, 1.0, 6, 3), (1.0, 0.5, 4.5, 3), (1.5, 0.0, 6, 6), (1.5, 1.0, 12, 6), (2.5, 1.0, 18, 9)],
)
def test_write_units_per_order(item_kib: float, key_share: float, table_wru: float, gsi_wru: float) -> None:
    profile = replace(PROFILE, order_item_kib=item_kib, idempotency_key_share=key_share)
    assert cap.table_write_units_per_order(profile) == table_wru
    assert cap.gsi_write_units_per_order(profile) == gsi_wru


def test_capacity_at_10000_orders_per_second() -> None:
    capacity = cap.capacity(10_000, PROFILE)
    checks = {check.resource: check for check in capacity.checks}
    expected = {
        "API Gateway requests/s (account, all APIs)": (15_000, 10_000, "yes"),
        # 225 (API) + 200 (processor) + 600 (publisher: 3 records an order, 20 ms each)
        "Lambda concurrency, steady": (15_000 * 0.015 + 10_000 * 0.020 + 30_000 * 0.020, 1_000, "yes"),
        # One batch in flight per shard for each of the two mappings, plus the API and the retry queue's cap.
        "Lambda concurrency, stream backlog catch-up": (4_002 * (1 + 1) + 225 + 5, 1_000, "yes"),
        "DynamoDB table WRU/s": (120_000, 40_000, "yes"),
        "DynamoDB GSI by-customer WRU/s": (60_000, 40_000, "yes"),
        "DynamoDB table RRU/s": (25_000, 40_000, "no"),
        "DynamoDB new-table warm WRU/s": (120_000, 4_000, "pre-warm"),
        "Stream parallelization factor per shard": (1, 10, "no"),
        "EventBridge PutEvents requests/s (account)": (30_000, 10_000, "yes"),
        "EventBridge rule invocations/s (account)": (30_000, 18_750, "yes"),
    }
    assert {name: (round(c.needed, 6), c.quota, c.action) for name, c in checks.items()} == expected
    assert capacity.first_limit.resource == "DynamoDB table WRU/s"  # tied with PutEvents, listed first
    assert capacity.first_limit.reached_at_orders_per_second == pytest.approx(40_000 / 12)
    put_events = checks["EventBridge PutEvents requests/s (account)"]
    assert put_events.reached_at_orders_per_second == pytest.approx(10_000 / 3)
    assert capacity.partitions_for_throughput == 120
    # 26.3 billion orders x 1.6 KiB = 40,020 GiB at ~10 GiB a partition.
    assert capacity.partitions_for_storage == capacity.stream_shards == 4_002


def test_small_items_without_keys_move_the_first_limit_to_put_events_then_api_gateway() -> None:
    lean = replace(PROFILE, order_item_kib=1.0, idempotency_key_share=0.0, gsi_writes_per_order_write=0.0)
    capacity = cap.capacity(10_000, lean)
    assert capacity.first_limit.resource == "EventBridge PutEvents requests/s (account)"
    assert capacity.first_limit.reached_at_orders_per_second == pytest.approx(10_000 / 3)
    unannounced = cap.capacity(10_000, replace(lean, events_per_order=0.0))
    assert unannounced.first_limit.resource == "API Gateway requests/s (account, all APIs)"
    assert unannounced.first_limit.reached_at_orders_per_second == pytest.approx(10_000 / 1.5)


def test_parallelization_factor_follows_records_per_shard_when_throughput_sets_the_shards() -> None:
    capacity = cap.capacity(10_000, replace(PROFILE, order_retention_months=0.001))
    assert capacity.stream_shards == 120
    assert capacity.parallelization_factor == 2  # 83.3 records/s per shard x 20 ms = 1.67 busy batches
    backlog = next(c for c in capacity.checks if c.resource == "Lambda concurrency, stream backlog catch-up")
    # The publisher sees 3 records an order: 250 a second per shard x 20 ms = 5 busy batches.
    assert backlog.needed == pytest.approx(120 * (2 + 5) + 225 + 5)


def test_measured_values_replace_only_the_measurable_defaults(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"intake_ms": 12, "writes_per_order_with_key": 4, "p99_ms": 80}))
    assert load_measured(results) == {"writes_per_order_with_key": 4.0, "intake_ms": 12.0}
    assert load_measured(tmp_path / "missing.json") == {}
    results.write_text(json.dumps({"intake_ms": "fast"}))
    with pytest.raises(ValueError, match="positive numbers"):
        load_measured(results)


def test_prices_are_dated_and_sourced() -> None:
    raw = json.loads(PRICES_FILE.read_text())
    assert (raw["region"], raw["as_of"]) == ("us-east-1", "2026-11-25")
    assert raw["notes"]
    assert all(entry["source"].startswith("https://aws.amazon.com/") for entry in raw["prices"].values())


def test_cli_prints_the_cost_table_and_capacity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--rps", "100"]) == 0
    out = capsys.readouterr().out
    assert "393,984,000" in out and "$384.59" in out
    assert "Idle: $5.86 with alarms on" in out and "$0.26 off" in out
    assert "Measured (no --inputs): nothing" in out
    assert "First quota hit: EventBridge PutEvents requests/s (account), at 3,333 orders/s" in out
    assert "Order events (publisher, PutEvents, archive, example queue): $" in out


def test_cli_json_with_measured_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"intake_ms": 10}))
    assert main(["--rps", "0", "--alarms", "off", "--json", "--inputs", str(results)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["cost"]["total_usd"] == pytest.approx(0.262656)
    assert document["idle_usd"] == {"alarms_on": pytest.approx(5.862656), "alarms_off": pytest.approx(0.262656)}
    assert (
        document["cost"]["order_events_usd"] == 0.0 and document["cost"]["order_events_usd_per_million_orders"] is None
    )
    assert document["inputs"]["measured"] == {"intake_ms": 10.0}
    assert "intake_ms" not in document["inputs"]["assumed"]


def test_measured_cpu_becomes_a_lambda_duration_with_round_trips(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(
        '{"intake_ms": 0.5, "processing_ms_per_record": 1.0, "lambda_memory_mb": 1769,'
        ' "dynamodb_calls_per_order": {"intake": 1, "processing": 6}}'
    )
    measured = load_measured(results)
    assert measured["intake_ms"] == pytest.approx(0.5 + 1 * 5.0)
    assert measured["processing_ms_per_record"] == pytest.approx(1.0 + 6 * 5.0)


def test_order_events_cost_about_four_dollars_sixty_four_per_million_orders() -> None:
    """Per million orders, with the pinned profile: three events each."""
    per_million = order_events_usd(monthly_cost(1, PROFILE, PRICES, alarms=True)) / ORDERS_AT_ONE_PER_SECOND * 1e6
    expected = {
        "publisher requests": 0.3 * 0.20,  # 3 records / 10 per invocation
        "publisher compute": 3 * 0.020 * 0.25 * 0.0000133334 * 1e6,  # 3 records x 20 ms at 256 MB
        "PutEvents": 3 * 1.00,
        "archived": 3 * 0.5 / GIB * 0.10 * 1e6,
        "archive storage": 3 * 0.5 / GIB * 0.023 * 1e6,  # 30 days' retention = one month stored
        "example queue": 3 * 0.40,
    }
    assert per_million == pytest.approx(sum(expected.values())) == pytest.approx(4.6360, abs=1e-4)
    assert set(EVENT_ITEMS) <= {line.item for line in monthly_cost(1, PROFILE, PRICES, alarms=True).lines}


def test_each_started_64_kb_of_an_event_bills_as_one_event() -> None:
    for event_kib, chunks in [(0.5, 1), (64.0, 1), (64.5, 2), (200.0, 4)]:
        assert cap.put_events_chunks_per_order(replace(PROFILE, event_kib=event_kib)) == 3 * chunks
    big = usd_by_item(1, profile=replace(PROFILE, event_kib=100.0))
    assert big["EventBridge custom events (PutEvents)"] == pytest.approx(ORDERS_AT_ONE_PER_SECOND * 6 / 1e6)
    assert big["EventBridge archive, events archived"] == pytest.approx(ORDERS_AT_ONE_PER_SECOND * 300 / GIB * 0.10)


def test_the_archive_stores_as_many_months_as_it_retains() -> None:
    kept = usd_by_item(1, profile=replace(PROFILE, event_archive_retention_months=3.0))
    assert kept["EventBridge archive storage"] == pytest.approx(3 * usd_by_item(1)["EventBridge archive storage"])


def test_an_idle_bus_and_archive_cost_nothing() -> None:
    idle = usd_by_item(0, alarms=False)
    assert all(idle[item] == 0.0 for item in EVENT_ITEMS)


def test_the_publisher_follows_the_processors_measured_time_per_record() -> None:
    slower = replace(PROFILE, processing_ms_per_record=40.0, records_per_processing_invocation=5.0)
    lines = usd_by_item(1, profile=slower)
    assert lines["Lambda compute, event publisher"] == pytest.approx(
        ORDERS_AT_ONE_PER_SECOND * 3 * 0.040 * 0.25 * 0.0000133334
    )
    assert lines["Lambda requests, event publisher"] == pytest.approx(ORDERS_AT_ONE_PER_SECOND * 3 / 5 * 0.20 / 1e6)


def test_measured_write_units_replace_the_modelled_ones_mixed_by_the_key_share() -> None:
    measured = replace(
        PROFILE,
        table_write_units_per_order=3.0,
        table_write_units_per_order_with_key=6.0,
        index_write_units_per_order=1.0,
        index_write_units_per_order_with_key=1.0,
    )
    assert cap.table_write_units_per_order(replace(measured, idempotency_key_share=0.0)) == 3.0
    assert cap.table_write_units_per_order(replace(measured, idempotency_key_share=0.5)) == 4.5
    assert cap.gsi_write_units_per_order(measured) == 1.0
    assert cap.table_write_units_per_order(PROFILE) == 12  # not measured: modelled from the 1.5 KiB item


def test_measured_write_units_are_read_from_the_benchmark_results(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"table_write_units_per_order": 3, "index_write_units_per_order_with_key": 1}))
    assert load_measured(results) == {"table_write_units_per_order": 3.0, "index_write_units_per_order_with_key": 1.0}
