"""Test doubles for the processing tests: an in-memory world whose fakes stay reachable,
proxies that run an action around every port call, and a sleep that only records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib import bootstrap
from chalicelib.adapters.ledger import InMemoryLedger
from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.adapters.publisher import InMemoryEventPublisher
from chalicelib.adapters.retry_queue import InMemoryRetryQueue
from chalicelib.bootstrap import Container
from chalicelib.domain.commands import PlaceOrder, ProcessOrder, RetryOrder
from chalicelib.domain.models import Order, OrderLine, ShippingAddress
from chalicelib.service_layer import intake, processing
from chalicelib.service_layer.intake import IntakeDeps
from chalicelib.service_layer.payments import charge_key
from chalicelib.service_layer.processing_deps import ProcessingDeps
from chalicelib.settings import Settings

Hook = Callable[[str], None]


@dataclass
class SleepRecorder:
    """Stands in for time.sleep: remembers every requested delay, waits for none."""

    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Intercepted:
    """Proxy for a port: calls `before(name)` ahead of every method call and `after(name)`
    once it returned, so tests can inject a race, a crash or a lost response there."""

    def __init__(self, target: Any, before: Hook | None = None, after: Hook | None = None) -> None:
        self._target = target
        self._before = before
        self._after = after

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._before is not None:
                self._before(name)
            result = attribute(*args, **kwargs)
            if self._after is not None:
                self._after(name)
            return result

        return call


def intercept_ports(deps: ProcessingDeps, before: Hook | None = None, after: Hook | None = None) -> ProcessingDeps:
    """The same deps with every repository and gateway call passing through the hooks."""
    return replace(
        deps,
        repository=Intercepted(deps.repository, before, after),
        payments=Intercepted(deps.payments, before, after),
        shipping=Intercepted(deps.shipping, before, after),
        retries=Intercepted(deps.retries, before, after),
    )


@dataclass
class Injector:
    """A `before` hook that runs queued actions just ahead of the Nth port call (from 0),
    to put a cancel or a duplicate delivery between any two steps of processing."""

    actions: dict[int, list[Callable[[], object]]]
    calls: list[str] = field(default_factory=list)

    def __call__(self, name: str) -> None:
        step = len(self.calls)
        self.calls.append(name)
        for action in self.actions.pop(step, []):
            action()

    def run_remaining(self) -> None:
        """Actions queued past the last call happen after processing returned."""
        for step in sorted(self.actions):
            for action in self.actions.pop(step):
                action()


def fail_once_on(operation: str, error: Exception) -> Hook:
    """A hook that raises `error` the first time `operation` is called, and never again."""
    fired: list[str] = []

    def hook(name: str) -> None:
        if name == operation and not fired:
            fired.append(name)
            raise error

    return hook


def place_order_command(token: str = "tok_visa", country: str = "GB", customer: str = "cust-1") -> PlaceOrder:
    address = ShippingAddress(name="Ada", line1="1 Main St", city="London", postal_code="N1 9GU", country=country)
    line = OrderLine(sku="SKU-1", quantity=2, unit_price=1999)
    return PlaceOrder(
        customer_id=customer, currency="EUR", items=(line,), shipping_address=address, payment_token=token
    )


def place(deps: IntakeDeps, token: str = "tok_visa", country: str = "GB", customer: str = "cust-1") -> Order:
    return intake.place_order(place_order_command(token, country, customer), deps).order


@dataclass
class World:
    """The in-memory container, with its fakes kept at hand for assertions."""

    container: Container
    repository: InMemoryOrderRepository
    ledger: InMemoryLedger
    publisher: InMemoryEventPublisher

    @property
    def deps(self) -> ProcessingDeps:
        return self.container.processing

    def place(self, token: str = "tok_visa", country: str = "GB") -> Order:
        return place(self.container.intake, token, country)

    @property
    def retries(self) -> InMemoryRetryQueue:
        queue = self.deps.retries
        assert isinstance(queue, InMemoryRetryQueue)
        return queue

    def process(self, order_id: str, deps: ProcessingDeps | None = None) -> Order:
        return processing.process_order(ProcessOrder(order_id=order_id), deps or self.deps)

    def retry(self, command: RetryOrder, deps: ProcessingDeps | None = None) -> Order:
        return processing.retry_order(command, deps or self.deps)

    def run_retries(self, limit: int = 100) -> int:
        """Deliver scheduled retries, and those they schedule, until none is left (their
        delays taken as passed); return how many were delivered."""
        delivered = 0
        while (taken := self.retries.take()) and delivered < limit:
            for command in taken:
                self.retry(command)
                delivered += 1
        return delivered

    def stored(self, order_id: str) -> Order:
        order = self.repository.get(order_id)
        assert order is not None, f"order {order_id} vanished"
        return order

    def events_for(self, order_id: str) -> list[str]:
        """Processing's events for the order (intake's OrderPlaced left out)."""
        events = self.publisher.events
        return [e.name for e in events if e.order_id == order_id and e.name != "OrderPlaced"]

    def charge(self, order_id: str) -> dict[str, str] | None:
        return self.ledger.get("charge", charge_key(order_id))

    def refund(self, order_id: str) -> dict[str, str] | None:
        return self.ledger.get("refund", f"refund-{order_id}")

    def shipment(self, order_id: str) -> dict[str, str] | None:
        return self.ledger.get("shipment", f"ship-{order_id}")


def world(
    settings: Settings | None = None,
    repository: InMemoryOrderRepository | None = None,
    ledger: InMemoryLedger | None = None,
    **processing_changes: Any,
) -> World:
    settings = settings or Settings(orders_table="in-memory", gateway_retry_base_ms=0)
    repository, ledger = repository or InMemoryOrderRepository(), ledger or InMemoryLedger()
    publisher = InMemoryEventPublisher()
    container = bootstrap.assemble(settings, repository, ledger, publisher)
    if processing_changes:
        container = replace(container, processing=replace(container.processing, **processing_changes))
    return World(container, repository, ledger, publisher)
