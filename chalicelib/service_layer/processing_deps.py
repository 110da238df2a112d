"""What processing needs from the outside world, wired by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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
from chalicelib.service_layer.retry import ProviderHealth, RetryPolicy


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
    # Per process, so per Lambda instance: how each provider has answered lately.
    payments_health: ProviderHealth = field(default_factory=ProviderHealth)
    shipping_health: ProviderHealth = field(default_factory=ProviderHealth)

    @property
    def money(self) -> OrderPayments:
        return OrderPayments(self.payments, self.retry, self.payments_health)

    @property
    def max_attempts(self) -> int:
        return self.schedule.max_attempts
