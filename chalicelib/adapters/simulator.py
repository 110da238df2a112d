"""Simulated payment and shipping providers, deterministic from their inputs in the
spirit of payment providers' test cards. They are real adapters of the gateway ports:
idempotent by key, with their books kept in a Ledger that survives restarts.

Payment tokens: tok_visa approves, tok_decline declines, tok_flaky fails transiently
twice per order and then approves, tok_down is always unavailable; any other token is
declined as unknown. Shipping to AQ is refused; every other country ships.
While an outage is switched on (adapters/provider_outages.py, `make outage`), the
provider is unavailable for every call and every token.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from chalicelib.adapters.provider_outages import Provider, ProviderOutages
from chalicelib.domain.models import OrderLine, ShippingAddress
from chalicelib.exceptions import GatewayUnavailable, PaymentDeclined, ShippingRefused
from chalicelib.service_layer.ports import Charge, Ledger, Refund, Shipment

APPROVE, DECLINE, FLAKY, DOWN = "tok_visa", "tok_decline", "tok_flaky", "tok_down"
FLAKY_FAILURES = 2
REFUSED_COUNTRIES = frozenset({"AQ"})


def _reference(prefix: str, key: str) -> str:
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _charge_from(entry: dict[str, str]) -> Charge:
    return Charge(entry["payment_id"], int(entry["amount"]), entry["currency"])


class _Latency:
    """The provider's answer time, and its outages."""

    def __init__(
        self, latency_s: float, sleep: Callable[[float], None], outages: ProviderOutages | None, provider: Provider
    ) -> None:
        self._latency_s = latency_s
        self._sleep = sleep
        self._outages = outages
        self._provider = provider

    def pause(self) -> None:
        if self._latency_s > 0:
            self._sleep(self._latency_s)
        if self._outages is not None and self._outages.is_down(self._provider):
            raise GatewayUnavailable(f"{self._provider} provider unavailable (outage)")


class _Simulated:
    """A simulated provider: its books in the ledger, its answer time and its outages."""

    provider: Provider

    def __init__(
        self,
        ledger: Ledger,
        latency_s: float = 0.0,
        sleep: Callable[[float], None] = time.sleep,
        outages: ProviderOutages | None = None,
    ) -> None:
        self._ledger = ledger
        self._latency = _Latency(latency_s, sleep, outages, self.provider)


class SimulatedPaymentGateway(_Simulated):
    provider: Provider = "payments"

    def charge(self, *, idempotency_key: str, token: str, amount: int, currency: str) -> Charge:
        self._latency.pause()
        if token != APPROVE:
            # Only a card that can fail decides per attempt, so it must first know whether
            # this key is charged already; an approving card goes straight to the write,
            # which returns the first charge on a repeat.
            existing = self._ledger.get("charge", idempotency_key)
            if existing is not None:
                return _charge_from(existing)
            self._decide(idempotency_key, token)
        entry = {"payment_id": _reference("pay", idempotency_key), "amount": str(amount), "currency": currency}
        return _charge_from(self._ledger.record_once("charge", idempotency_key, entry))

    def _decide(self, idempotency_key: str, token: str) -> None:
        if token == DOWN:
            raise GatewayUnavailable("payment provider unavailable")
        if token == FLAKY and self._ledger.increment("flaky", idempotency_key) <= FLAKY_FAILURES:
            raise GatewayUnavailable("payment provider timed out")
        if token == DECLINE:
            raise PaymentDeclined("card declined")
        if token not in (APPROVE, FLAKY):
            raise PaymentDeclined("unknown payment token")  # never echo it: reasons are shown and published

    def find_charge(self, *, idempotency_key: str) -> Charge | None:
        self._latency.pause()
        found = self._ledger.get("charge", idempotency_key)
        return _charge_from(found) if found else None

    def refund(self, *, idempotency_key: str, payment_id: str, amount: int) -> Refund:
        self._latency.pause()
        entry = {"refund_id": _reference("re", idempotency_key), "payment_id": payment_id, "amount": str(amount)}
        stored = self._ledger.record_once("refund", idempotency_key, entry)
        return Refund(stored["refund_id"], stored["payment_id"], int(stored["amount"]))


class SimulatedShippingGateway(_Simulated):
    provider: Provider = "shipping"

    def create_shipment(
        self, *, idempotency_key: str, address: ShippingAddress, items: tuple[OrderLine, ...]
    ) -> Shipment:
        self._latency.pause()
        if address.country in REFUSED_COUNTRIES:
            raise ShippingRefused(f"no carrier ships to {address.country}")
        entry = {"tracking_number": _reference("trk", idempotency_key).upper()}
        stored = self._ledger.record_once("shipment", idempotency_key, entry)
        return Shipment(stored["tracking_number"])
