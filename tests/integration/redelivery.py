"""At-least-once delivery as the event-source mappings give it, for the redelivery
property: every stream record two or three times, in shuffled batches, with transient
failures injected into the ports and failed records handed back later; and the retry
queue's messages in batches mixed in between, failed ones handed back, and some handed
back again after success (a delete that was lost)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from chalicelib.adapters.retry_queue import InMemoryRetryQueue, message_body
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.entrypoints import retry_messages
from chalicelib.exceptions import GatewayUnavailable
from chalicelib.service_layer import processing
from chalicelib.service_layer.processing_deps import ProcessingDeps
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


class RetryMessages(Protocol):
    """The retry queue as its event-source mapping sees it."""

    def waiting(self) -> bool: ...

    def deliver_some(self, rng: random.Random) -> int:
        """Hand one batch to the function; return how many messages it reported failed."""


@dataclass
class Mapping:
    """Deliver `records`, and the retries they cause, until none is left; `handle`
    returns the reported sequence numbers."""

    handle: Callable[[list[Record]], list[str]]
    rng: random.Random
    retries: RetryMessages | None = None
    batches: int = 0
    failed_batches: int = 0
    retry_batches: int = 0
    seen: list[str] = field(default_factory=list)

    def deliver(self, records: list[Record]) -> None:
        pending = [record for record in records for _ in range(self.rng.randint(2, 3))]
        self.rng.shuffle(pending)
        while pending or (self.retries and self.retries.waiting()):
            if self.retries and self.retries.waiting() and (not pending or self.rng.random() < 0.3):
                self.failed_batches += bool(self.retries.deliver_some(self.rng))
                self.retry_batches += 1
                self.batches += 1
                continue
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


def sqs_record(message_id: str, body: str, receive_count: int, receipt: str = "") -> dict[str, object]:
    """One message as Lambda's SQS mapping hands it to the function."""
    return {
        "messageId": message_id,
        "receiptHandle": receipt or message_id,
        "body": body,
        "attributes": {"ApproximateReceiveCount": str(receive_count)},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
    }


class InMemoryRetryMessages:
    """The fake retry queue's messages, delivered at least once."""

    def __init__(self, queue: InMemoryRetryQueue, deps: ProcessingDeps, lost_delete: float = 0.15) -> None:
        self._queue, self._deps, self._lost_delete = queue, deps, lost_delete
        self._messages: list[tuple[str, str, int]] = []  # (id, body, times received)
        self._sent = 0

    def waiting(self) -> bool:
        return bool(self._messages or self._queue.scheduled)

    def deliver_some(self, rng: random.Random) -> int:
        for retry in self._queue.take():
            self._sent += 1
            self._messages.append((f"m-{self._sent}", message_body(retry), 0))
        rng.shuffle(self._messages)
        size = rng.randint(1, 10)
        batch = [(mid, body, count + 1) for mid, body, count in self._messages[:size]]
        self._messages = self._messages[size:]
        response = retry_messages.retry_batch(
            [sqs_record(*message) for message in batch], lambda command: processing.retry_order(command, self._deps)
        )
        failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
        self._messages += [m for m in batch if m[0] in failed or rng.random() < self._lost_delete]
        return len(failed)
