"""At-least-once delivery as an event-source mapping gives it, for the redelivery property:
every record two or three times, in shuffled batches, with transient failures injected
into the ports and failed records handed back later."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain.models import Order, OrderStatus
from chalicelib.exceptions import GatewayUnavailable
from chalicelib.service_layer.processing import ProcessingDeps
from tests.support.stream_events import Record
from tests.unit.processing_doubles import intercept_ports

S = OrderStatus
PROFILES = [
    *[("tok_visa", "GB")] * 8,
    *[("tok_decline", "GB")] * 4,
    *[("tok_flaky", "GB")] * 4,
    *[("tok_visa", "AQ")] * 2,
    ("tok_flaky", "AQ"),
    ("tok_down", "GB"),
]
GATEWAY_CALLS = {"charge", "find_charge", "refund", "create_shipment"}
MAX_BATCHES = 20_000


def expected_status(token: str, country: str) -> OrderStatus:
    if token == "tok_decline":
        return S.REJECTED
    if token == "tok_down":
        return S.FAILED
    return S.REJECTED if country == "AQ" else S.CONFIRMED


def chaotic(
    deps: ProcessingDeps, rng: random.Random, unavailable: float, crash: float, lost: float = 0.0
) -> ProcessingDeps:
    """Providers that time out at random, before acting or after (the answer lost), and a
    Lambda that dies just before or just after a write."""

    def before(name: str) -> None:
        if name in GATEWAY_CALLS and rng.random() < unavailable:
            raise GatewayUnavailable(f"injected: {name} timed out")
        if name == "save" and rng.random() < crash:
            raise RuntimeError("injected: Lambda died before writing")

    def after(name: str) -> None:
        if name in GATEWAY_CALLS and rng.random() < lost:
            raise GatewayUnavailable(f"injected: {name} acted, then its answer was lost")
        if name == "save" and rng.random() < crash:
            raise RuntimeError("injected: Lambda died after writing")

    return intercept_ports(deps, before, after)


@dataclass
class Mapping:
    """Deliver `records` until none is left; `handle` returns the reported sequence numbers."""

    handle: Callable[[list[Record]], list[str]]
    rng: random.Random
    batches: int = 0
    failed_batches: int = 0

    def deliver(self, records: list[Record]) -> None:
        pending = [record for record in records for _ in range(self.rng.randint(2, 3))]
        self.rng.shuffle(pending)
        while pending:
            size = self.rng.randint(1, 10)
            batch, pending = pending[:size], pending[size:]
            reported = self.handle(batch)
            retried = batch[len(batch) - len(reported) :]
            assert reported == [r["dynamodb"]["SequenceNumber"] for r in retried], "fail-fast reports a suffix"
            for record in retried:
                pending.insert(self.rng.randint(0, len(pending)), record)
            self.batches += 1
            self.failed_batches += bool(reported)
            assert self.batches < MAX_BATCHES, "delivery does not converge"


@dataclass
class Books:
    charge: Callable[[str], dict[str, str] | None]
    refund: Callable[[str], dict[str, str] | None]
    count: Callable[[str], int]


def assert_exactly_once_effect(
    orders: dict[str, tuple[str, str]], stored: Callable[[str], Order], books: Books
) -> None:
    """All orders final as their inputs decide; one net charge per confirmed order."""
    confirmed = charged = 0
    for order_id, (token, country) in orders.items():
        order = stored(order_id)
        assert order.status is expected_status(token, country), (token, country, order)
        charge, refund = books.charge(order_id), books.refund(order_id)
        charged += charge is not None
        if order.status is S.CONFIRMED:
            confirmed += 1
            assert charge is not None and refund is None and order.tracking_number is not None
            assert order.payment_id == charge["payment_id"]
        elif charge is not None:
            assert refund is not None, f"{order.status} order left charged: {order}"
            assert refund["payment_id"] == charge["payment_id"] and order.refund_id == refund["refund_id"]
        if token == "tok_decline" or token == "tok_down":
            assert charge is None
        if country == "AQ":
            assert charge is not None and refund is not None
    assert books.count("charge") == charged, "a charge under a key no order owns"
    assert books.count("charge") - books.count("refund") == confirmed
    assert books.count("shipment") == confirmed
