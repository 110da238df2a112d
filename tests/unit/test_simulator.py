"""The simulator's public contract: deterministic test tokens, idempotent by key like a
real provider, with its books in a ledger that outlives any one gateway instance."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.adapters.ledger import DynamoDBLedger, InMemoryLedger
from chalicelib.adapters.simulator import SimulatedPaymentGateway, SimulatedShippingGateway
from chalicelib.domain.models import OrderLine, ShippingAddress
from chalicelib.exceptions import GatewayUnavailable, PaymentDeclined, ShippingRefused
from chalicelib.service_layer.ports import Ledger
from tests.conftest import TABLE_NAME
from tests.unit.processing_doubles import SleepRecorder

ITEMS = (OrderLine(sku="SKU-1", quantity=1, unit_price=500),)


def address(country: str) -> ShippingAddress:
    return ShippingAddress(name="Ada", line1="1 Main St", city="Town", postal_code="1000", country=country)


@pytest.fixture(params=["memory", "dynamodb"])
def ledger(request: pytest.FixtureRequest) -> Ledger:
    if request.param == "memory":
        return InMemoryLedger()
    request.getfixturevalue("stream_arn")  # creates the table in moto
    return DynamoDBLedger(request.getfixturevalue("dynamodb"), TABLE_NAME, ttl_seconds=3600)


def charge(gateway: SimulatedPaymentGateway, key: str, token: str = "tok_visa", amount: int = 500) -> Any:
    return gateway.charge(idempotency_key=key, token=token, amount=amount, currency="EUR")


def test_the_same_key_returns_the_same_charge_even_from_a_new_gateway(ledger: Ledger) -> None:
    first = charge(SimulatedPaymentGateway(ledger), "charge-A")

    again = charge(SimulatedPaymentGateway(ledger), "charge-A", amount=999)  # a restart, a different amount

    assert again == first
    assert (first.amount, first.currency) == (500, "EUR")
    assert ledger.count("charge") == 1
    assert SimulatedPaymentGateway(ledger).find_charge(idempotency_key="charge-A") == first


class CountingLedger(InMemoryLedger):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, kind: str, key: str) -> dict[str, str] | None:
        self.reads += 1
        return super().get(kind, key)


def test_an_approving_card_is_charged_with_one_write_and_no_read() -> None:
    ledger = CountingLedger()
    gateway = SimulatedPaymentGateway(ledger)

    first, again = charge(gateway, "charge-A"), charge(gateway, "charge-A", amount=999)

    assert again == first
    assert (ledger.reads, ledger.count("charge")) == (0, 1)


@pytest.mark.parametrize("token", ["tok_decline", "tok_flaky", "tok_down", "tok_unknown"])
def test_a_charged_key_stays_charged_whatever_card_comes_next(token: str) -> None:
    gateway = SimulatedPaymentGateway(InMemoryLedger())
    first = charge(gateway, "charge-A")

    assert charge(gateway, "charge-A", token) == first


def test_charges_are_deterministic_from_their_key() -> None:
    one, other = SimulatedPaymentGateway(InMemoryLedger()), SimulatedPaymentGateway(InMemoryLedger())

    assert charge(one, "charge-A").payment_id == charge(other, "charge-A").payment_id
    assert charge(one, "charge-A").payment_id != charge(one, "charge-B").payment_id


def test_a_flaky_token_fails_exactly_twice_per_key_then_approves(ledger: Ledger) -> None:
    gateways = [SimulatedPaymentGateway(ledger), SimulatedPaymentGateway(ledger)]  # the count survives restarts
    for key in ("charge-A", "charge-B"):
        for gateway in gateways:
            with pytest.raises(GatewayUnavailable):
                charge(gateway, key, "tok_flaky")
        approved = charge(gateways[0], key, "tok_flaky")
        assert [charge(gateway, key, "tok_flaky") for gateway in gateways] == [approved, approved]
    assert ledger.count("charge") == 2


def test_a_down_token_is_always_unavailable_and_never_charges(ledger: Ledger) -> None:
    gateway = SimulatedPaymentGateway(ledger)

    for _ in range(5):
        with pytest.raises(GatewayUnavailable):
            charge(gateway, "charge-A", "tok_down")
    assert gateway.find_charge(idempotency_key="charge-A") is None
    assert ledger.count("charge") == 0


@pytest.mark.parametrize(("token", "reason"), [("tok_decline", "declined"), ("tok_amex", "unknown")])
def test_declined_and_unknown_tokens_are_declined_without_a_charge(token: str, reason: str) -> None:
    ledger = InMemoryLedger()

    with pytest.raises(PaymentDeclined, match=reason):
        charge(SimulatedPaymentGateway(ledger), "charge-A", token)
    assert ledger.count("charge") == 0


def test_a_refund_is_idempotent_by_key(ledger: Ledger) -> None:
    gateway = SimulatedPaymentGateway(ledger)
    paid = charge(gateway, "charge-A")

    refund = gateway.refund(idempotency_key="refund-A", payment_id=paid.payment_id, amount=500)
    again = SimulatedPaymentGateway(ledger).refund(idempotency_key="refund-A", payment_id="pay_other", amount=1)

    assert again == refund
    assert (refund.payment_id, refund.amount) == (paid.payment_id, 500)
    assert ledger.count("refund") == 1


def test_antarctica_is_refused_and_records_no_shipment(ledger: Ledger) -> None:
    with pytest.raises(ShippingRefused, match="AQ"):
        SimulatedShippingGateway(ledger).create_shipment(idempotency_key="ship-A", address=address("AQ"), items=ITEMS)
    assert ledger.count("shipment") == 0


@pytest.mark.parametrize("country", ["GB", "US", "JP", "BR"])
def test_every_other_country_ships_once_per_key(country: str) -> None:
    ledger = InMemoryLedger()
    first = SimulatedShippingGateway(ledger).create_shipment(
        idempotency_key="ship-A", address=address(country), items=ITEMS
    )
    again = SimulatedShippingGateway(ledger).create_shipment(
        idempotency_key="ship-A", address=address(country), items=ITEMS
    )
    other = SimulatedShippingGateway(ledger).create_shipment(
        idempotency_key="ship-B", address=address(country), items=ITEMS
    )

    assert again == first != other
    assert first.tracking_number
    assert ledger.count("shipment") == 2


def test_latency_is_spent_on_every_provider_call() -> None:
    sleep = SleepRecorder()
    ledger = InMemoryLedger()
    payments = SimulatedPaymentGateway(ledger, latency_s=0.25, sleep=sleep)
    shipping = SimulatedShippingGateway(ledger, latency_s=0.4, sleep=sleep)

    paid = charge(payments, "charge-A")
    payments.find_charge(idempotency_key="charge-A")
    payments.refund(idempotency_key="refund-A", payment_id=paid.payment_id, amount=500)
    shipping.create_shipment(idempotency_key="ship-A", address=address("GB"), items=ITEMS)
    with pytest.raises(PaymentDeclined):
        charge(payments, "charge-B", "tok_decline")

    assert sleep.delays == [0.25, 0.25, 0.25, 0.4, 0.25]


def test_no_latency_means_no_sleep() -> None:
    sleep = SleepRecorder()
    payments = SimulatedPaymentGateway(InMemoryLedger(), latency_s=0.0, sleep=sleep)

    charge(payments, "charge-A")
    assert sleep.delays == []
