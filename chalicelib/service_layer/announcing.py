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
    """Send the events of the changes in order; return the record ids Lambda must deliver
    again: the first whose event could not be sent, and every record after it."""
    record_ids = [change.record_id for change in command.changes]
    pending: list[tuple[int, OrderEvent]] = []
    for position, change in enumerate(command.changes):
        new = deps.images.order(change.new_image)
        old = deps.images.order(change.old_image) if change.old_image else None
        if is_status_change(old, new):
            pending.append((position, order_event(new)))
    for batch in _batches(pending):
        try:
            refused = _put(batch, deps)
        except DependencyUnavailable:  # the bus itself is down or throttling
            refused = [batch[0][0]]
        if refused:
            return record_ids[min(refused) :]
    return []


def _batches(pending: Sequence[tuple[int, OrderEvent]]) -> list[list[tuple[int, OrderEvent]]]:
    """Up to 10 events a call, never two of one order in a call: an order's next event
    goes out only after its previous one was accepted, so they arrive in order."""
    batches: list[list[tuple[int, OrderEvent]]] = []
    current: list[tuple[int, OrderEvent]] = []
    for item in pending:
        if len(current) == MAX_ENTRIES_PER_PUT or any(e.order_id == item[1].order_id for _, e in current):
            batches.append(current)
            current = []
        current.append(item)
    return [*batches, current] if current else batches


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
