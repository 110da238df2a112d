"""The order state machine: which status may follow which, and how a move is recorded.

PENDING -> PAID -> CONFIRMED is the happy path. REJECTED is a business outcome,
FAILED means attempts ran out while a provider stayed down, CANCELLED means the
customer's cancel won the race against processing.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.models import HistoryEntry, Order, OrderStatus
from chalicelib.exceptions import InvalidTransition

S = OrderStatus
ALLOWED_TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING: frozenset({S.PAID, S.REJECTED, S.FAILED, S.CANCELLED}),
    S.PAID: frozenset({S.CONFIRMED, S.REJECTED, S.FAILED}),
    S.CONFIRMED: frozenset(),
    S.REJECTED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}


def transition(order: Order, target: OrderStatus, at: str, reason: str | None = None, **changes: Any) -> Order:
    """Return the order moved to `target`, with the move appended to its history."""
    if target not in ALLOWED_TRANSITIONS[order.status]:
        raise InvalidTransition(order.status, target)
    entry = HistoryEntry(status=target, at=at, reason=reason)
    return order.model_copy(
        update={
            "status": target,
            "updated_at": at,
            "history": (*order.history, entry),
            "version": order.version + 1,
            "reason": reason,
            **changes,
        }
    )


def amend(order: Order, at: str, **changes: Any) -> Order:
    """Return the order with bookkeeping fields changed and its status kept."""
    return order.model_copy(update={"updated_at": at, "version": order.version + 1, **changes})
