"""Placing orders with an Idempotency-Key against in-memory fakes: replays, reuse, scope, expiry, races."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.adapters.publisher import InMemoryEventPublisher
from chalicelib.exceptions import IdempotencyKeyReused
from chalicelib.service_layer import intake
from chalicelib.service_layer.intake import IntakeDeps
from chalicelib.service_layer.ports import IdempotencyRecord
from tests.unit.intake_doubles import Clock, place


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
