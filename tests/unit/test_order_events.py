"""Image pairs to events: one event per status change, named for it, carrying what the
change added and never the payment token or the shipping address."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain import state_machine
from chalicelib.domain.events import EVENT_TYPES, event_id, is_status_change, order_event
from chalicelib.domain.models import Order, OrderStatus
from tests.unit.builders import ADDRESS, AT, an_order

S = OrderStatus
LATER = "2026-11-25T17:00:01.500Z"
ADDED = {
    S.PAID: {"payment_id": "pay_1"},
    S.CONFIRMED: {"payment_id": "pay_1", "tracking_number": "TRK1"},
    S.REJECTED: {"payment_id": "pay_1", "refund_id": "ref_1"},
    S.FAILED: {"attempts": 3, "refund_id": "ref_1"},
    S.CANCELLED: {},
}
TRANSITIONS = [(source, target) for source, targets in state_machine.ALLOWED_TRANSITIONS.items() for target in targets]


def moved(order: Order, target: OrderStatus) -> Order:
    return state_machine.transition(order, target, LATER, reason=f"to {target}", **ADDED[target])


def at(status: OrderStatus) -> Order:
    """An order that reached `status` the usual way (CONFIRMED through PAID)."""
    order = an_order()
    path = [S.PAID, S.CONFIRMED] if status is S.CONFIRMED else ([] if status is S.PENDING else [status])
    for step in path:
        order = moved(order, step)
    return order


def test_a_new_order_is_placed() -> None:
    event = order_event(an_order())
    assert (event.name, event.status, event.at, event.placed_at) == ("OrderPlaced", S.PENDING, AT, AT)
    assert is_status_change(None, an_order())


@pytest.mark.parametrize(("source", "target"), TRANSITIONS, ids=str)
def test_every_transition_makes_the_event_named_for_its_target(source: OrderStatus, target: OrderStatus) -> None:
    before = at(source)
    after = moved(before, target)

    assert is_status_change(before, after)
    event = order_event(after)
    assert type(event) is EVENT_TYPES[target] and event.status is target
    assert (event.order_id, event.version, event.at) == (after.order_id, after.version, LATER)
    detail = event.model_dump()
    for name, value in ADDED[target].items():
        assert detail[name] == value, name


@pytest.mark.parametrize("status", list(S))
def test_a_write_that_keeps_the_status_makes_no_event(status: OrderStatus) -> None:
    before = at(status)
    assert not is_status_change(before, state_machine.amend(before, LATER, attempts=before.attempts + 1))
    assert not is_status_change(before, before)  # moto's no-op MODIFY


@pytest.mark.parametrize("status", list(S))
def test_no_event_carries_the_payment_token_or_the_address(status: OrderStatus) -> None:
    detail = order_event(at(status)).model_dump_json()
    assert "tok_visa" not in detail and "payment_token" not in detail and "shipping_address" not in detail
    assert not any(str(value) in detail for value in ADDRESS.values() if value != "GB")
    assert "line1" not in json.loads(detail)


def test_the_event_id_is_the_change_itself_so_every_delivery_names_it_alike() -> None:
    order = at(S.CONFIRMED)
    assert order_event(order).event_id == order_event(order.model_copy()).event_id == event_id(order)
    assert order_event(at(S.PAID)).event_id != order_event(order).event_id
