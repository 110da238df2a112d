"""Two deliveries of one record racing: the second runs to completion between any two
port calls of the first. The conditional writes must leave a single effect."""

from __future__ import annotations

import pytest

from chalicelib.domain.models import OrderStatus
from chalicelib.exceptions import RetryableProcessingError
from tests.unit.processing_doubles import Injector, fail_once_on, intercept_ports, world

S = OrderStatus
CASES = {
    "approved": ("tok_visa", "GB", [S.PENDING, S.PAID, S.CONFIRMED], "OrderConfirmed", (1, 0, 1)),
    "flaky": ("tok_flaky", "GB", [S.PENDING, S.PAID, S.CONFIRMED], "OrderConfirmed", (1, 0, 1)),
    "refused-shipping": ("tok_visa", "AQ", [S.PENDING, S.PAID, S.REJECTED], "OrderRejected", (1, 1, 0)),
    "declined": ("tok_decline", "GB", [S.PENDING, S.REJECTED], "OrderRejected", (0, 0, 0)),
}


def steps_of(token: str, country: str) -> int:
    w = world()
    injector = Injector({})
    w.process(w.place(token, country).order_id, intercept_ports(w.deps, before=injector))
    return len(injector.calls)


@pytest.mark.parametrize(
    ("name", "step"), [(name, step) for name, case in CASES.items() for step in range(steps_of(*case[:2]) + 1)]
)
def test_a_duplicate_delivery_at_any_step_has_a_single_effect(name: str, step: int) -> None:
    token, country, history, event, ledger_counts = CASES[name]
    w = world()
    order = w.place(token, country)
    injector = Injector({step: [lambda: w.process(order.order_id)]})

    first = w.process(order.order_id, intercept_ports(w.deps, before=injector))
    injector.run_remaining()

    final = w.stored(order.order_id)
    assert first == final
    assert [entry.status for entry in final.history] == history
    assert w.events_for(order.order_id) == [event]
    counts = (w.ledger.count("charge"), w.ledger.count("refund"), w.ledger.count("shipment"))
    assert counts == ledger_counts


@pytest.mark.parametrize("operation", ["save", "create_shipment", "refund"])
def test_a_crash_at_any_recording_step_is_repaired_by_redelivery(operation: str) -> None:
    """The Lambda dies before the call; the record comes again and finishes the job once."""
    w = world()
    order = w.place("tok_visa", "AQ" if operation == "refund" else "GB")
    crashing = intercept_ports(w.deps, before=fail_once_on(operation, RuntimeError("Lambda died")))

    with pytest.raises(RuntimeError):
        w.process(order.order_id, crashing)
    final = w.process(order.order_id)

    assert final.status is (S.REJECTED if operation == "refund" else S.CONFIRMED)
    assert final.payment_id == w.charge(order.order_id)["payment_id"]  # type: ignore[index]
    assert w.ledger.count("charge") == 1
    assert len(w.events_for(order.order_id)) == 1


def test_a_crash_after_the_outcome_is_stored_still_leaves_one_outcome() -> None:
    """The final write landed, then the Lambda died: redelivery finds a final order."""
    w = world()
    order = w.place("tok_visa")
    saves: list[str] = []

    def die_after_second_save(name: str) -> None:
        saves.extend([name] if name == "save" else [])
        if len(saves) == 2 and name == "save":
            raise RetryableProcessingError("Lambda died after writing")

    with pytest.raises(RetryableProcessingError):
        w.process(order.order_id, intercept_ports(w.deps, after=die_after_second_save))
    stored = w.stored(order.order_id)

    assert w.process(order.order_id) == stored
    assert stored.status is S.CONFIRMED
    assert w.ledger.count("charge") == 1


def steps_of_a_failed_attempt() -> int:
    w = world()
    injector = Injector({})
    w.process(w.place("tok_down").order_id, intercept_ports(w.deps, before=injector))
    return len(injector.calls)


@pytest.mark.parametrize("step", range(steps_of_a_failed_attempt() + 1))
def test_racing_failed_attempts_are_each_counted(step: int) -> None:
    """Two deliveries fail at once: neither attempt may overwrite the other's count, and
    each stored attempt has exactly one retry scheduled for it."""
    w = world()
    order = w.place("tok_down")
    injector = Injector({step: [lambda: w.process(order.order_id)]})

    w.process(order.order_id, intercept_ports(w.deps, before=injector))
    injector.run_remaining()

    assert w.stored(order.order_id).attempts == 2
    assert w.stored(order.order_id).status is S.PENDING
    assert sorted(retry.attempt for retry, _ in w.retries.scheduled) == [1, 2]
