"""Bounded exponential backoff with full jitter for transient provider errors."""

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


def call_with_retry[T](action: Callable[[], T], policy: RetryPolicy) -> T:
    """Run `action`, retrying GatewayUnavailable up to the policy's attempts."""
    for attempt in range(policy.attempts - 1):
        try:
            return action()
        except GatewayUnavailable:
            policy.sleep(policy.delay(attempt))
    return action()
