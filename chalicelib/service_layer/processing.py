"""Processing a placed order, as one saga that reads top to bottom: charge, ship,
finish, and each compensation where its step can need it. Every step is recorded with
a conditional write, so repeated or concurrent deliveries of one record have one effect.

A provider that stays down does not hold the stream: the attempt is recorded on the
order, a retry is put on the retry queue with a backoff delay, and the record is done.
The retry (`retry_order`) carries on from whatever the order's state is by then."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.commands import ProcessOrder, RetryOrder
from chalicelib.domain.events import order_event
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import (
    GatewayUnavailable,
    PaymentDeclined,
    RetryableProcessingError,
    ShippingRefused,
    StaleOrder,
    UnprocessableRecord,
)
from chalicelib.service_layer.processing_deps import ProcessingDeps
from chalicelib.service_layer.retry import call_with_retry

_RACE_RETRIES = 5


def process_order(command: ProcessOrder, deps: ProcessingDeps) -> Order:
    """Drive the order to a final state or to a scheduled retry. Raise
    RetryableProcessingError if it kept changing under us, DependencyUnavailable if the
    table or the retry queue failed: those leave the record on the stream."""
    return _drive(command.order_id, deps, lambda order: True)


def retry_order(command: RetryOrder, deps: ProcessingDeps) -> Order:
    """Carry on from the order's current state. A message for an attempt the order has
    moved past (a duplicate, or one overtaken by a stream record) changes nothing, with
    one exception: handed back after a failed handling that stored the next attempt, it
    sends that attempt's retry again, since the handling may have died before sending it."""
    if command.redelivered:
        order = deps.repository.get(command.order_id)
        if order and not order.status.is_final and order.attempts == command.attempt + 1:
            _schedule_retry(order, deps)
            return order
    return _drive(command.order_id, deps, lambda order: order.attempts == command.attempt)


def _drive(order_id: str, deps: ProcessingDeps, current: Callable[[Order], bool]) -> Order:
    for _ in range(_RACE_RETRIES):
        order = deps.repository.get(order_id)
        if order is None:
            raise UnprocessableRecord(f"order {order_id} does not exist")
        if order.status is OrderStatus.CANCELLED:
            _settle_cancelled(order, deps)
            return order
        if order.status.is_final or not current(order):
            return order
        try:
            return _advance(order, deps)
        except StaleOrder:
            continue  # someone else moved the order: start again from what is stored
    raise RetryableProcessingError(f"order {order_id} kept changing under processing")


def _advance(order: Order, deps: ProcessingDeps) -> Order:
    try:
        while not order.status.is_final:
            order = _charge(order, deps) if order.status is OrderStatus.PENDING else _ship(order, deps)
    except GatewayUnavailable as error:
        return _record_failed_attempt(order, str(error), deps)
    return order


def _charge(order: Order, deps: ProcessingDeps) -> Order:
    """Step 1. A decline ends the saga with nothing to undo."""
    try:
        charge = deps.money.charge(order)
    except PaymentDeclined as declined:
        return _finish(order, OrderStatus.REJECTED, deps, reason=f"payment declined: {declined.reason}")
    paid = state_machine.transition(order, OrderStatus.PAID, _now(deps), payment_id=charge.payment_id)
    try:
        deps.repository.save(paid, expected=order, written_by=Writer.PROCESSOR)
    except StaleOrder:
        # Compensation: a cancel won the race after the charge went through.
        _settle_cancelled(order, deps, payment_id=charge.payment_id)
        raise
    return paid


def _ship(order: Order, deps: ProcessingDeps) -> Order:
    """Step 2. A refused shipment refunds the charge of step 1."""
    try:
        shipment = call_with_retry(
            lambda: deps.shipping.create_shipment(
                idempotency_key=f"ship-{order.order_id}", address=order.shipping_address, items=order.items
            ),
            deps.retry,
            deps.shipping_health,
        )
    except ShippingRefused as refused:
        refund_id = deps.money.refund(order)
        reason = f"shipping refused: {refused.reason}"
        return _finish(order, OrderStatus.REJECTED, deps, reason=reason, refund_id=refund_id)
    return _finish(order, OrderStatus.CONFIRMED, deps, tracking_number=shipment.tracking_number)


def _record_failed_attempt(order: Order, error: str, deps: ProcessingDeps) -> Order:
    """A provider stayed down: count the attempt and schedule the next, or give up and
    refund any charge. The attempt is stored before the retry is sent, so a crash in
    between leaves the record or message to be delivered again, never a retry for an
    attempt that was not stored."""
    attempts = order.attempts + 1
    if not deps.schedule.spent(order, deps.clock(), attempts):
        retried = state_machine.amend(order, _now(deps), attempts=attempts, reason=error)
        deps.repository.save(retried, expected=order, written_by=Writer.PROCESSOR)
        _schedule_retry(retried, deps)
        return retried
    # Refunding before the FAILED write is safe: the refund is keyed by the order, and
    # the only writers that can win the race (a cancel, a twin delivery) refund too.
    refund_id = deps.money.refund_any_charge(order)
    reason = f"gave up after {attempts} attempts: {error}"
    return _finish(order, OrderStatus.FAILED, deps, reason=reason, attempts=attempts, refund_id=refund_id)


def _schedule_retry(order: Order, deps: ProcessingDeps) -> None:
    """Send the retry for the order's last stored attempt (again); at once if its budget
    is spent, so that the attempt it starts is the one that gives up."""
    delay_s = deps.schedule.next_delay(order, order.attempts, deps.clock()) or 0
    deps.retries.schedule(RetryOrder(order_id=order.order_id, attempt=order.attempts), delay_s)


def _finish(
    order: Order, status: OrderStatus, deps: ProcessingDeps, reason: str | None = None, **changes: object
) -> Order:
    final = state_machine.transition(order, status, _now(deps), reason=reason, **changes)
    deps.repository.save(final, expected=order, written_by=Writer.PROCESSOR)
    deps.publisher.publish(order_event(final))
    return final


def _settle_cancelled(order: Order, deps: ProcessingDeps, payment_id: str | None = None) -> None:
    """Compensation for a cancel that won: the customer must not stay charged. Refund,
    and note both ids on the cancelled order."""
    current = deps.repository.get(order.order_id)
    if current is None or current.status is not OrderStatus.CANCELLED or current.refund_id is not None:
        return
    charged = deps.money.charged_payment_id(order.order_id, known=payment_id)
    if charged is None:
        return
    refund_id = deps.money.refund(current, payment_id=charged)
    noted = state_machine.amend(current, _now(deps), payment_id=charged, refund_id=refund_id)
    deps.repository.save(noted, expected=current, written_by=Writer.PROCESSOR)


def _now(deps: ProcessingDeps) -> str:
    return to_iso(deps.clock())
