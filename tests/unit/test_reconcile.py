"""Reconcile re-drives stuck orders or fails them once their attempts are spent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.adapters.publisher import InMemoryEventPublisher
from chalicelib.bootstrap import Container
from chalicelib.domain import state_machine
from chalicelib.domain.clock import utc_now
from chalicelib.domain.commands import ReconcileOrders
from chalicelib.domain.models import OrderStatus
from chalicelib.service_layer.intake import place_order
from chalicelib.service_layer.reconcile import reconcile_orders
from tests.unit.builders import place_order_command


def _later(container: Container, seconds: int) -> Container:
    """The same container with its clocks moved `seconds` into the future."""
    clock = lambda: utc_now() + timedelta(seconds=seconds)  # noqa: E731
    return replace(container, processing=replace(container.processing, clock=clock))


def test_a_stuck_pending_order_is_touched_by_reconcile(fake_container: Container) -> None:
    placed = place_order(place_order_command(), fake_container.intake).order
    repository = fake_container.processing.repository
    assert isinstance(repository, InMemoryOrderRepository)

    report = reconcile_orders(ReconcileOrders(older_than_seconds=60), _later(fake_container, 120).processing)

    assert report.redriven == [placed.order_id]
    touched = repository.get(placed.order_id)
    assert touched is not None and touched.status is OrderStatus.PENDING and touched.version == placed.version + 1
    assert repository.written_by[placed.order_id] == "reconcile"


def test_recent_orders_and_dry_runs_are_left_alone(fake_container: Container) -> None:
    placed = place_order(place_order_command(), fake_container.intake).order
    assert reconcile_orders(ReconcileOrders(older_than_seconds=60), fake_container.processing).redriven == []

    dry = reconcile_orders(ReconcileOrders(older_than_seconds=60, dry_run=True), _later(fake_container, 120).processing)
    assert dry.redriven == [placed.order_id]
    assert fake_container.processing.repository.get(placed.order_id) == placed


def test_an_order_out_of_attempts_is_failed_and_its_charge_refunded(fake_container: Container) -> None:
    deps = fake_container.processing
    placed = place_order(place_order_command(), fake_container.intake).order
    charge = deps.payments.charge(
        idempotency_key=f"charge-{placed.order_id}", token="tok_visa", amount=1, currency="EUR"
    )
    paid = state_machine.transition(placed, OrderStatus.PAID, placed.updated_at, payment_id=charge.payment_id)
    spent = state_machine.amend(paid, paid.updated_at, attempts=deps.max_attempts)
    deps.repository.save(paid, expected=placed, written_by="processor")
    deps.repository.save(spent, expected=paid, written_by="processor")

    report = reconcile_orders(ReconcileOrders(older_than_seconds=60), _later(fake_container, 120).processing)

    assert report.failed == [placed.order_id]
    failed = deps.repository.get(placed.order_id)
    assert failed is not None and failed.status is OrderStatus.FAILED and failed.refund_id is not None
    publisher = deps.publisher
    assert isinstance(publisher, InMemoryEventPublisher) and publisher.names()[-1] == "OrderFailed"


def test_final_orders_are_never_reconciled(fake_container: Container) -> None:
    placed = place_order(place_order_command(), fake_container.intake).order
    cancelled = state_machine.transition(placed, OrderStatus.CANCELLED, placed.updated_at)
    fake_container.processing.repository.save(cancelled, expected=placed, written_by="customer")

    report = reconcile_orders(ReconcileOrders(older_than_seconds=0), _later(fake_container, 120).processing)
    assert report.redriven == report.failed == []
