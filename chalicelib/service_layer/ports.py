"""The ports: what the services need from the outside world, as Protocols.

Each has a real adapter and an in-memory fake in chalicelib/adapters, and one contract
test suite in tests/ runs against both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.commands import RetryOrder
from chalicelib.domain.events import OrderEvent
from chalicelib.domain.models import Order, OrderLine, ShippingAddress
from chalicelib.domain.writers import Writer


@dataclass(frozen=True)
class IdempotencyRecord:
    customer_id: str
    key: str
    fingerprint: str
    order: Order
    expires_at: int


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    last_order_id: str | None


class OrderRepository(Protocol):
    def add(self, order: Order, idempotency: IdempotencyRecord | None = None) -> None:
        """Create the order (and its key record) atomically; raise OrderAlreadyExists
        or IdempotencyKeyTaken(existing) and write nothing if either exists."""

    def get(self, order_id: str) -> Order | None: ...

    def get_idempotency(self, customer_id: str, key: str) -> IdempotencyRecord | None: ...

    def list_for_customer(self, customer_id: str, limit: int, after_order_id: str | None) -> OrderPage:
        """Newest first."""

    def save(self, order: Order, expected: Order, written_by: Writer) -> None:
        """Replace `expected` by `order` only if the stored one still has expected's
        status and version; raise StaleOrder otherwise."""

    def find_open(self, updated_before: datetime) -> list[Order]:
        """Non-final orders last changed before the given moment."""


@dataclass(frozen=True)
class Charge:
    payment_id: str
    amount: int
    currency: str


@dataclass(frozen=True)
class Refund:
    refund_id: str
    payment_id: str
    amount: int


@dataclass(frozen=True)
class Shipment:
    tracking_number: str


class PaymentGateway(Protocol):
    def charge(self, *, idempotency_key: str, token: str, amount: int, currency: str) -> Charge:
        """Raise PaymentDeclined or GatewayUnavailable. Same key, same charge."""

    def find_charge(self, *, idempotency_key: str) -> Charge | None:
        """The charge made under this key, if any. Raise GatewayUnavailable."""

    def refund(self, *, idempotency_key: str, payment_id: str, amount: int) -> Refund:
        """Raise GatewayUnavailable. Same key, same refund."""


class ShippingGateway(Protocol):
    def create_shipment(
        self, *, idempotency_key: str, address: ShippingAddress, items: tuple[OrderLine, ...]
    ) -> Shipment:
        """Raise ShippingRefused or GatewayUnavailable. Same key, same shipment."""


class RetryQueue(Protocol):
    def schedule(self, retry: RetryOrder, delay_s: int) -> None:
        """Deliver `retry` after `delay_s` seconds (0 to 900), at least once. Raise
        DependencyUnavailable if the queue did not take it."""


class EventPublisher(Protocol):
    def publish(self, event: OrderEvent) -> None: ...


@dataclass(frozen=True)
class BusEntry:
    """One event on its way to the bus: its type, and its `detail` as JSON."""

    event_id: str
    order_id: str
    detail_type: str
    detail: str


class EventBus(Protocol):
    def put(self, entries: Sequence[BusEntry]) -> list[int]:
        """Send up to 10 entries in one call; return the indexes of the entries the bus
        refused. Raise DependencyUnavailable if the call as a whole failed."""


class OrderImages(Protocol):
    def order(self, image: dict[str, Any]) -> Order:
        """The order stored in a stream record's image (DynamoDB JSON)."""


class Ledger(Protocol):
    """The simulator's own books: entries written once per key, and counters."""

    def record_once(self, kind: str, key: str, entry: dict[str, str]) -> dict[str, str]:
        """Store `entry` unless one exists for (kind, key); return the stored one."""

    def put(self, kind: str, key: str, entry: dict[str, str]) -> None:
        """Store `entry` for (kind, key), replacing any (the simulator's switches)."""

    def get(self, kind: str, key: str) -> dict[str, str] | None: ...

    def increment(self, kind: str, key: str) -> int: ...

    def count(self, kind: str) -> int: ...
