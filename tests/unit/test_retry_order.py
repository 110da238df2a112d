"""retry_order: a message from the retry queue carries the order on from where it is.
Stale and duplicate messages change nothing; a cancel may race a retry at any step."""

from __future__ import annotations

import pytest

from chalicelib.adapters.provider_outages import Provider, ProviderOutages
from chalicelib.domain.commands import RetryOrder
from chalicelib.domain.models import OrderStatus
from chalicelib.exceptions import UnprocessableRecord
from chalicelib.settings import Settings
from tests.unit.processing_doubles import Injector, World, intercept_ports, world
from tests.unit.test_cancel_races import Cancel, assert_settled

S = OrderStatus
PROVIDERS: list[Provider] = ["payments", "shipping"]


def waiting_for_retry(provider: Provider, token: str = "tok_visa") -> tuple[World, RetryOrder]:
    """An order whose first attempt met an outage of `provider`, which has since ended."""
    w = world(Settings(orders_table="in-memory", gateway_retry_base_ms=0, simulator_outage_check_ms=0))
    outages = ProviderOutages(w.ledger, check_every_s=0)
    outages.start(provider, 60)
    order = w.place(token)
    w.process(order.order_id)
    (retry,) = w.retries.take()
    outages.start(provider, 0)
    return w, retry


@pytest.mark.parametrize(("provider", "waiting_in"), [("payments", S.PENDING), ("shipping", S.PAID)])
def test_a_retry_carries_the_order_on_from_where_the_outage_left_it(provider: Provider, waiting_in: S) -> None:
    w, retry = waiting_for_retry(provider)
    assert (w.stored(retry.order_id).status, retry.attempt) == (waiting_in, 1)

    final = w.retry(retry)

    assert (final.status, final.attempts, final.reason) == (S.CONFIRMED, 1, None)
    assert w.retries.scheduled == []
    assert w.ledger.count("charge") == 1 and w.ledger.count("shipment") == 1
    assert w.events_for(retry.order_id) == ["OrderConfirmed"]


def test_a_duplicate_message_after_the_order_completed_changes_nothing() -> None:
    w, retry = waiting_for_retry("payments")
    final = w.retry(retry)
    entries = dict(w.ledger.entries)

    assert w.retry(retry) == final
    assert w.retry(retry.model_copy(update={"redelivered": True})) == final
    assert (w.ledger.entries, w.retries.scheduled) == (entries, [])


def test_a_message_for_an_attempt_the_order_moved_past_calls_no_provider() -> None:
    w, retry = waiting_for_retry("payments")
    ProviderOutages(w.ledger, check_every_s=0).start("payments", 60)
    w.process(retry.order_id)  # a reconcile touch's record ran attempt 2 meanwhile
    (second,) = w.retries.take()
    injector = Injector({})

    stale = w.retry(retry, intercept_ports(w.deps, before=injector))

    assert injector.calls == ["get"]
    assert (stale.attempts, second.attempt) == (2, 2)
    assert w.retries.scheduled == [], "only the message for attempt 2 may carry the order on"


def test_a_redelivered_message_sends_the_retry_its_failed_handling_may_have_lost() -> None:
    """The handling stored attempt 2, then died before sending its retry: the message for
    attempt 1 comes back (received twice) and sends the retry for attempt 2, and nothing else."""
    w, retry = waiting_for_retry("payments")
    ProviderOutages(w.ledger, check_every_s=0).start("payments", 60)
    w.retry(retry)
    w.retries.take()  # the send that was lost
    injector = Injector({})

    w.retry(retry.model_copy(update={"redelivered": True}), intercept_ports(w.deps, before=injector))

    assert injector.calls == ["get", "schedule"], "no provider call, no write"
    assert [(r.attempt, delay >= 0) for r, delay in w.retries.scheduled] == [(2, True)]


def test_a_retry_for_an_order_that_does_not_exist_is_a_poison_message() -> None:
    w, _ = waiting_for_retry("payments")

    with pytest.raises(UnprocessableRecord):
        w.retry(RetryOrder(order_id="01KB0Z6R8XQ3M4N5P6Q7R8S9T0", attempt=1))


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_cancel_while_the_order_waits_for_its_retry_settles_it_once(provider: Provider) -> None:
    """A waiting PENDING order can be cancelled (the retry then charges nothing); a PAID
    one cannot, and the retry ships it."""
    w, retry = waiting_for_retry(provider)
    cancel = Cancel(w, retry.order_id)
    cancel.read()
    cancel.write()

    final = w.retry(retry)

    assert (cancel.won, final.status) == ((True, S.CANCELLED) if provider == "payments" else (False, S.CONFIRMED))
    assert_settled(w, final)
    assert w.charge(retry.order_id) is None or provider == "shipping"


def retry_steps(provider: Provider) -> int:
    w, retry = waiting_for_retry(provider)
    injector = Injector({})
    w.retry(retry, intercept_ports(w.deps, before=injector))
    return len(injector.calls)


@pytest.mark.parametrize(
    ("provider", "read_at", "write_at"),
    [
        (provider, read_at, write_at)
        for provider in PROVIDERS
        for read_at in range(retry_steps(provider) + 1)
        for write_at in range(read_at, retry_steps(provider) + 1)
    ],
)
def test_a_cancel_racing_a_retry_at_any_step_settles_in_one_final_state(
    provider: Provider, read_at: int, write_at: int
) -> None:
    w, retry = waiting_for_retry(provider)
    cancel = Cancel(w, retry.order_id)
    injector = Injector({read_at: [cancel.read]})
    injector.actions.setdefault(write_at, []).append(cancel.write)

    w.retry(retry, intercept_ports(w.deps, before=injector))
    injector.run_remaining()
    final = w.stored(retry.order_id)

    assert_settled(w, final)
    assert cancel.won is (final.status is S.CANCELLED)
    assert w.run_retries() == 0 or w.stored(retry.order_id) == final
