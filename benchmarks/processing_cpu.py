"""Processing CPU: process time per stream record through the stream handler, in batches
of 100 INSERT records of PENDING orders, on the in-memory store and simulator, over
boto3's TypeDeserializer deserializing the NewImage of the same records.

The orders are placed through the real intake handler first, so each record carries the
item the intake really writes (items.order_to_item(order, Writer.INTAKE))."""

from __future__ import annotations

import cProfile
import time
from typing import Any

from benchmarks.common import Figure, apply_environ, figure_main, median, paired_ratio, profile_shares, profile_top

apply_environ()

from boto3.dynamodb.types import TypeDeserializer  # noqa: E402

import app  # noqa: E402
from benchmarks.intake_cpu import production_container_in_memory  # noqa: E402
from benchmarks.lambda_events import api_event, insert_record, lambda_context  # noqa: E402
from chalicelib import bootstrap  # noqa: E402
from chalicelib.adapters.items import order_to_item  # noqa: E402
from chalicelib.adapters.memory_repository import InMemoryOrderRepository  # noqa: E402
from chalicelib.domain.writers import Writer  # noqa: E402
from tests.support.orders import order_body  # noqa: E402

TARGET = 3.0
BATCH = 100
FLOOR_REPEATS = 10  # the floor is short: repeat it so the clock's resolution does not matter
STEPS = {
    "filter re-check (stream.needs_processing)": ("entrypoints/stream.py", "needs_processing"),
    "charge (processing._charge)": ("service_layer/processing.py", "_charge"),
    "ship and finish (processing._ship)": ("service_layer/processing.py", "_ship"),
    "  of which the final event, log line and metrics (publisher.publish)": ("adapters/publisher.py", "publish"),
    "state transitions (state_machine.transition)": ("domain/state_machine.py", "transition"),
    "log context per record (observability.order_context)": ("chalicelib/observability.py", "order_context"),
    "Records to dicts (DynamoDBEvent.to_dict)": ("chalice/app.py", "to_dict"),
}
Event = dict[str, Any]


def pending_batch(container: bootstrap.Container, first_sequence: int) -> Event:
    """Place BATCH orders through the intake handler; return their INSERT records."""
    post, context = api_event("POST", "/orders", "/orders", order_body()), lambda_context()
    ids = [app.app(post, context)["headers"]["Location"].rsplit("/", 1)[1] for _ in range(BATCH)]
    repository = container.intake.repository
    assert isinstance(repository, InMemoryOrderRepository)
    items = [order_to_item(repository.orders[order_id], Writer.INTAKE) for order_id in ids]
    return {"Records": [insert_record(item, first_sequence + n) for n, item in enumerate(items)]}


def handler_cpu(event: Event, context: Any) -> float:
    started = time.process_time()
    response = app.process_orders(event, context)
    elapsed = time.process_time() - started
    assert response == {"batchItemFailures": []}, response
    return elapsed / len(event["Records"])


def floor_cpu(event: Event) -> float:
    deserializer = TypeDeserializer()
    started = time.process_time()
    for _ in range(FLOOR_REPEATS):
        for record in event["Records"]:
            {name: deserializer.deserialize(value) for name, value in record["dynamodb"]["NewImage"].items()}
    return (time.process_time() - started) / FLOOR_REPEATS / len(event["Records"])


def measure(quick: bool) -> list[Figure]:
    runs = 3 if quick else 15
    container = production_container_in_memory()
    bootstrap.use_container(container)
    context = lambda_context("orders-dev-process_orders")
    handler_cpu(pending_batch(container, 0), context)  # warm caches and lazy imports
    handled, floors = [], []
    for run in range(1, runs + 1):
        event = pending_batch(container, run * BATCH)
        floors.append(floor_cpu(event))
        handled.append(handler_cpu(event, context))
    repository = container.processing.repository
    assert isinstance(repository, InMemoryOrderRepository)
    statuses = {order.status.value for order in repository.orders.values()}
    assert statuses == {"CONFIRMED"}, f"every benchmark order should be CONFIRMED, found {statuses}"
    ratio = paired_ratio(handled, floors)
    silent_container = production_container_in_memory(log_events=False)
    bootstrap.use_container(silent_container)
    silent = [handler_cpu(pending_batch(silent_container, (runs + 1 + n) * BATCH), context) for n in range(runs)]
    bootstrap.use_container(container)
    profiler = cProfile.Profile()
    profiler.runcall(handler_cpu, pending_batch(container, (2 * runs + 1) * BATCH), context)
    return [
        Figure(
            "processing CPU",
            round(median(handled) * 1000, 3),
            round(median(floors) * 1000, 3),
            round(ratio, 2),
            f"≤ {TARGET:g}x",
            ratio <= TARGET,
            unit="ms CPU/record",
            details={
                "runs": runs,
                "records_per_batch": BATCH,
                "ratio_without_event_log_line_and_metric": round(median(silent) / median(floors), 2),
                "profile_shares": profile_shares(profiler, ("benchmarks/processing_cpu.py", "handler_cpu"), STEPS),
                "profile_top_own_time": profile_top(profiler),
            },
        )
    ]


if __name__ == "__main__":
    figure_main(measure)
