"""The outbox publisher: each stored status change, read from the table's stream,
becomes one event on the bus. Events therefore never precede the state they announce,
and a stored state is never left unannounced: an event that cannot be sent makes Lambda
deliver its record again (at least once; consumers de-duplicate by event_id)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chalicelib.domain.commands import AnnounceChanges
from chalicelib.domain.events import OrderEvent, is_status_change, order_event
from chalicelib.exceptions import DependencyUnavailable
from chalicelib.service_layer.ports import BusEntry, EventBus, OrderImages

MAX_ENTRIES_PER_PUT = 10  # PutEvents' limit


@dataclass(frozen=True)
class AnnouncingDeps:
    bus: EventBus
    images: OrderImages
    put_attempts: int = 3
    retry_delay_s: float = 0.1
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)


def announce_changes(command: AnnounceChanges, deps: AnnouncingDeps) -> list[str]:
    """Send the events of the changes; return the record ids Lambda must deliver again:
    from the first whose event was not sent on (a later record whose event already went
    out is sent again: at least once)."""
    record_ids = [change.record_id for change in command.changes]
    pending: list[tuple[int, OrderEvent]] = []
    for position, change in enumerate(command.changes):
        new = deps.images.order(change.new_image)
        old = deps.images.order(change.old_image) if change.old_image else None
        if is_status_change(old, new):
            pending.append((position, order_event(new)))
    batches = _batches(pending)
    for number, batch in enumerate(batches):
        try:
            refused = _put(batch, deps)
        except DependencyUnavailable:  # the bus itself is down or throttling
            refused = [position for position, _ in batch]
        if refused:
            unsent = refused + [position for later in batches[number + 1 :] for position, _ in later]
            return record_ids[min(unsent) :]
    return []


def _batches(pending: Sequence[tuple[int, OrderEvent]]) -> list[list[tuple[int, OrderEvent]]]:
    """Up to 10 events a call, and an order's next event only in a call after the one
    with its previous event: it goes out once that one was accepted, so an order's events
    arrive in order. Each event takes the first call that allows, so a window of orders
    that each changed three times needs about three calls, not one per change."""
    batches: list[list[tuple[int, OrderEvent]]] = []
    last_call_of: dict[str, int] = {}
    for item in pending:
        order_id = item[1].order_id
        call = last_call_of.get(order_id, -1) + 1
        while call < len(batches) and len(batches[call]) == MAX_ENTRIES_PER_PUT:
            call += 1
        if call == len(batches):
            batches.append([])
        batches[call].append(item)
        last_call_of[order_id] = call
    return batches


def _put(batch: list[tuple[int, OrderEvent]], deps: AnnouncingDeps) -> list[int]:
    """Put the batch, retrying the entries the bus refused; the positions still refused."""
    waiting = batch
    for attempt in range(deps.put_attempts):
        if attempt:
            deps.sleep(deps.retry_delay_s * 2 ** (attempt - 1))
        refused = deps.bus.put([_entry(event) for _, event in waiting])
        waiting = [waiting[index] for index in refused]
        if not waiting:
            return []
    return [position for position, _ in waiting]


def _entry(event: OrderEvent) -> BusEntry:
    return BusEntry(event.event_id, event.order_id, event.name, event.model_dump_json(exclude_none=True))
