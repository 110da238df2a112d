"""The order state machine: final statuses, allowed and refused transitions, and amendments."""

from __future__ import annotations

import pytest

from chalicelib.domain import state_machine
from chalicelib.domain.models import FINAL_STATUSES, HistoryEntry, OrderStatus
from chalicelib.exceptions import InvalidTransition
from tests.unit.builders import AT, an_order


def test_final_statuses_are_exactly_the_outcomes() -> None:
    finals = {status for status in OrderStatus if status.is_final}
    assert finals == FINAL_STATUSES == {"CONFIRMED", "REJECTED", "FAILED", "CANCELLED"}


ALLOWED = [
    (OrderStatus.PENDING, OrderStatus.PAID),
    (OrderStatus.PENDING, OrderStatus.REJECTED),
    (OrderStatus.PENDING, OrderStatus.FAILED),
    (OrderStatus.PENDING, OrderStatus.CANCELLED),
    (OrderStatus.PAID, OrderStatus.CONFIRMED),
    (OrderStatus.PAID, OrderStatus.REJECTED),
    (OrderStatus.PAID, OrderStatus.FAILED),
]
REFUSED = [(current, target) for current in OrderStatus for target in OrderStatus if (current, target) not in ALLOWED]


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=str)
def test_an_allowed_transition_moves_the_order_and_records_it(current: OrderStatus, target: OrderStatus) -> None:
    order = an_order(current)
    later = "2026-11-25T17:00:01.000Z"
    moved = state_machine.transition(order, target, later, reason="because")
    assert moved.status is target
    assert moved.updated_at == later
    assert moved.version == order.version + 1
    assert moved.history == (*order.history, HistoryEntry(status=target, at=later, reason="because"))
    assert moved.created_at == order.created_at
    assert order.status is current, "the original is unchanged"


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=str)
def test_a_refused_transition_raises_naming_both_statuses(current: OrderStatus, target: OrderStatus) -> None:
    with pytest.raises(InvalidTransition) as raised:
        state_machine.transition(an_order(current), target, AT)
    assert (raised.value.current, raised.value.target) == (current, target)
    assert str(current) in str(raised.value)


def test_final_statuses_allow_no_move_at_all() -> None:
    assert all(not state_machine.ALLOWED_TRANSITIONS[status] for status in FINAL_STATUSES)


def test_amend_changes_bookkeeping_but_not_the_status() -> None:
    order = an_order()
    amended = state_machine.amend(order, "2026-11-25T17:00:02.000Z", attempts=1)
    assert (amended.status, amended.attempts, amended.version) == (order.status, 1, order.version + 1)
    assert amended.history == order.history
