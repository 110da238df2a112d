"""Bounded exponential backoff with full jitter for transient provider errors, in
process: for blips of milliseconds. Outages go to the retry queue (backoff.py)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from chalicelib.exceptions import GatewayUnavailable


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay_s: float = 0.05
    max_delay_s: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay_s, self.base_delay_s * 2**attempt) * self.jitter())


@dataclass
class ProviderHealth:
    """One provider, as this process has seen it lately. After `threshold` transient
    failures in a row it is taken to be down: each call is then tried once, without
    waiting in process, so a record hands its order to the retry queue at once instead
    of holding the shard for the waits. Every call is still a real try, so no attempt
    is spent untried, and the first answer takes it back up."""

    threshold: int = 5
    failures_in_a_row: int = 0

    @property
    def down(self) -> bool:
        return self.failures_in_a_row >= self.threshold

    def failed(self) -> None:
        self.failures_in_a_row += 1

    def answered(self) -> None:
        self.failures_in_a_row = 0


def call_with_retry[T](action: Callable[[], T], policy: RetryPolicy, health: ProviderHealth | None = None) -> T:
    """Run `action`, retrying GatewayUnavailable up to the policy's attempts (once, while
    `health` says the provider is down)."""
    health = health if health is not None else ProviderHealth()  # no history: a fresh one
    attempts = 1 if health.down else policy.attempts
    for attempt in range(attempts):
        try:
            result = action()
        except GatewayUnavailable:
            health.failed()
            if attempt == attempts - 1:
                raise
            policy.sleep(policy.delay(attempt))
            continue
        except Exception:
            health.answered()  # a decline or a refusal: the provider is up
            raise
        health.answered()
        return result
    raise AssertionError("unreachable: the last attempt returns or raises")
