"""Wasted invocations: stream records delivered to the processor that needed no work,
under the real filter pattern, in a run of orders with mixed outcomes on moto.

Every delivery the stream handler passes to the service is checked: if the stored order
is the same before and after (or does not exist), the delivery found nothing to do."""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.common import Figure, figure_main
from benchmarks.moto_flow import MotoFlow
from chalicelib.domain.commands import ProcessOrder
from chalicelib.service_layer import processing
from chalicelib.service_layer.processing_deps import ProcessingDeps

# Cycled over the run: approvals, declines, a flaky and a down provider, refused shipping, keys.
MIX = [
    ("tok_visa", "GB", False),
    ("tok_visa", "GB", True),
    ("tok_decline", "GB", False),
    ("tok_visa", "AQ", False),
    ("tok_flaky", "GB", False),
    ("tok_visa", "FR", True),
    ("tok_down", "GB", False),
    ("tok_decline", "DE", True),
    ("tok_visa", "US", False),
    ("tok_flaky", "AQ", False),
]
CANCELLED_ORDERS = 5  # a side run: cancelled before the processor sees them


class CountingProcessor:
    """Wraps processing.process_order, classifying each delivery it receives."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self._original = processing.process_order

    def __enter__(self) -> CountingProcessor:
        processing.process_order = self  # app.py looks it up at each call
        return self

    def __exit__(self, *_: object) -> None:
        processing.process_order = self._original

    def __call__(self, command: ProcessOrder, deps: ProcessingDeps) -> Any:
        before = deps.repository.get(command.order_id)
        try:
            return self._original(command, deps)
        finally:
            after = deps.repository.get(command.order_id)
            if before is None:
                self.outcomes["wasted: not an order"] += 1
            elif after == before:
                self.outcomes[f"wasted: nothing to do ({before.status.value})"] += 1
            else:
                self.outcomes[f"worked: {before.status.value} -> {after.status.value if after else '?'}"] += 1

    def wasted(self) -> int:
        return sum(count for outcome, count in self.outcomes.items() if outcome.startswith("wasted"))


def run(orders: int, cancelled: int = 0) -> tuple[CountingProcessor, MotoFlow]:
    with MotoFlow() as flow, CountingProcessor() as counter:
        for n in range(orders):
            token, country, keyed = MIX[n % len(MIX)]
            flow.post(token, country, key=f"bench-{n}" if keyed else None)
        for _ in range(cancelled):
            flow.cancel(flow.post())
        flow.drain()
    return counter, flow


def measure(quick: bool) -> list[Figure]:
    orders = 20 if quick else 100
    counter, flow = run(orders)
    side, _ = run(0, cancelled=CANCELLED_ORDERS)
    wasted = counter.wasted()
    deliveries = flow.deliveries
    details = {
        "orders": orders,
        "stream_records_read": deliveries.read,
        "records_passing_filter": deliveries.passed_filter,
        "records_delivered_incl_retries": deliveries.delivered,
        "records_resent_after_an_earlier_failure": deliveries.delivered - sum(counter.outcomes.values()),
        "handler_invocations": deliveries.invocations,
        "retry_messages_handled": deliveries.retry_messages,
        "retry_invocations": deliveries.retry_invocations,
        "dead_lettered": deliveries.dead_lettered,
        "records_dropped_by_filter": dict(deliveries.skipped_by_filter.most_common()),
        "service_outcomes": dict(counter.outcomes.most_common()),
        f"side_run_{CANCELLED_ORDERS}_orders_cancelled_before_processing": dict(side.outcomes),
    }
    resent = details["records_resent_after_an_earlier_failure"]
    note = f"{deliveries.passed_filter} of {deliveries.read} records pass the filter; {resent} re-sent after a failure"
    return [Figure("wasted invocations", wasted, None, None, "0", wasted == 0, "deliveries", note, details)]


if __name__ == "__main__":
    figure_main(measure)
