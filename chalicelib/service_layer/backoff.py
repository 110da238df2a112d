"""When to try a placed order again after its provider stayed down: exponential backoff
with full jitter, within an attempt budget and a horizon counted from the order's
creation. SQS holds a message back for at most 15 minutes, so no delay is longer."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain.clock import from_iso
from chalicelib.domain.models import Order

SQS_MAX_DELAY_S = 900


@dataclass(frozen=True)
class RetrySchedule:
    max_attempts: int = 16
    base_delay_s: float = 2.0
    horizon_s: int = 3600
    max_delay_s: int = SQS_MAX_DELAY_S
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def ceiling(self, attempt: int) -> float:
        """The longest wait after failed attempt `attempt` (1, 2, ...): base * 2^(attempt-1), capped."""
        return float(min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))

    def spent(self, order: Order, now: datetime, attempts: int | None = None) -> bool:
        """True once `attempts` (default: the order's) fill the budget or the horizon has passed."""
        used = order.attempts if attempts is None else attempts
        return used >= self.max_attempts or self._age_s(order, now) >= self.horizon_s

    def next_delay(self, order: Order, attempts: int, now: datetime) -> int | None:
        """Whole seconds to wait before attempt `attempts + 1`, or None when the order
        must give up. Full jitter: uniform between 0 and the ceiling, so retries of many
        orders failed by one outage spread out instead of arriving together. A retry
        never lands past the horizon: the last one falls on it."""
        if self.spent(order, now, attempts):
            return None
        remaining = self.horizon_s - self._age_s(order, now)
        delay = min(self.ceiling(attempts) * self.jitter(), remaining, self.max_delay_s)
        return max(0, int(delay))

    @staticmethod
    def _age_s(order: Order, now: datetime) -> float:
        return (now - from_iso(order.created_at)).total_seconds()
