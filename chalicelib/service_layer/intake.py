"""Use cases behind the HTTP API: place, read, list and cancel orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain import state_machine
from chalicelib.domain.clock import to_iso
from chalicelib.domain.commands import CancelOrder, GetOrder, ListOrders, PlaceOrder
from chalicelib.domain.events import order_event
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import HistoryEntry, Order, OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import (
    IdempotencyKeyReused,
    IdempotencyKeyTaken,
    InvalidTransition,
    OrderNotFound,
    StaleOrder,
)
from chalicelib.service_layer.ports import EventPublisher, IdempotencyRecord, OrderPage, OrderRepository

_RACE_RETRIES = 5


@dataclass(frozen=True)
class IntakeDeps:
    repository: OrderRepository
    publisher: EventPublisher
    clock: Callable[[], datetime]
    idempotency_ttl: timedelta


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    replayed: bool


def place_order(command: PlaceOrder, deps: IntakeDeps) -> PlacedOrder:
    repository, now = deps.repository, deps.clock()
    if command.idempotency_key is not None:
        earlier = _replay(command, repository)
        if earlier is not None:
            return earlier
    order = _new_order(command, to_iso(now))
    record = None
    if command.idempotency_key is not None:
        expires_at = int((now + deps.idempotency_ttl).timestamp())
        record = IdempotencyRecord(
            command.customer_id, command.idempotency_key, command.request_fingerprint, order, expires_at
        )
    try:
        repository.add(order, record)
    except IdempotencyKeyTaken:
        # A concurrent request with the same key committed first: answer as it did.
        # Unless the key holds this very order: our own write committed and only its
        # answer was lost, so this is a first answer, not a replay.
        earlier = _replay(command, repository)
        if earlier is None:
            raise
        if earlier.order.order_id != order.order_id:
            return earlier
    deps.publisher.publish(order_event(order))  # a log line and a metric; the outbox publishes
    return PlacedOrder(order, replayed=False)


def _replay(command: PlaceOrder, repository: OrderRepository) -> PlacedOrder | None:
    assert command.idempotency_key is not None
    record = repository.get_idempotency(command.customer_id, command.idempotency_key)
    if record is None:
        return None
    if record.fingerprint != command.request_fingerprint:
        raise IdempotencyKeyReused("this Idempotency-Key was already used with a different request body")
    return PlacedOrder(record.order, replayed=True)


def _new_order(command: PlaceOrder, at: str) -> Order:
    return Order(
        order_id=new_order_id(),
        customer_id=command.customer_id,
        status=OrderStatus.PENDING,
        currency=command.currency,
        items=command.items,
        total=sum(line.subtotal for line in command.items),
        shipping_address=command.shipping_address,
        payment_token=command.payment_token,
        created_at=at,
        updated_at=at,
        history=(HistoryEntry(status=OrderStatus.PENDING, at=at),),
    )


def get_order(query: GetOrder, deps: IntakeDeps) -> Order:
    return _owned_order(query, deps.repository)


def _owned_order(query: GetOrder, repository: OrderRepository) -> Order:
    order = repository.get(query.order_id)
    # Another customer's order is reported missing, so ids cannot be probed.
    if order is None or order.customer_id != query.customer_id:
        raise OrderNotFound(query.order_id)
    return order


def list_orders(query: ListOrders, deps: IntakeDeps) -> OrderPage:
    return deps.repository.list_for_customer(query.customer_id, query.limit, query.after_order_id)


def cancel_order(command: CancelOrder, deps: IntakeDeps) -> Order:
    repository = deps.repository
    for _ in range(_RACE_RETRIES):
        order = _owned_order(GetOrder(customer_id=command.customer_id, order_id=command.order_id), repository)
        if order.status is not OrderStatus.PENDING:
            raise InvalidTransition(order.status, OrderStatus.CANCELLED)
        cancelled = state_machine.transition(
            order, OrderStatus.CANCELLED, to_iso(deps.clock()), reason="cancelled by customer"
        )
        try:
            repository.save(cancelled, expected=order, written_by=Writer.CUSTOMER)
        except StaleOrder:
            continue  # processing moved it meanwhile: look again
        return cancelled
    raise StaleOrder(f"order {command.order_id} kept changing; try again")
