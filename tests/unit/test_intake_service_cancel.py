"""Cancelling orders against in-memory fakes: only from PENDING, only the caller's, and races."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.commands import CancelOrder
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import InvalidTransition, OrderNotFound, StaleOrder
from chalicelib.service_layer import intake
from chalicelib.service_layer.intake import IntakeDeps
from tests.unit.intake_doubles import place


def test_cancel_moves_a_pending_order_to_cancelled(deps: IntakeDeps, repository: InMemoryOrderRepository) -> None:
    placed = intake.place_order(place(), deps).order
    cancelled = intake.cancel_order(CancelOrder(customer_id="cust-42", order_id=placed.order_id), deps)
    assert cancelled.status is OrderStatus.CANCELLED
    assert [entry.status for entry in cancelled.history] == [OrderStatus.PENDING, OrderStatus.CANCELLED]
    assert repository.orders[placed.order_id] == cancelled
    assert repository.written_by[placed.order_id] == Writer.CUSTOMER


def advance(repository: InMemoryOrderRepository, order: Order, *path: OrderStatus) -> Order:
    for status in path:
        moved = state_machine.transition(order, status, to_iso(datetime.now(UTC)))
        repository.save(moved, expected=order, written_by="stream")
        order = moved
    return order


@pytest.mark.parametrize(
    "path",
    [
        (OrderStatus.PAID,),
        (OrderStatus.PAID, OrderStatus.CONFIRMED),
        (OrderStatus.REJECTED,),
        (OrderStatus.FAILED,),
        (OrderStatus.CANCELLED,),
    ],
    ids=lambda path: path[-1],
)
def test_cancel_is_refused_outside_pending_naming_the_current_status(
    deps: IntakeDeps, repository: InMemoryOrderRepository, path: tuple[OrderStatus, ...]
) -> None:
    order = advance(repository, intake.place_order(place(), deps).order, *path)
    with pytest.raises(InvalidTransition) as refused:
        intake.cancel_order(CancelOrder(customer_id="cust-42", order_id=order.order_id), deps)
    assert refused.value.current == path[-1]
    assert str(path[-1]) in str(refused.value)
    assert repository.orders[order.order_id] == order


def test_cancel_of_another_customers_order_reports_it_missing(
    deps: IntakeDeps, repository: InMemoryOrderRepository
) -> None:
    placed = intake.place_order(place(), deps).order
    with pytest.raises(OrderNotFound):
        intake.cancel_order(CancelOrder(customer_id="cust-other", order_id=placed.order_id), deps)
    assert repository.orders[placed.order_id].status is OrderStatus.PENDING


def test_cancel_that_loses_the_race_to_processing_looks_again(
    deps: IntakeDeps, repository: InMemoryOrderRepository
) -> None:
    placed = intake.place_order(place(), deps).order
    original_save = repository.save

    def save(order: Order, expected: Order, written_by: str) -> None:
        if written_by == Writer.CUSTOMER and repository.orders[expected.order_id].status is OrderStatus.PENDING:
            advance(repository, repository.orders[expected.order_id], OrderStatus.PAID)  # processing wins
        original_save(order, expected, written_by)

    repository.save = save  # type: ignore[method-assign]
    with pytest.raises(InvalidTransition) as refused:
        intake.cancel_order(CancelOrder(customer_id="cust-42", order_id=placed.order_id), deps)
    assert refused.value.current == OrderStatus.PAID
    assert repository.orders[placed.order_id].status is OrderStatus.PAID


def test_cancel_gives_up_when_the_order_keeps_changing(deps: IntakeDeps, repository: InMemoryOrderRepository) -> None:
    placed = intake.place_order(place(), deps).order

    def always_stale(order: Order, expected: Order, written_by: str) -> None:
        raise StaleOrder("changed")

    repository.save = always_stale  # type: ignore[method-assign]
    with pytest.raises(StaleOrder):
        intake.cancel_order(CancelOrder(customer_id="cust-42", order_id=placed.order_id), deps)
    assert repository.orders[placed.order_id] == placed
