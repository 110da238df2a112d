"""The outbox publisher: up to 10 events a PutEvents call, an order's next event only in
a later call than its previous one, refused entries retried, and what still cannot be
sent handed back to Lambda from the first record whose event was not sent on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.eventbridge import InMemoryEventBus
from chalicelib.adapters.items import StreamImages, order_to_item
from chalicelib.domain import state_machine
from chalicelib.domain.commands import AnnounceChanges, RecordedChange
from chalicelib.domain.events import is_status_change, order_event
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


def test_a_window_of_orders_that_each_changed_three_times_takes_three_calls() -> None:
    bus = InMemoryEventBus()
    pairs = [pair for _ in range(10) for pair in lifecycle()]  # each order's changes side by side

    assert announce_changes(changes_of(*pairs), deps(bus)) == []
    assert bus.calls == 3, "one call per step of the lifecycle, not one per change"
    for _, placed in pairs[::4]:
        assert bus.names_for(placed.order_id) == ["OrderPlaced", "OrderPaid", "OrderConfirmed"]


def test_a_refusal_hands_back_an_earlier_record_whose_event_waits_for_a_later_call() -> None:
    """A's later events wait for calls after B's, which sits at a later position: when
    B is refused, A's unsent records come back too, though they precede B's."""
    pairs = [*lifecycle(), (None, an_order())]  # A placed, paid, touched, confirmed; B placed
    b = pairs[-1][1].order_id
    bus = InMemoryEventBus(refuse=lambda entry: entry.order_id == b)

    assert announce_changes(changes_of(*pairs), deps(bus)) == ["101", "102", "103", "104"]
    assert bus.names_for(pairs[0][1].order_id) == ["OrderPlaced"]


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=14),
    shuffle_seed=st.randoms(use_true_random=False),
    refused_entries=st.sets(st.integers(min_value=0, max_value=12), max_size=3),
)
def test_whatever_is_refused_no_record_before_the_handed_back_ones_is_unannounced(
    counts: list[int], shuffle_seed: Any, refused_entries: set[int]
) -> None:
    """Orders' lifecycles interleaved in any way that keeps each order's own order; a bus
    that refuses some of the entries it is offered. Every record before the first handed back
    had its event accepted, and each order's accepted events are a prefix of its own."""
    lives = [lifecycle()[:count] for count in counts]
    queues = [list(life) for life in lives]
    pairs: list[tuple[Order | None, Order]] = []
    while any(queues):
        pairs.append(shuffle_seed.choice([q for q in queues if q]).pop(0))
    offered = iter(range(1000))  # every entry the bus is offered, retries too
    bus = InMemoryEventBus(refuse=lambda entry: next(offered) in refused_entries)
    again = announce_changes(changes_of(*pairs), deps(bus))

    first_back = int(again[0]) - 100 if again else len(pairs)
    assert again == [str(100 + n) for n in range(first_back, len(pairs))], "from the first on, all of them"
    accepted = {entry.event_id for entry in bus.entries}
    announced = changes_of(*pairs[:first_back])
    for change in announced.changes:
        new = StreamImages().order(change.new_image)
        old = StreamImages().order(change.old_image) if change.old_image else None
        if is_status_change(old, new):
            assert order_event(new).event_id in accepted, f"record {change.record_id} was never announced"
    for life in lives:
        names = bus.names_for(life[0][1].order_id)
        wanted = [order_event(new).name for old, new in life if is_status_change(old, new)]
        assert names == wanted[: len(names)], "an order's events left out of order"


@pytest.mark.parametrize("repeat", [1, 2])
def test_re_delivered_records_give_the_same_event_ids(repeat: int) -> None:
    bus = InMemoryEventBus()
    command = changes_of(*lifecycle())
    for _ in range(repeat):
        announce_changes(command, deps(bus))
    ids = [entry.event_id for entry in bus.entries]
    assert len(set(ids)) == 3 and len(ids) == 3 * repeat
