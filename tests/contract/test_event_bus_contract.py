"""The EventBus contract, against the fake and against EventBridge on moto (read back
through a rule that delivers the bus's order events to an SQS queue)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.adapters.eventbridge import EventBridgeBus, InMemoryEventBus
from chalicelib.service_layer.ports import BusEntry, EventBus
from tests.support.event_bus import bus_to_queue

BUS = "orders-test-events"
Delivered = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def bus_and_delivered(backend: str, request: pytest.FixtureRequest) -> tuple[EventBus, Delivered]:
    if backend == "memory":
        fake = InMemoryEventBus()
        return fake, lambda: [
            {"detail-type": e.detail_type, "source": "orders", "detail": json.loads(e.detail)} for e in fake.entries
        ]
    request.getfixturevalue("moto_aws")
    import boto3

    delivered = bus_to_queue(BUS)
    return EventBridgeBus(boto3.client("events"), BUS, "orders"), delivered


def entry(n: int) -> BusEntry:
    detail = {"event_id": f"order-{n}-v1", "order_id": f"order-{n}", "status": "PENDING"}
    return BusEntry(f"order-{n}-v1", f"order-{n}", "OrderPlaced", json.dumps(detail))


def test_a_put_of_ten_entries_is_accepted_and_delivered_as_sent(bus_and_delivered: tuple[EventBus, Delivered]) -> None:
    bus, delivered = bus_and_delivered
    assert bus.put([entry(n) for n in range(10)]) == []

    events = delivered()
    assert sorted(event["detail"]["event_id"] for event in events) == sorted(f"order-{n}-v1" for n in range(10))
    assert {(event["source"], event["detail-type"]) for event in events} == {("orders", "OrderPlaced")}


def test_refused_entries_are_reported_by_index() -> None:
    class PartlyFailing:
        def put_events(self, **_: Any) -> dict[str, Any]:
            return {"FailedEntryCount": 1, "Entries": [{"EventId": "a"}, {"ErrorCode": "ThrottlingException"}]}

    assert EventBridgeBus(PartlyFailing(), BUS, "orders").put([entry(1), entry(2)]) == [1]


def test_the_client_is_made_only_when_the_first_event_is_sent() -> None:
    made: list[int] = []

    class Client:
        def put_events(self, **_: Any) -> dict[str, Any]:
            return {"FailedEntryCount": 0, "Entries": [{"EventId": "a"}]}

    def make() -> Client:
        made.append(1)
        return Client()

    bus = EventBridgeBus(make, BUS, "orders")
    assert made == []
    bus.put([entry(1)])
    bus.put([entry(2)])
    assert made == [1]
