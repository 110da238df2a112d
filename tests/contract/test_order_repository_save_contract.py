"""The OrderRepository contract: the fake and the DynamoDB adapter save only over the expected version."""

from __future__ import annotations

import pytest

from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.models import OrderStatus
from chalicelib.exceptions import StaleOrder
from chalicelib.service_layer.ports import OrderRepository
from tests.contract.repository_builders import NOW, an_order


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
