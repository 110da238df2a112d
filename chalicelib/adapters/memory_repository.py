"""In-memory order repository: the fake for unit tests and the in-process benchmarks.
It keeps the same conditional-write semantics as the DynamoDB adapter."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.clock import to_iso, utc_now
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import IdempotencyKeyTaken, OrderAlreadyExists, StaleOrder
from chalicelib.service_layer.ports import IdempotencyRecord, OrderPage


class InMemoryOrderRepository:
    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.orders: dict[str, Order] = {}
        self.written_by: dict[str, Writer] = {}
        self._clock = clock
        self.keys: dict[tuple[str, str], IdempotencyRecord] = {}
        self.writes = 0
        self._lock = threading.Lock()

    def add(self, order: Order, idempotency: IdempotencyRecord | None = None) -> None:
        with self._lock:
            if idempotency is not None and self._live_key(idempotency.customer_id, idempotency.key):
                raise IdempotencyKeyTaken(order.order_id)  # expired keys are free again
            if order.order_id in self.orders:
                if self.orders[order.order_id] == order:
                    return  # a retried write of the same order, as DynamoDB answers it
                raise OrderAlreadyExists(order.order_id)
            self.orders[order.order_id] = order
            self.written_by[order.order_id] = Writer.INTAKE
            self.writes += 1
            if idempotency is not None:
                self.keys[(idempotency.customer_id, idempotency.key)] = idempotency
                self.writes += 1

    def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def get_idempotency(self, customer_id: str, key: str) -> IdempotencyRecord | None:
        return self._live_key(customer_id, key)

    def _live_key(self, customer_id: str, key: str) -> IdempotencyRecord | None:
        record = self.keys.get((customer_id, key))
        if record is None or record.expires_at < self._clock().timestamp():
            return None
        return record

    def list_for_customer(self, customer_id: str, limit: int, after_order_id: str | None) -> OrderPage:
        ids = sorted((o.order_id for o in self.orders.values() if o.customer_id == customer_id), reverse=True)
        if after_order_id is not None:
            ids = [order_id for order_id in ids if order_id < after_order_id]
        page = ids[:limit]
        last = page[-1] if len(ids) > limit else None
        return OrderPage([self.orders[order_id] for order_id in page], last)

    def save(self, order: Order, expected: Order, written_by: Writer) -> None:
        with self._lock:
            stored = self.orders.get(order.order_id)
            if stored is None or stored.status != expected.status or stored.version != expected.version:
                raise StaleOrder(f"order {order.order_id} changed since version {expected.version}")
            self.orders[order.order_id] = order
            self.written_by[order.order_id] = written_by
            self.writes += 1

    def find_open(self, updated_before: datetime) -> list[Order]:
        cutoff = to_iso(updated_before)
        open_statuses = (OrderStatus.PENDING, OrderStatus.PAID)
        return [o for o in self.orders.values() if o.status in open_statuses and o.updated_at < cutoff]
