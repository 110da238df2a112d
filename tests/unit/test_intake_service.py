"""The intake use cases against in-memory fakes: place, read, list and cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.adapters.publisher import InMemoryEventPublisher
from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.commands import CancelOrder, GetOrder, ListOrders, PlaceOrder
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.exceptions import IdempotencyKeyReused, InvalidTransition, OrderNotFound, StaleOrder
from chalicelib.service_layer import intake
from chalicelib.service_layer.intake import IntakeDeps
from chalicelib.service_layer.ports import IdempotencyRecord

ADDRESS = ShippingAddress(name="Ada", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB")


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=123_000)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repository() -> InMemoryOrderRepository:
    return InMemoryOrderRepository()


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


@pytest.fixture
def deps(repository: InMemoryOrderRepository, publisher: InMemoryEventPublisher, clock: Clock) -> IntakeDeps:
    return IntakeDeps(repository, publisher, clock, timedelta(hours=24))


def place(customer: str = "cust-42", key: str | None = None, fingerprint: str = "f1", **changes: Any) -> PlaceOrder:
    lines = (OrderLine(sku="SKU-1", quantity=2, unit_price=1999), OrderLine(sku="SKU-2", quantity=1, unit_price=5))
    values: dict[str, Any] = {
        "customer_id": customer,
        "currency": "EUR",
        "items": lines,
        "shipping_address": ADDRESS,
        "payment_token": "tok_visa",
        "idempotency_key": key,
        "request_fingerprint": fingerprint,
    }
    return PlaceOrder(**(values | changes))


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


def test_without_a_key_every_request_creates_a_new_order(deps: IntakeDeps, repository: InMemoryOrderRepository) -> None:
    ids = {intake.place_order(place(), deps).order.order_id for _ in range(3)}
    assert len(ids) == 3 == len(repository.orders)


def test_the_same_key_and_payload_replays_the_first_order_and_creates_nothing(
    deps: IntakeDeps, repository: InMemoryOrderRepository, publisher: InMemoryEventPublisher
) -> None:
    first = intake.place_order(place(key="k-1"), deps)
    again = intake.place_order(place(key="k-1"), deps)
    assert again.replayed
    assert again.order == first.order
    assert len(repository.orders) == 1
    assert publisher.names() == ["OrderPlaced"]


def test_the_key_record_expires_after_the_configured_ttl(
    deps: IntakeDeps, repository: InMemoryOrderRepository, clock: Clock
) -> None:
    intake.place_order(place(key="k-1"), deps)
    record = repository.keys[("cust-42", "k-1")]
    assert record.expires_at == int((clock.now + timedelta(hours=24)).timestamp())


def test_the_same_key_with_another_payload_is_refused(deps: IntakeDeps, repository: InMemoryOrderRepository) -> None:
    intake.place_order(place(key="k-1", fingerprint="f1"), deps)
    with pytest.raises(IdempotencyKeyReused):
        intake.place_order(place(key="k-1", fingerprint="f2"), deps)
    assert len(repository.orders) == 1


def test_keys_are_scoped_to_the_customer(deps: IntakeDeps, repository: InMemoryOrderRepository) -> None:
    mine = intake.place_order(place(customer="cust-1", key="shared"), deps)
    theirs = intake.place_order(place(customer="cust-2", key="shared"), deps)
    assert not theirs.replayed
    assert mine.order.order_id != theirs.order.order_id
    assert len(repository.orders) == 2


def test_an_expired_key_record_is_ignored(deps: IntakeDeps, repository: InMemoryOrderRepository, clock: Clock) -> None:
    real_now = clock.now
    clock.now = real_now - timedelta(hours=25)
    old = intake.place_order(place(key="k-1", fingerprint="f1"), deps)
    clock.now = real_now
    new = intake.place_order(place(key="k-1", fingerprint="f2"), deps)
    assert not new.replayed
    assert new.order.order_id != old.order.order_id
    assert len(repository.orders) == 2


def test_a_key_taken_by_a_concurrent_request_is_answered_as_a_replay(
    deps: IntakeDeps, repository: InMemoryOrderRepository
) -> None:
    """The race: the read finds no key, then the winner commits before our write."""
    winner = intake.place_order(place(key="k-1"), deps)
    record = repository.keys.pop(("cust-42", "k-1"))
    original_get = repository.get_idempotency
    calls = []

    def get_idempotency(customer_id: str, key: str) -> IdempotencyRecord | None:
        calls.append(key)
        if len(calls) == 1:
            repository.keys[(customer_id, key)] = record  # the winner commits just after our read
            return None
        return original_get(customer_id, key)

    repository.get_idempotency = get_idempotency  # type: ignore[method-assign]
    loser = intake.place_order(place(key="k-1"), deps)
    assert loser.replayed
    assert loser.order.order_id == winner.order.order_id
    assert len(repository.orders) == 1
    assert len(calls) == 2


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


def test_cancel_moves_a_pending_order_to_cancelled(deps: IntakeDeps, repository: InMemoryOrderRepository) -> None:
    placed = intake.place_order(place(), deps).order
    cancelled = intake.cancel_order(CancelOrder(customer_id="cust-42", order_id=placed.order_id), deps)
    assert cancelled.status is OrderStatus.CANCELLED
    assert [entry.status for entry in cancelled.history] == [OrderStatus.PENDING, OrderStatus.CANCELLED]
    assert repository.orders[placed.order_id] == cancelled
    assert repository.written_by[placed.order_id] == intake.CUSTOMER


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
        if written_by == intake.CUSTOMER and repository.orders[expected.order_id].status is OrderStatus.PENDING:
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
