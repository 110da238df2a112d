"""What `make demo` knows about the processor's retries: an order whose provider stays
down is retried from the retry queue with backoff, for up to MAX_PROCESSING_ATTEMPTS
attempts within RETRY_HORIZON_SECONDS of its creation, and only then ends FAILED. With
the app's defaults (16 attempts, one hour) that outlasts the demo, so the demo shows such
an order as retrying, once the queue has retried it, instead of waiting an hour; with a
short schedule (as the tests give their stacks) it waits for the FAILED."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devstack.tokens import NoStack, default_state_dir, stack_state

if TYPE_CHECKING:
    from devstack.demo_view import DemoOrder

SHOWN_AFTER_ATTEMPTS = 2  # the second attempt is the retry queue's first delivery
MARGIN_S = 5.0  # for the last retry and the FAILED write after the horizon


@dataclass(frozen=True)
class Retries:
    max_attempts: int
    horizon_s: int
    known: bool  # read from the running stack, not the app's defaults

    @classmethod
    def of_stack(cls, url: str) -> Retries:
        """The schedule of the stack serving `url` (its stack.json), else the app's defaults."""
        from chalicelib.settings import Settings

        fields = Settings.model_fields
        attempts, horizon = fields["max_processing_attempts"].default, fields["retry_horizon_seconds"].default
        try:
            state = stack_state(default_state_dir())
        except NoStack:
            return cls(attempts, horizon, known=False)
        schedule = state.get("retry_schedule")
        if str(state.get("api_url", "")).rstrip("/") != url.rstrip("/") or not isinstance(schedule, dict):
            return cls(attempts, horizon, known=False)
        return cls(int(schedule["max_processing_attempts"]), int(schedule["retry_horizon_seconds"]), known=True)

    def gives_up_by(self, order: DemoOrder) -> float:
        """The latest time (epoch seconds) the order can still be retrying."""
        return order.created_s + self.horizon_s

    def outlasts(self, order: DemoOrder, deadline: float) -> bool:
        """True if the order has been retried from the queue and can go on retrying past
        `deadline` (epoch seconds): two or more attempts left, and its horizon ends too
        late for its FAILED to come before the deadline."""
        retried = order.attempts >= SHOWN_AFTER_ATTEMPTS and not order.final
        late = self.gives_up_by(order) + MARGIN_S > deadline
        return retried and order.attempts < self.max_attempts - 1 and late

    def note(self, order: DemoOrder) -> str:
        ends = time.strftime("%H:%M:%S", time.localtime(self.gives_up_by(order)))
        limit = f"up to {self.max_attempts} or until {ends}"
        return f"{order.attempts} attempts so far; retried with backoff {limit}, then FAILED"

    def summary(self, retrying: list[DemoOrder]) -> str:
        where = "the stack's" if self.known else "the app's default"
        return (
            f"demo: {len(retrying)} order(s) still retrying because their provider stays down; by {where} schedule "
            f"(MAX_PROCESSING_ATTEMPTS={self.max_attempts}, RETRY_HORIZON_SECONDS={self.horizon_s}) each ends "
            "FAILED after that many attempts or seconds from its creation, or CONFIRMED if the provider comes back"
        )
