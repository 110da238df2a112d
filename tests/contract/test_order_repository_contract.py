"""The OrderRepository contract: the fake and the DynamoDB adapter behave alike."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.exceptions import IdempotencyKeyTaken, OrderAlreadyExists, StaleOrder
from chalicelib.service_layer.ports import IdempotencyRecord, OrderRepository

NOW = datetime.now(UTC)
EPOCH_MS = int(NOW.timestamp() * 1000)


def an_order(customer: str = "cust-42", at: datetime = NOW, order_id: str | None = None, **changes: object) -> Order:
    stamp = to_iso(at)
    order = Order(
        order_id=order_id or new_order_id(),
        customer_id=customer,
        status=OrderStatus.PENDING,
        currency="EUR",
        items=(OrderLine(sku="SKU-1", quantity=2, unit_price=1999),),
        total=3998,
        shipping_address=ShippingAddress(
            name="Ada", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
        ),
        payment_token="tok_visa",
        created_at=stamp,
        updated_at=stamp,
        history=(HistoryEntry(status=OrderStatus.PENDING, at=stamp),),
    )
    return order.model_copy(update=changes)


def a_key(order: Order, key: str = "k-1", fingerprint: str = "f1", ttl_s: int = 86_400) -> IdempotencyRecord:
    return IdempotencyRecord(order.customer_id, key, fingerprint, order, int(time.time()) + ttl_s)


def test_add_then_get_returns_the_same_order(repository: OrderRepository) -> None:
    order = an_order()
    repository.add(order)
    assert repository.get(order.order_id) == order


def test_get_of_an_unknown_id_is_none(repository: OrderRepository) -> None:
    assert repository.get(new_order_id()) is None


def test_add_refuses_an_existing_order_id_and_changes_nothing(repository: OrderRepository) -> None:
    first = an_order()
    repository.add(first)
    clash = an_order(customer="cust-other", order_id=first.order_id)
    with pytest.raises(OrderAlreadyExists):
        repository.add(clash)
    with pytest.raises(OrderAlreadyExists):
        repository.add(clash, a_key(clash))
    assert repository.get(first.order_id) == first
    assert repository.get_idempotency("cust-other", "k-1") is None


def test_add_with_a_key_stores_the_order_and_the_key_record(repository: OrderRepository) -> None:
    order = an_order()
    record = a_key(order)
    repository.add(order, record)
    assert repository.get(order.order_id) == order
    assert repository.get_idempotency("cust-42", "k-1") == record


def test_add_with_a_taken_key_raises_and_writes_no_order(repository: OrderRepository) -> None:
    winner = an_order()
    record = a_key(winner)
    repository.add(winner, record)
    loser = an_order()
    with pytest.raises(IdempotencyKeyTaken):
        repository.add(loser, a_key(loser, fingerprint="f2"))
    assert repository.get(loser.order_id) is None
    assert repository.get_idempotency("cust-42", "k-1") == record


def test_keys_are_scoped_to_the_customer(repository: OrderRepository) -> None:
    mine, theirs = an_order(), an_order(customer="cust-other")
    repository.add(mine, a_key(mine, key="shared"))
    their_key = a_key(theirs, key="shared")
    repository.add(theirs, their_key)
    assert repository.get_idempotency("cust-other", "shared") == their_key


def test_get_idempotency_of_an_unknown_key_is_none(repository: OrderRepository) -> None:
    assert repository.get_idempotency("cust-42", "never-used") is None


def test_an_expired_key_record_reads_as_absent(repository: OrderRepository) -> None:
    order = an_order()
    repository.add(order, a_key(order, ttl_s=-60))
    assert repository.get_idempotency("cust-42", "k-1") is None


def test_a_long_printable_key_is_stored_and_found(repository: OrderRepository) -> None:
    order, key = an_order(), "~ key with spaces and #/: " + "k" * 229
    repository.add(order, a_key(order, key=key))
    found = repository.get_idempotency("cust-42", key)
    assert found is not None and found.order == order


def test_list_pages_newest_first_with_only_the_callers_orders(repository: OrderRepository) -> None:
    mine = [an_order(order_id=new_order_id(now_ms=EPOCH_MS + step)) for step in range(5)]
    for order in reversed(mine):  # stored out of time order: the listing must sort
        repository.add(order)
    repository.add(an_order(customer="cust-other", order_id=new_order_id(now_ms=EPOCH_MS + 2)))
    repository.add(an_order(customer="cust-4", order_id=new_order_id(now_ms=EPOCH_MS + 3)))  # a prefix of cust-42

    first = repository.list_for_customer("cust-42", 2, None)
    second = repository.list_for_customer("cust-42", 2, first.last_order_id)
    third = repository.list_for_customer("cust-42", 2, second.last_order_id)
    newest_first = [order.order_id for order in reversed(mine)]
    assert [order.order_id for order in first.orders] == newest_first[:2]
    assert [order.order_id for order in second.orders] == newest_first[2:4]
    assert [order.order_id for order in third.orders] == newest_first[4:]
    assert first.last_order_id == newest_first[1]
    assert third.last_order_id is None
    assert third.orders[0] == mine[0]


def test_a_page_that_holds_everything_has_no_next_page(repository: OrderRepository) -> None:
    orders = [an_order() for _ in range(3)]
    for order in orders:
        repository.add(order)
    page = repository.list_for_customer("cust-42", 3, None)
    assert len(page.orders) == 3
    assert page.last_order_id is None


def test_a_customer_without_orders_gets_an_empty_page(repository: OrderRepository) -> None:
    repository.add(an_order())
    page = repository.list_for_customer("cust-nobody", 20, None)
    assert (page.orders, page.last_order_id) == ([], None)


def test_save_replaces_the_expected_version(repository: OrderRepository) -> None:
    order = an_order()
    repository.add(order)
    paid = state_machine.transition(order, OrderStatus.PAID, to_iso(NOW), payment_id="pay-1")
    repository.save(paid, expected=order, written_by="stream")
    assert repository.get(order.order_id) == paid


def test_save_from_a_stale_read_raises_and_changes_nothing(repository: OrderRepository) -> None:
    order = an_order()
    repository.add(order)
    paid = state_machine.transition(order, OrderStatus.PAID, to_iso(NOW))
    repository.save(paid, expected=order, written_by="stream")
    cancelled = state_machine.transition(order, OrderStatus.CANCELLED, to_iso(NOW))
    with pytest.raises(StaleOrder):
        repository.save(cancelled, expected=order, written_by="customer")
    same_status_new_version = state_machine.amend(paid, to_iso(NOW), attempts=1)
    repository.save(same_status_new_version, expected=paid, written_by="stream")
    with pytest.raises(StaleOrder):
        repository.save(state_machine.amend(paid, to_iso(NOW), attempts=2), expected=paid, written_by="stream")
    assert repository.get(order.order_id) == same_status_new_version


def test_save_of_an_order_never_added_raises(repository: OrderRepository) -> None:
    order = an_order()
    with pytest.raises(StaleOrder):
        repository.save(state_machine.amend(order, to_iso(NOW)), expected=order, written_by="stream")
    assert repository.get(order.order_id) is None


def test_find_open_returns_unfinished_orders_last_changed_before_the_cutoff(repository: OrderRepository) -> None:
    hour_ago = NOW - timedelta(hours=1)
    old_pending = an_order(at=hour_ago)
    old_paid = an_order(at=hour_ago, status=OrderStatus.PAID)
    old_confirmed = an_order(at=hour_ago, status=OrderStatus.CONFIRMED)
    old_cancelled = an_order(at=hour_ago, status=OrderStatus.CANCELLED)
    recent_pending = an_order(at=NOW)
    for order in (old_pending, old_paid, old_confirmed, old_cancelled, recent_pending):
        repository.add(order, a_key(order, key=order.order_id))
    found = repository.find_open(NOW - timedelta(minutes=5))
    assert sorted(order.order_id for order in found) == sorted([old_pending.order_id, old_paid.order_id])
