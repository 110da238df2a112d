"""Reconcile moves money only after it won: a spent order that processing finishes while
reconcile looks is left as processing left it, charged and shipped, never refunded."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib.domain import state_machine
from chalicelib.domain.clock import utc_now
from chalicelib.domain.commands import ReconcileOrders
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import GatewayUnavailable
from chalicelib.service_layer.payments import charge_key
from chalicelib.service_layer.processing_deps import ProcessingDeps
from chalicelib.service_layer.reconcile import reconcile_orders
from tests.unit.processing_doubles import Intercepted, World, world

S = OrderStatus


def _spent_paid_order(w: World) -> Order:
    placed = w.place()
    charge = w.deps.payments.charge(
        idempotency_key=charge_key(placed.order_id), token="tok_visa", amount=1, currency="EUR"
    )
    paid = state_machine.transition(placed, S.PAID, placed.updated_at, payment_id=charge.payment_id)
    spent = state_machine.amend(paid, paid.updated_at, attempts=w.deps.max_attempts)
    w.repository.save(paid, expected=placed, written_by=Writer.PROCESSOR)
    w.repository.save(spent, expected=paid, written_by=Writer.PROCESSOR)
    return spent


def _reconcile_deps(w: World, before_save: object = None) -> ProcessingDeps:
    later = lambda: utc_now() + timedelta(seconds=120)  # noqa: E731
    deps = replace(w.deps, clock=later)
    return replace(deps, repository=Intercepted(w.repository, before=before_save)) if before_save else deps


def test_processing_that_finishes_the_order_first_keeps_its_charge() -> None:
    w = world()
    order = _spent_paid_order(w)
    raced: list[str] = []

    def processing_finishes_first(name: str) -> None:
        if name == "save" and not raced:
            raced.append(name)
            w.process(order.order_id)  # a late stream record ships it meanwhile

    report = reconcile_orders(ReconcileOrders(older_than_seconds=60), _reconcile_deps(w, processing_finishes_first))

    assert raced and report.skipped == [order.order_id] and report.failed == []
    assert w.stored(order.order_id).status is S.CONFIRMED
    assert w.refund(order.order_id) is None, "reconcile refunded an order it did not fail"


def test_an_order_reconcile_failed_while_the_provider_is_down_is_listed_for_a_refund() -> None:
    w = world()
    order = _spent_paid_order(w)
    deps = _reconcile_deps(w)

    class DownPayments:
        def __getattr__(self, name: str) -> object:
            raise GatewayUnavailable("payments down")

    report = reconcile_orders(ReconcileOrders(older_than_seconds=60), replace(deps, payments=DownPayments()))

    assert report.failed == report.refund_pending == [order.order_id]
    failed = w.stored(order.order_id)
    assert failed.status is S.FAILED and failed.refund_id is None and w.refund(order.order_id) is None
