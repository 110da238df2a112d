"""The OrderRepository contract: the fake and the DynamoDB adapter behave alike on add,
get and the idempotency key records."""

from __future__ import annotations

import pytest

from chalicelib.domain.ids import new_order_id
from chalicelib.exceptions import IdempotencyKeyTaken, OrderAlreadyExists
from chalicelib.service_layer.ports import OrderRepository
from tests.contract.repository_builders import a_key, an_order


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
