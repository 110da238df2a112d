"""The outbox publisher: up to 10 events a PutEvents call, never two of one order in a
call, refused entries retried, and what still cannot be sent handed back to Lambda as
the first failed record and every later one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.adapters.eventbridge import InMemoryEventBus
from chalicelib.adapters.items import StreamImages, order_to_item
from chalicelib.domain import state_machine
from chalicelib.domain.commands import AnnounceChanges, RecordedChange
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import DependencyUnavailable
from chalicelib.service_layer.announcing import AnnouncingDeps, announce_changes
from chalicelib.service_layer.ports import BusEntry
from tests.unit.builders import an_order

S = OrderStatus
LATER = "2026-11-25T17:00:02.000Z"


def image(order: Order) -> dict[str, Any]:
    return order_to_item(order, Writer.PROCESSOR)


def changes_of(*pairs: tuple[Order | None, Order]) -> AnnounceChanges:
    return AnnounceChanges(
        changes=tuple(
            RecordedChange(record_id=str(100 + n), old_image=image(old) if old else None, new_image=image(new))
            for n, (old, new) in enumerate(pairs)
        )
    )


def deps(bus: Any) -> AnnouncingDeps:
    return AnnouncingDeps(bus=bus, images=StreamImages(), sleep=lambda _: None)


def lifecycle() -> list[tuple[Order | None, Order]]:
    placed = an_order()
    paid = state_machine.transition(placed, S.PAID, LATER, payment_id="pay_1")
    touched = state_machine.amend(paid, LATER, attempts=1)
    confirmed = state_machine.transition(touched, S.CONFIRMED, LATER, tracking_number="TRK")
    return [(None, placed), (placed, paid), (paid, touched), (touched, confirmed)]


def test_each_status_change_is_one_event_in_order_and_touches_make_none() -> None:
    bus = InMemoryEventBus()
    pairs = lifecycle()
    order_id = pairs[0][1].order_id

    assert announce_changes(changes_of(*pairs), deps(bus)) == []
    assert bus.names_for(order_id) == ["OrderPlaced", "OrderPaid", "OrderConfirmed"]
    assert bus.calls == 3, "one order's events go out one call after another"
    assert json.loads(bus.entries[-1].detail)["tracking_number"] == "TRK"


def test_up_to_ten_events_a_call() -> None:
    bus = InMemoryEventBus()
    pairs: list[tuple[Order | None, Order]] = [(None, an_order()) for _ in range(25)]

    assert announce_changes(changes_of(*pairs), deps(bus)) == []
    assert bus.calls == 3 and len(bus.entries) == 25
    assert [entry.order_id for entry in bus.entries] == [new.order_id for _, new in pairs]


def test_an_entry_refused_once_is_sent_again_and_nothing_is_reported() -> None:
    refused: set[str] = set()

    def once(entry: BusEntry) -> bool:
        first = entry.event_id not in refused
        refused.add(entry.event_id)
        return first and len(refused) == 3

    bus = InMemoryEventBus(refuse=once)
    pairs: list[tuple[Order | None, Order]] = [(None, an_order()) for _ in range(5)]
    assert announce_changes(changes_of(*pairs), deps(bus)) == []
    assert sorted(entry.order_id for entry in bus.entries) == sorted(new.order_id for _, new in pairs)


def test_an_entry_refused_every_time_hands_back_its_record_and_every_later_one() -> None:
    pairs: list[tuple[Order | None, Order]] = [(None, an_order()) for _ in range(12)]
    stuck = pairs[4][1].order_id
    bus = InMemoryEventBus(refuse=lambda entry: entry.order_id == stuck)

    again = announce_changes(changes_of(*pairs), deps(bus))

    assert again == [str(100 + n) for n in range(4, 12)]
    assert stuck not in {entry.order_id for entry in bus.entries}


def test_a_refused_event_holds_back_the_later_events_of_its_order() -> None:
    pairs = lifecycle()
    bus = InMemoryEventBus(refuse=lambda entry: entry.detail_type == "OrderPaid")

    assert announce_changes(changes_of(*pairs), deps(bus)) == ["101", "102", "103"]
    assert bus.names_for(pairs[0][1].order_id) == ["OrderPlaced"], "OrderConfirmed went out before OrderPaid"


def test_a_bus_that_is_down_hands_back_the_batch() -> None:
    class DownBus:
        def put(self, entries: Any) -> list[int]:
            raise DependencyUnavailable("put_events: ThrottlingException")

    pairs: list[tuple[Order | None, Order]] = [(None, an_order()) for _ in range(3)]
    assert announce_changes(changes_of(*pairs), deps(DownBus())) == ["100", "101", "102"]


@pytest.mark.parametrize("repeat", [1, 2])
def test_re_delivered_records_give_the_same_event_ids(repeat: int) -> None:
    bus = InMemoryEventBus()
    command = changes_of(*lifecycle())
    for _ in range(repeat):
        announce_changes(command, deps(bus))
    ids = [entry.event_id for entry in bus.entries]
    assert len(set(ids)) == 3 and len(ids) == 3 * repeat
