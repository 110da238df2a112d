"""Processing a placed order: charge, then ship, each step recorded with a conditional
write, so that repeated or concurrent deliveries of one record have a single effect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.commands import ProcessOrder
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.exceptions import (
    GatewayUnavailable,
    PaymentDeclined,
    RetryableProcessingError,
    ShippingRefused,
    StaleOrder,
    UnprocessableRecord,
)
from chalicelib.service_layer import outcomes
from chalicelib.service_layer.ports import EventPublisher, OrderRepository, PaymentGateway, ShippingGateway
from chalicelib.service_layer.retry import RetryPolicy, call_with_retry

PROCESSOR = "processor"
_RACE_RETRIES = 5


@dataclass(frozen=True)
class ProcessingDeps:
    repository: OrderRepository
    payments: PaymentGateway
    shipping: ShippingGateway
    publisher: EventPublisher
    clock: Callable[[], datetime]
    retry: RetryPolicy
    max_attempts: int


def process_order(command: ProcessOrder, deps: ProcessingDeps) -> Order:
    """Drive the order to a final state, or raise RetryableProcessingError."""
    for _ in range(_RACE_RETRIES):
        order = deps.repository.get(command.order_id)
        if order is None:
            raise UnprocessableRecord(f"order {command.order_id} does not exist")
        if order.status is OrderStatus.CANCELLED:
            outcomes.settle_cancelled(order.order_id, deps)
            return order
        try:
            return _advance(order, deps)
        except StaleOrder:
            continue  # someone else moved the order: start again from what is stored
    raise RetryableProcessingError(f"order {command.order_id} kept changing under processing")


def _advance(order: Order, deps: ProcessingDeps) -> Order:
    try:
        while not order.status.is_final:
            order = _charge(order, deps) if order.status is OrderStatus.PENDING else _ship(order, deps)
    except GatewayUnavailable as error:
        return _record_failed_attempt(order, str(error), deps)
    return order


def _charge(order: Order, deps: ProcessingDeps) -> Order:
    try:
        charge = call_with_retry(
            lambda: deps.payments.charge(
                idempotency_key=outcomes.charge_key(order.order_id),
                token=order.payment_token,
                amount=order.total,
                currency=order.currency,
            ),
            deps.retry,
        )
    except PaymentDeclined as declined:
        return _finish(order, OrderStatus.REJECTED, deps, reason=f"payment declined: {declined.reason}")
    paid = state_machine.transition(order, OrderStatus.PAID, _now(deps), payment_id=charge.payment_id)
    try:
        deps.repository.save(paid, expected=order, written_by=PROCESSOR)
    except StaleOrder:
        outcomes.settle_cancelled(order.order_id, deps, payment_id=charge.payment_id)
        raise
    return paid


def _ship(order: Order, deps: ProcessingDeps) -> Order:
    try:
        shipment = call_with_retry(
            lambda: deps.shipping.create_shipment(
                idempotency_key=f"ship-{order.order_id}", address=order.shipping_address, items=order.items
            ),
            deps.retry,
        )
    except ShippingRefused as refused:
        refund_id = outcomes.refund(order, deps)
        reason = f"shipping refused: {refused.reason}"
        return _finish(order, OrderStatus.REJECTED, deps, reason=reason, refund_id=refund_id)
    return _finish(order, OrderStatus.CONFIRMED, deps, tracking_number=shipment.tracking_number)


def _record_failed_attempt(order: Order, error: str, deps: ProcessingDeps) -> Order:
    attempts = order.attempts + 1
    if attempts < deps.max_attempts:
        retried = state_machine.amend(order, _now(deps), attempts=attempts, reason=error)
        deps.repository.save(retried, expected=order, written_by=PROCESSOR)
        raise RetryableProcessingError(f"attempt {attempts} of {deps.max_attempts} failed: {error}")
    refund_id = outcomes.refund_any_charge(order, deps)
    reason = f"gave up after {attempts} attempts: {error}"
    return _finish(order, OrderStatus.FAILED, deps, reason=reason, attempts=attempts, refund_id=refund_id)


def _finish(
    order: Order, status: OrderStatus, deps: ProcessingDeps, reason: str | None = None, **changes: object
) -> Order:
    final = state_machine.transition(order, status, _now(deps), reason=reason, **changes)
    deps.repository.save(final, expected=order, written_by=PROCESSOR)
    deps.publisher.publish(outcomes.event_for(final))
    return final


def _now(deps: ProcessingDeps) -> str:
    return to_iso(deps.clock())
