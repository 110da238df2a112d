"""Bounded exponential backoff with full jitter, for transient provider errors only."""

from __future__ import annotations

import time

import pytest

from chalicelib.exceptions import GatewayUnavailable, PaymentDeclined
from chalicelib.service_layer.retry import ProviderHealth, RetryPolicy, call_with_retry
from tests.unit.processing_doubles import SleepRecorder


class Script:
    """An action that raises the scripted errors in turn, then answers "done"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def policy(attempts: int = 4, jitter: float = 1.0, sleep: SleepRecorder | None = None) -> RetryPolicy:
    return RetryPolicy(
        attempts=attempts, base_delay_s=0.1, max_delay_s=0.5, sleep=sleep or SleepRecorder(), jitter=lambda: jitter
    )


def test_a_first_success_is_returned_without_waiting() -> None:
    sleep = SleepRecorder()
    action = Script()

    assert call_with_retry(action, policy(sleep=sleep)) == "done"
    assert (action.calls, sleep.delays) == (1, [])


def test_transient_errors_are_retried_with_growing_waits() -> None:
    sleep = SleepRecorder()
    action = Script(GatewayUnavailable("1"), GatewayUnavailable("2"))

    assert call_with_retry(action, policy(sleep=sleep)) == "done"
    assert action.calls == 3
    assert sleep.delays == pytest.approx([0.1, 0.2])


def test_retries_are_bounded_and_the_last_error_is_raised() -> None:
    sleep = SleepRecorder()
    action = Script(*(GatewayUnavailable(str(n)) for n in range(10)))

    with pytest.raises(GatewayUnavailable, match=r"^3$"):
        call_with_retry(action, policy(attempts=4, sleep=sleep))
    assert action.calls == 4
    assert sleep.delays == pytest.approx([0.1, 0.2, 0.4])


def test_a_single_attempt_policy_never_retries() -> None:
    action = Script(GatewayUnavailable("down"))

    with pytest.raises(GatewayUnavailable):
        call_with_retry(action, policy(attempts=1))
    assert action.calls == 1


def test_business_errors_are_not_retried() -> None:
    sleep = SleepRecorder()
    action = Script(PaymentDeclined("card declined"))

    with pytest.raises(PaymentDeclined):
        call_with_retry(action, policy(sleep=sleep))
    assert (action.calls, sleep.delays) == (1, [])


def test_the_delay_doubles_per_attempt_up_to_the_cap() -> None:
    steady = policy(jitter=1.0)

    assert [steady.delay(attempt) for attempt in range(6)] == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5, 0.5])


@pytest.mark.parametrize("jitter", [0.0, 0.25, 0.999])
def test_full_jitter_scales_the_capped_delay(jitter: float) -> None:
    jittered = policy(jitter=jitter)

    assert [jittered.delay(attempt) for attempt in range(5)] == pytest.approx(
        [d * jitter for d in (0.1, 0.2, 0.4, 0.5, 0.5)]
    )


def test_the_default_jitter_spreads_delays_between_zero_and_the_cap() -> None:
    default = RetryPolicy(base_delay_s=0.1, max_delay_s=0.5)
    delays = [default.delay(3) for _ in range(200)]

    assert all(0.0 <= delay <= 0.5 for delay in delays)
    assert len(set(delays)) > 100, "delays must be randomised, not fixed"
    assert min(delays) < 0.1 and max(delays) > 0.4


def test_the_default_policy_really_sleeps() -> None:
    assert RetryPolicy().sleep is time.sleep


def test_a_provider_that_keeps_failing_is_tried_once_per_call_without_waiting() -> None:
    """During an outage a record must not hold the shard for the in-process waits."""
    health, sleep = ProviderHealth(threshold=3), SleepRecorder()
    with pytest.raises(GatewayUnavailable):
        call_with_retry(Script(*[GatewayUnavailable("down")] * 4), policy(sleep=sleep), health)
    assert (health.down, len(sleep.delays)) == (True, 3)

    down = Script(GatewayUnavailable("still down"))
    with pytest.raises(GatewayUnavailable):
        call_with_retry(down, policy(sleep=sleep), health)
    assert (down.calls, len(sleep.delays)) == (1, 3), "one real try, no wait"


def test_the_first_answer_takes_the_provider_back_up() -> None:
    health = ProviderHealth(threshold=1, failures_in_a_row=5)
    assert call_with_retry(Script(), policy(), health) == "done"
    assert not health.down

    health.failures_in_a_row = 5
    with pytest.raises(PaymentDeclined):
        call_with_retry(Script(PaymentDeclined("card declined")), policy(), health)
    assert not health.down, "a decline is an answer"


def test_blips_below_the_threshold_are_still_waited_out() -> None:
    health, sleep = ProviderHealth(threshold=5), SleepRecorder()
    assert call_with_retry(Script(GatewayUnavailable("blip"), GatewayUnavailable("blip")), policy(sleep=sleep), health)
    assert (len(sleep.delays), health.failures_in_a_row) == (2, 0)
