"""Intake CPU: process time per POST /orders through the Chalice handler in process, on
the in-memory store, over a bare Chalice route returning a constant driven the same way.

Production configuration otherwise: the logging event publisher writes the OrderPlaced
JSON line and the EMF metrics at INFO, to stdout, which run.py points at /dev/null."""

from __future__ import annotations

import cProfile
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import Figure, apply_environ, figure_main, median, paired_ratio, profile_shares, profile_top

apply_environ()

from chalice.app import Chalice  # noqa: E402

import app  # noqa: E402
from benchmarks.lambda_events import api_event, lambda_context  # noqa: E402
from chalicelib import bootstrap  # noqa: E402
from chalicelib.adapters.ledger import InMemoryLedger  # noqa: E402
from chalicelib.adapters.memory_repository import InMemoryOrderRepository  # noqa: E402
from chalicelib.adapters.publisher import InMemoryEventPublisher, LoggingEventPublisher  # noqa: E402
from chalicelib.observability import logger, metrics  # noqa: E402
from chalicelib.settings import load_settings  # noqa: E402
from tests.support.orders import order_body  # noqa: E402

TARGET = 2.0
STEPS = {
    "app middleware and route (the rest is Chalice itself)": ("/app.py", "observe"),
    "parse and validate the body (http.place_order_command)": ("entrypoints/http.py", "place_order_command"),
    "intake.place_order, publishing included": ("service_layer/intake.py", "place_order"),
    "  of which OrderPlaced log line and metric (publisher.publish)": ("adapters/publisher.py", "publish"),
    "render the 201 (http.created)": ("entrypoints/http.py", "created"),
    "flush EMF metrics (observability.invocation exit)": ("aws_lambda_powertools/metrics/metrics.py", "flush_metrics"),
    "problem-format middleware (as_problem)": ("entrypoints/problems.py", "as_problem"),
}
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def production_container_in_memory(log_events: bool = True) -> bootstrap.Container:
    """The production wiring with the store and ledger in memory."""
    publisher = LoggingEventPublisher(logger, metrics) if log_events else InMemoryEventPublisher()
    return bootstrap.assemble(load_settings(), InMemoryOrderRepository(), InMemoryLedger(), publisher)


def bare_app() -> Chalice:
    bare = Chalice(app_name="bare")

    @bare.route("/orders", methods=["POST"])
    def constant() -> dict[str, str]:
        return {"status": "ok"}

    return bare


def cpu_per_call(handler: Handler, event: dict[str, Any], context: Any, calls: int) -> float:
    started = time.process_time()
    for _ in range(calls):
        handler(event, context)
    return (time.process_time() - started) / calls


def measure(quick: bool) -> list[Figure]:
    runs, calls = (3, 300) if quick else (9, 2000)
    bootstrap.use_container(production_container_in_memory())
    event, context = api_event("POST", "/orders", "/orders", order_body()), lambda_context()
    handlers: dict[str, Handler] = {"app": app.app, "bare": bare_app()}
    for name, handler in handlers.items():
        response = handler(event, context)
        assert response["statusCode"] in (200, 201), f"{name}: {response}"
        cpu_per_call(handler, event, context, calls // 10)  # warm caches and lazy imports
    apps, floors = [], []
    for _ in range(runs):
        apps.append(cpu_per_call(handlers["app"], event, context, calls))
        floors.append(cpu_per_call(handlers["bare"], event, context, calls))
    ratio = paired_ratio(apps, floors)
    bootstrap.use_container(production_container_in_memory(log_events=False))
    silent = [cpu_per_call(handlers["app"], event, context, calls) for _ in range(runs)]
    bootstrap.use_container(production_container_in_memory())
    profiler = cProfile.Profile()
    profiler.runcall(cpu_per_call, handlers["app"], event, context, calls)
    return [
        Figure(
            "intake CPU",
            round(median(apps) * 1000, 3),
            round(median(floors) * 1000, 3),
            round(ratio, 2),
            f"≤ {TARGET:g}x",
            ratio <= TARGET,
            unit="ms CPU/request",
            details={
                "runs": runs,
                "requests_per_run": calls,
                "ratio_without_event_log_line_and_metric": round(median(silent) / median(floors), 2),
                "profile_shares": profile_shares(profiler, ("benchmarks/intake_cpu.py", "cpu_per_call"), STEPS),
                "profile_top_own_time": profile_top(profiler),
            },
        )
    ]


if __name__ == "__main__":
    figure_main(measure)
