"""The event bus: Amazon EventBridge's PutEvents, and an in-memory fake for tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.adapters.outages import LazyClient
from chalicelib.service_layer.ports import BusEntry


class EventBridgeBus:
    """`client` is an events client, or a function that makes one: only the publisher
    function puts events, so the others never pay for the client at cold start."""

    def __init__(self, client: Any, bus_name: str, source: str) -> None:
        self._events = LazyClient(client)
        self._bus = bus_name
        self._source = source

    def put(self, entries: Sequence[BusEntry]) -> list[int]:
        response = self._events().put_events(
            Entries=[
                {
                    "EventBusName": self._bus,
                    "Source": self._source,
                    "DetailType": entry.detail_type,
                    "Detail": entry.detail,
                    "Resources": [],
                }
                for entry in entries
            ]
        )
        if not response.get("FailedEntryCount"):
            return []
        return [index for index, result in enumerate(response.get("Entries", [])) if result.get("ErrorCode")]


class InMemoryEventBus:
    """Keeps what was accepted; `refuse` decides per entry whether the bus refuses it,
    as PutEvents does for single entries (throttling, an internal failure)."""

    def __init__(self, refuse: Callable[[BusEntry], bool] | None = None) -> None:
        self.entries: list[BusEntry] = []
        self.calls = 0
        self.refuse = refuse
        self._lock = threading.Lock()

    def put(self, entries: Sequence[BusEntry]) -> list[int]:
        assert 1 <= len(entries) <= 10, "PutEvents takes 1 to 10 entries"
        with self._lock:
            self.calls += 1
            refused = [index for index, entry in enumerate(entries) if self.refuse and self.refuse(entry)]
            self.entries.extend(entry for index, entry in enumerate(entries) if index not in refused)
            return refused

    def names_for(self, order_id: str) -> list[str]:
        return [entry.detail_type for entry in self.entries if entry.order_id == order_id]
