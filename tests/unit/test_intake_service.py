"""The intake use cases against in-memory fakes: place, read and list."""

from __future__ import annotations

import pytest

from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.adapters.publisher import InMemoryEventPublisher
from chalicelib.domain.clock import to_iso
from chalicelib.domain.commands import GetOrder, ListOrders
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import HistoryEntry, OrderStatus
from chalicelib.exceptions import OrderNotFound
from chalicelib.service_layer import intake
from chalicelib.service_layer.intake import IntakeDeps
from tests.unit.intake_doubles import Clock, place


def test_placing_stores_a_pending_order_with_a_server_computed_total(
    deps: IntakeDeps, repository: InMemoryOrderRepository, publisher: InMemoryEventPublisher, clock: Clock
) -> None:
    placed = intake.place_order(place(), deps)
    order = placed.order
    assert not placed.replayed
    assert (order.status, order.total, order.customer_id) == (OrderStatus.PENDING, 2 * 1999 + 5, "cust-42")
    assert order.created_at == order.updated_at == to_iso(clock.now)
    assert order.history == (HistoryEntry(status=OrderStatus.PENDING, at=to_iso(clock.now)),)
    assert repository.orders == {order.order_id: order}
    assert publisher.names() == ["OrderPlaced"]
    assert publisher.events[0].order_id == order.order_id


def test_get_returns_the_callers_order(deps: IntakeDeps) -> None:
    placed = intake.place_order(place(), deps).order
    assert intake.get_order(GetOrder(customer_id="cust-42", order_id=placed.order_id), deps) == placed


@pytest.mark.parametrize("caller", ["cust-other", "cust-42"], ids=["another-customers-order", "unknown-id"])
def test_get_reports_missing_for_unknown_ids_and_other_customers_orders(deps: IntakeDeps, caller: str) -> None:
    placed = intake.place_order(place(), deps).order
    order_id = placed.order_id if caller != "cust-42" else new_order_id()
    with pytest.raises(OrderNotFound):
        intake.get_order(GetOrder(customer_id=caller, order_id=order_id), deps)


def test_list_pages_through_the_callers_orders_newest_first(deps: IntakeDeps) -> None:
    mine = [intake.place_order(place(), deps).order.order_id for _ in range(5)]
    intake.place_order(place(customer="cust-other"), deps)
    seen: list[str] = []
    after = None
    for _ in range(5):
        page = intake.list_orders(ListOrders(customer_id="cust-42", limit=2, after_order_id=after), deps)
        seen += [order.order_id for order in page.orders]
        after = page.last_order_id
        if after is None:
            break
    assert seen == sorted(mine, reverse=True)
