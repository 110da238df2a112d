"""How the demo shows its orders: a live table redrawn in place on a terminal, plain
lines (one per status change) otherwise, and a summary table at the end. When the demo
watches the bus, the live table and the summary add an `events` column last: the
events received for each order, in version order."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from chalicelib.domain.events import EVENT_TYPES

FINAL = frozenset({"CONFIRMED", "REJECTED", "FAILED", "CANCELLED"})
EVENT_NAMES = {status.value: kind.model_fields["name"].default for status, kind in EVENT_TYPES.items()}


@dataclass
class DemoOrder:
    kind: str
    token: str
    country: str
    order_id: str = ""
    status: str = "NOT PLACED"
    path: list[str] = field(default_factory=list)  # statuses in the order they happened
    reason: str = ""
    ms_to_final: int | None = None
    note: str = ""
    events: list[str] = field(default_factory=list)  # the order's events from the bus, by version
    attempts: int = 0  # failed attempts while its provider was down
    created_s: float = 0.0  # epoch seconds
    left_retrying: bool = False  # still retrying when the demo stopped waiting for it
    retry_note: str = ""  # its attempts and how long it may go on, while left retrying

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def settled(self) -> bool:
        """Nothing more to wait for in the demo: final, or retrying beyond the demo."""
        return self.final or self.left_retrying

    @property
    def trail(self) -> str:
        """`PENDING -> PAID`, plus `(retrying: 3 attempts failed)` while the provider is down."""
        trail = " -> ".join(self.path)
        return f"{trail} (retrying: {self.attempts} attempts failed)" if self.attempts and not self.final else trail

    @property
    def expected_events(self) -> list[str]:
        """One event per status change in the order's history."""
        return [EVENT_NAMES.get(status, f"? {status}") for status in self.path]

    @property
    def events_match(self) -> bool:
        return self.events == self.expected_events

    def events_cell(self) -> str:
        """`3: Placed Paid Confirmed`; `1 of 3: Placed` while some have not arrived."""
        count = str(len(self.events))
        if not self.events_match and len(self.events) < len(self.path):
            count += f" of {len(self.path)}"
        return f"{count}: {' '.join(name.removeprefix('Order') for name in self.events)}".rstrip(": ")


class ProgressView:
    def __init__(self, orders: list[DemoOrder], out: TextIO = sys.stdout, events: bool = False) -> None:
        self.orders = orders
        self.out = out
        self.events = events  # an events column in the live table
        self.live = out.isatty()
        self.drawn_lines = 0
        self.started = time.monotonic()
        self.shown: dict[int, str] = {}

    def update(self) -> None:
        if self.live:
            self._redraw()
            return
        for index, order in enumerate(self.orders):
            trail = order.trail
            if order.order_id and self.shown.get(index) != trail:
                self.shown[index] = trail
                elapsed = time.monotonic() - self.started
                self.out.write(f"{elapsed:6.2f}s  {order.order_id}  {order.kind:<20} {trail}\n")
        self.out.flush()

    def _redraw(self) -> None:
        lines = [f"{'order':<26}  {'kind':<20} {'progress':<48}" + ("      events" if self.events else "")]
        for order in self.orders:
            marker = "done" if order.final else "...."
            line = f"{order.order_id or '-':<26}  {order.kind:<20} {order.trail:<48} {marker}"
            lines.append(f"{line}  {order.events_cell()}" if self.events else line)
        waiting = sum(not order.settled for order in self.orders)
        lines.append(f"{time.monotonic() - self.started:5.1f}s  {waiting} order(s) still moving")
        if self.drawn_lines:
            self.out.write(f"\x1b[{self.drawn_lines}F")  # back to the first line of the last drawing
        self.out.write("".join(f"\x1b[2K{line}\n" for line in lines))
        self.out.flush()
        self.drawn_lines = len(lines)


def summary_table(orders: list[DemoOrder], events: bool = False) -> str:
    """One row per order; with `events`, a last column of the events the bus delivered."""
    headers: tuple[str, ...] = ("order id", "kind", "token", "country", "final status", "reason", "ms to final", "note")
    rows: list[tuple[str, ...]] = [
        (
            order.order_id or "-",
            order.kind,
            order.token,
            order.country,
            order.status if order.final else f"{order.status} ({'retrying' if order.left_retrying else 'not final'})",
            order.reason or "-",
            "-" if order.ms_to_final is None else str(order.ms_to_final),
            order.note or (order.retry_note if order.left_retrying else ""),
        )
        for order in orders
    ]
    if events:
        headers += ("events",)
        rows = [(*row, order.events_cell()) for row, order in zip(rows, orders, strict=True)]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])
