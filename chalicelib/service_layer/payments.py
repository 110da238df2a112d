"""The order's money movements at the payment provider, each under a key derived from the
order, so that a repeated call (a re-delivered record, a second process) charges or
refunds nothing more. Provider errors that are transient are retried in process."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.models import Order
from chalicelib.service_layer.ports import Charge, PaymentGateway
from chalicelib.service_layer.retry import ProviderHealth, RetryPolicy, call_with_retry


def charge_key(order_id: str) -> str:
    return f"charge-{order_id}"


def refund_key(order_id: str) -> str:
    return f"refund-{order_id}"


@dataclass(frozen=True)
class OrderPayments:
    gateway: PaymentGateway
    retry: RetryPolicy
    health: ProviderHealth | None = None

    def charge(self, order: Order) -> Charge:
        """Raise PaymentDeclined, or GatewayUnavailable once the retries are spent."""
        return call_with_retry(
            lambda: self.gateway.charge(
                idempotency_key=charge_key(order.order_id),
                token=order.payment_token,
                amount=order.total,
                currency=order.currency,
            ),
            self.retry,
            self.health,
        )

    def refund(self, order: Order, payment_id: str | None = None) -> str:
        """Refund the order's charge; return the refund id."""
        charged = payment_id or order.payment_id
        assert charged is not None, "refund needs a charge"
        result = call_with_retry(
            lambda: self.gateway.refund(
                idempotency_key=refund_key(order.order_id), payment_id=charged, amount=order.total
            ),
            self.retry,
            self.health,
        )
        return result.refund_id

    def charged_payment_id(self, order_id: str, known: str | None = None) -> str | None:
        """The id of the order's charge: the one we know, else the provider's, asked by
        our key, since a charge whose answer was lost (a timeout) still took the money."""
        if known is not None:
            return known
        charge = call_with_retry(
            lambda: self.gateway.find_charge(idempotency_key=charge_key(order_id)), self.retry, self.health
        )
        return charge.payment_id if charge else None

    def refund_any_charge(self, order: Order) -> str | None:
        """Undo whatever charge the order has, known or not; None if it has none."""
        payment_id = self.charged_payment_id(order.order_id, known=order.payment_id)
        return self.refund(order, payment_id=payment_id) if payment_id else None
