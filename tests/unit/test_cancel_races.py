"""Cancel versus processing, in every interleaving.

Processing is a sequence of port calls (read, charge, record PAID, ship, record the
outcome); the customer's cancel is a read and a conditional write. The cancel's read is
put before the Nth call and its write before the Mth (N <= M, the end included), for
every N and M. Whatever the order, the order ends in exactly one final state, and a
cancelled order is never left charged without a refund.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from chalicelib.domain.commands import CancelOrder
from chalicelib.domain.models import Order, OrderStatus
from chalicelib.domain.state_machine import ALLOWED_TRANSITIONS
from chalicelib.exceptions import InvalidTransition, RetryableProcessingError
from chalicelib.service_layer import intake
from tests.unit.processing_doubles import Injector, World, fail_once_on, intercept_ports, world

S = OrderStatus
SCENARIOS = {
    "approved": ("tok_visa", "GB"),
    "flaky": ("tok_flaky", "GB"),
    "refused-shipping": ("tok_visa", "AQ"),
    "declined": ("tok_decline", "GB"),
}


class ReadsFirst:
    """The repository as the cancel saw it: its first read returns the earlier snapshot."""

    def __init__(self, repository: Any, seen: Order) -> None:
        self._repository = repository
        self._seen: Order | None = seen

    def get(self, order_id: str) -> Order | None:
        seen, self._seen = self._seen, None
        return seen if seen is not None else self._repository.get(order_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repository, name)


@dataclass
class Cancel:
    w: World
    order_id: str
    seen: Order | None = None
    won: bool | None = None

    def read(self) -> None:
        self.seen = self.w.stored(self.order_id)

    def write(self) -> None:
        assert self.seen is not None, "the cancel reads before it writes"
        deps = replace(self.w.container.intake, repository=ReadsFirst(self.w.repository, self.seen))
        try:
            intake.cancel_order(CancelOrder(customer_id=self.seen.customer_id, order_id=self.order_id), deps)
            self.won = True
        except InvalidTransition:
            self.won = False


def port_calls(token: str, country: str) -> list[str]:
    w = world()
    injector = Injector({})
    w.process(w.place(token, country).order_id, intercept_ports(w.deps, before=injector))
    return injector.calls


def interleavings(name: str) -> Iterator[tuple[int, int]]:
    steps = len(port_calls(*SCENARIOS[name]))
    for read_at in range(steps + 1):
        for write_at in range(read_at, steps + 1):
            yield read_at, write_at


def race(name: str, read_at: int, write_at: int) -> tuple[World, Order, Cancel]:
    w = world()
    order = w.place(*SCENARIOS[name])
    cancel = Cancel(w, order.order_id)
    injector = Injector({read_at: [cancel.read]})
    injector.actions.setdefault(write_at, []).append(cancel.write)
    try:
        w.process(order.order_id, intercept_ports(w.deps, before=injector))
        redelivered = False
    except RetryableProcessingError:
        redelivered = True
    injector.run_remaining()
    if redelivered:
        w.process(order.order_id)
    return w, w.stored(order.order_id), cancel


def assert_settled(w: World, final: Order) -> None:
    statuses = [entry.status for entry in final.history]
    assert final.status.is_final
    assert [status for status in statuses if status.is_final] == [final.status], statuses
    assert all(after in ALLOWED_TRANSITIONS[before] for before, after in itertools.pairwise(statuses))
    charge, refund = w.charge(final.order_id), w.refund(final.order_id)
    if charge is not None and final.status is not S.CONFIRMED:
        assert refund is not None, f"{final.status} order left charged"
        assert refund["payment_id"] == charge["payment_id"]
    if final.status is S.CANCELLED:
        assert w.shipment(final.order_id) is None
        assert not final.is_charged_without_refund
        assert w.events_for(final.order_id) == []
    else:
        assert len(w.events_for(final.order_id)) == 1
    if final.status is S.CONFIRMED:
        assert charge is not None and refund is None and w.shipment(final.order_id) is not None


def test_the_step_model_matches_what_processing_calls() -> None:
    assert port_calls("tok_visa", "GB") == ["get", "charge", "save", "create_shipment", "save"]
    assert port_calls("tok_visa", "AQ") == ["get", "charge", "save", "create_shipment", "refund", "save"]
    assert port_calls("tok_decline", "GB") == ["get", "charge", "save"]


@pytest.mark.parametrize(
    ("name", "read_at", "write_at"),
    [(name, read_at, write_at) for name in SCENARIOS for read_at, write_at in interleavings(name)],
)
def test_cancel_and_processing_in_any_interleaving_settle_in_one_final_state(
    name: str, read_at: int, write_at: int
) -> None:
    w, final, cancel = race(name, read_at, write_at)

    assert_settled(w, final)
    assert cancel.won is (final.status is S.CANCELLED), "the customer was told the opposite of what happened"
    entries = dict(w.ledger.entries)
    w.process(final.order_id)  # a late duplicate delivery
    assert (w.stored(final.order_id), w.ledger.entries) == (final, entries)


def test_the_interleavings_reach_every_outcome_a_race_allows() -> None:
    outcomes = set()
    for read_at, write_at in interleavings("approved"):
        w, final, _ = race("approved", read_at, write_at)
        outcomes.add((final.status, w.charge(final.order_id) is not None))

    assert outcomes == {(S.CANCELLED, False), (S.CANCELLED, True), (S.CONFIRMED, True)}


def test_a_charge_left_unrecorded_by_a_crash_is_refunded_once_a_cancel_wins() -> None:
    w = world()
    order = w.place("tok_visa")
    crashing = intercept_ports(w.deps, before=fail_once_on("save", RuntimeError("Lambda timed out")))

    with pytest.raises(RuntimeError):
        w.process(order.order_id, crashing)
    charge = w.charge(order.order_id)
    assert charge is not None and w.stored(order.order_id).status is S.PENDING
    command = CancelOrder(customer_id=order.customer_id, order_id=order.order_id)
    assert intake.cancel_order(command, w.container.intake).status is S.CANCELLED
    for _ in range(2):  # the failed record is redelivered, perhaps more than once
        w.process(order.order_id)

    final = w.stored(order.order_id)
    refund = w.refund(order.order_id)
    assert final.status is S.CANCELLED
    assert refund is not None and refund["payment_id"] == charge["payment_id"]
    assert (final.payment_id, final.refund_id) == (charge["payment_id"], refund["refund_id"])
    assert (w.ledger.count("charge"), w.ledger.count("refund"), w.ledger.count("shipment")) == (1, 1, 0)
    assert_settled(w, final)
