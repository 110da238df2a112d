"""Where a change is made, its event becomes a structured JSON log line and EMF metrics.
This publishes nothing to other services: the outbox publisher does that from the
table's stream (chalicelib/adapters/eventbridge.py), so no event precedes its state."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.events import OrderEvent, latency_ms

LATENCY_METRIC = "OrderToFinalStateLatency"


class LoggingEventPublisher:
    def __init__(self, logger: Any, metrics: Any) -> None:
        self._logger = logger
        self._metrics = metrics

    def publish(self, event: OrderEvent) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        # A dict message is logged as is; a string one Powertools first tries to parse as JSON.
        self._logger.info(event.model_dump(mode="json"))
        self._metrics.add_metric(name=event.name, unit=MetricUnit.Count, value=1)
        if event.name != "OrderPlaced":
            self._metrics.add_metric(name=LATENCY_METRIC, unit=MetricUnit.Milliseconds, value=latency_ms(event))


class InMemoryEventPublisher:
    def __init__(self) -> None:
        self.events: list[OrderEvent] = []

    def publish(self, event: OrderEvent) -> None:
        self.events.append(event)

    def names(self) -> list[str]:
        return [event.name for event in self.events]
