"""Reconcile: the safety net behind the stream. An order left non-final past a
threshold is re-driven by a conditional touch, which writes a new stream record that
passes the filter, or is marked FAILED once its processing attempts are spent.
Together with the DLQ this is how every accepted order reaches a final state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.commands import ReconcileOrders
from chalicelib.domain.events import order_event
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import DependencyUnavailable, GatewayUnavailable, StaleOrder
from chalicelib.service_layer.processing_deps import ProcessingDeps


@dataclass
class ReconcileReport:
    redriven: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refund_pending: list[str] = field(default_factory=list)  # failed, but the provider was down


def reconcile_orders(command: ReconcileOrders, deps: ProcessingDeps) -> ReconcileReport:
    report = ReconcileReport()
    cutoff = deps.clock() - timedelta(seconds=command.older_than_seconds)
    for order in deps.repository.find_open(cutoff):
        spent = order.attempts >= deps.max_attempts
        if command.dry_run:
            (report.failed if spent else report.redriven).append(order.order_id)
            continue
        try:
            if spent:
                failed = _fail(order, deps)
                report.failed.append(order.order_id)
                if not _refund(failed, deps):
                    report.refund_pending.append(order.order_id)
            else:
                _touch(order, deps)
                report.redriven.append(order.order_id)
        except StaleOrder:
            report.skipped.append(order.order_id)  # it moved while we looked: it is alive
    return report


def _touch(order: Order, deps: ProcessingDeps) -> None:
    touched = state_machine.amend(order, to_iso(deps.clock()))
    deps.repository.save(touched, expected=order, written_by=Writer.RECONCILE)


def _fail(order: Order, deps: ProcessingDeps) -> Order:
    """Win the conditional write first: only the writer that moved the order to FAILED
    may refund it. Had processing moved it meanwhile, StaleOrder ends here, money untouched."""
    reason = f"gave up after {order.attempts} attempts; marked failed by reconcile"
    failed = state_machine.transition(order, OrderStatus.FAILED, to_iso(deps.clock()), reason=reason)
    deps.repository.save(failed, expected=order, written_by=Writer.RECONCILE)
    return failed


def _refund(failed: Order, deps: ProcessingDeps) -> bool:
    """Refund any charge of an order this run failed and note the refund on it; False if
    the provider stayed down (the order is listed as refund_pending for the operator)."""
    try:
        refund_id = deps.money.refund_any_charge(failed)
    except (GatewayUnavailable, DependencyUnavailable):
        deps.publisher.publish(order_event(failed))  # FAILED is stored: announce it
        return False
    settled = state_machine.amend(failed, to_iso(deps.clock()), refund_id=refund_id) if refund_id else failed
    if refund_id:
        deps.repository.save(settled, expected=failed, written_by=Writer.RECONCILE)
    deps.publisher.publish(order_event(settled))
    return True
