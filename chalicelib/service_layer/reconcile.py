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
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.exceptions import StaleOrder
from chalicelib.service_layer import outcomes
from chalicelib.service_layer.processing import ProcessingDeps

RECONCILER = "reconcile"


@dataclass
class ReconcileReport:
    redriven: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


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
                _fail(order, deps)
                report.failed.append(order.order_id)
            else:
                _touch(order, deps)
                report.redriven.append(order.order_id)
        except StaleOrder:
            report.skipped.append(order.order_id)  # it moved while we looked: it is alive
    return report


def _touch(order: Order, deps: ProcessingDeps) -> None:
    touched = state_machine.amend(order, to_iso(deps.clock()))
    deps.repository.save(touched, expected=order, written_by=RECONCILER)


def _fail(order: Order, deps: ProcessingDeps) -> None:
    refund_id = outcomes.refund_any_charge(order, deps)
    reason = f"gave up after {order.attempts} attempts; marked failed by reconcile"
    failed = state_machine.transition(
        order, OrderStatus.FAILED, to_iso(deps.clock()), reason=reason, refund_id=refund_id
    )
    deps.repository.save(failed, expected=order, written_by=RECONCILER)
    deps.publisher.publish(outcomes.event_for(failed))
