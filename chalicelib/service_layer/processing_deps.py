"""What processing needs from the outside world, wired by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.service_layer.backoff import RetrySchedule
from chalicelib.service_layer.payments import OrderPayments
from chalicelib.service_layer.ports import (
    EventPublisher,
    OrderRepository,
    PaymentGateway,
    RetryQueue,
    ShippingGateway,
)
from chalicelib.service_layer.retry import RetryPolicy


@dataclass(frozen=True)
class ProcessingDeps:
    repository: OrderRepository
    payments: PaymentGateway
    shipping: ShippingGateway
    publisher: EventPublisher
    clock: Callable[[], datetime]
    retry: RetryPolicy  # in process, for blips: milliseconds
    retries: RetryQueue  # across invocations, for outages: seconds to minutes
    schedule: RetrySchedule

    @property
    def money(self) -> OrderPayments:
        return OrderPayments(self.payments, self.retry)

    @property
    def max_attempts(self) -> int:
        return self.schedule.max_attempts
