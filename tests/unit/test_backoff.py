"""The retry schedule: exponential backoff with full jitter, within a budget and a horizon."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from chalicelib.domain.clock import from_iso
from chalicelib.service_layer.backoff import SQS_MAX_DELAY_S, RetrySchedule
from tests.unit.builders import AT, an_order

CREATED = from_iso(AT)


def test_the_ceiling_doubles_from_the_base_and_stops_at_sqs_limit() -> None:
    schedule = RetrySchedule(base_delay_s=2)

    assert [schedule.ceiling(attempt) for attempt in range(1, 12)] == [
        2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900,
    ]  # fmt: skip
    assert SQS_MAX_DELAY_S == 900


@pytest.mark.parametrize("attempt", range(1, 20))
def test_full_jitter_draws_between_zero_and_the_ceiling(attempt: int) -> None:
    order = an_order()
    low = RetrySchedule(jitter=lambda: 0.0, horizon_s=10**6, max_attempts=50)
    high = RetrySchedule(jitter=lambda: 0.999999, horizon_s=10**6, max_attempts=50)

    assert low.next_delay(order, attempt, CREATED) == 0
    assert high.next_delay(order, attempt, CREATED) == int(high.ceiling(attempt) * 0.999999)
    assert 0 <= high.next_delay(order, attempt, CREATED) <= 900  # type: ignore[operator]


def test_jittered_delays_spread_out_instead_of_arriving_together() -> None:
    rng = random.Random(7)
    schedule = RetrySchedule(jitter=rng.random, horizon_s=10**6, max_attempts=50)
    delays = [schedule.next_delay(an_order(), 8, CREATED) for _ in range(1000)]

    assert len(set(delays)) > 200, "a thousand orders failed together must not retry together"
    assert min(delays) < 26 and max(delays) > 230  # type: ignore[type-var,operator]


def test_the_first_delays_are_seconds_and_later_ones_minutes() -> None:
    schedule = RetrySchedule(jitter=lambda: 0.5)
    order = an_order()

    assert schedule.next_delay(order, 1, CREATED) == 1
    assert schedule.next_delay(order, 3, CREATED) == 4
    assert schedule.next_delay(order, 10, CREATED) == 450


def test_the_budget_of_attempts_ends_the_retries() -> None:
    schedule = RetrySchedule(max_attempts=3, jitter=lambda: 0.5)
    order = an_order()

    assert schedule.next_delay(order, 2, CREATED) is not None
    assert schedule.next_delay(order, 3, CREATED) is None
    assert schedule.spent(order, CREATED, attempts=3)
    assert not schedule.spent(order, CREATED)


def test_the_horizon_ends_the_retries_and_the_last_one_lands_on_it() -> None:
    schedule = RetrySchedule(horizon_s=3600, max_attempts=100, jitter=lambda: 0.999)
    order = an_order()
    near_the_end = CREATED + timedelta(seconds=3500)

    assert schedule.next_delay(order, 12, near_the_end) == 100, "not 899: it would land past the horizon"
    assert schedule.next_delay(order, 12, CREATED + timedelta(seconds=3600)) is None
    assert schedule.spent(order, CREATED + timedelta(seconds=3601))


def test_the_default_schedule_rides_out_an_hour_long_outage_on_average() -> None:
    """16 attempts with half the ceiling each (the mean of full jitter) last past 40 minutes."""
    schedule = RetrySchedule()
    mean_total = sum(schedule.ceiling(attempt) / 2 for attempt in range(1, schedule.max_attempts))

    assert 40 * 60 < mean_total < schedule.horizon_s + 900
