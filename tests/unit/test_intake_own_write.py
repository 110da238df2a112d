"""A keyed create whose answer was lost: the retry finds the key holding this very
order. That is our own first write, answered as a plain create, not a replay; another
request's earlier order under the key still is one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib import bootstrap
from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.domain.models import Order
from chalicelib.exceptions import IdempotencyKeyTaken
from chalicelib.service_layer import intake
from chalicelib.service_layer.ports import IdempotencyRecord
from tests.unit.intake_doubles import place


class CommitsThenLosesTheAnswer(InMemoryOrderRepository):
    """The write commits, then the client sees the key taken (its retry met its own write)."""

    def add(self, order: Order, idempotency: IdempotencyRecord | None = None) -> None:
        super().add(order, idempotency)
        raise IdempotencyKeyTaken(order.order_id)


def test_our_own_committed_write_is_answered_as_a_first_create(deps: intake.IntakeDeps) -> None:
    own = CommitsThenLosesTheAnswer()
    placed = intake.place_order(
        place(key="k-1"), intake.IntakeDeps(own, deps.publisher, deps.clock, deps.idempotency_ttl)
    )

    assert not placed.replayed
    assert list(own.orders) == [placed.order.order_id]


def test_another_requests_earlier_order_under_the_key_is_a_replay(deps: intake.IntakeDeps) -> None:
    first = intake.place_order(place(key="k-1"), deps)
    again = intake.place_order(place(key="k-1"), deps)
    assert again.replayed and again.order == first.order


def test_the_container_gives_the_service_and_the_repository_one_clock() -> None:
    """A fake clock far in the past: a key it wrote is live by it, though long expired by
    the machine's clock, so the second request replays instead of creating an order."""
    past = datetime(2001, 1, 1, tzinfo=UTC)
    container = bootstrap.in_memory_container(clock=lambda: past)
    first = intake.place_order(place(key="k-1"), container.intake)
    again = intake.place_order(place(key="k-1"), container.intake)

    assert again.replayed and again.order.order_id == first.order.order_id
    assert container.intake.clock() == past and first.order.created_at.startswith("2001-01-01")
    assert timedelta(hours=24) == container.intake.idempotency_ttl
