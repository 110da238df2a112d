"""The simulator's outage switch: every call of the provider fails while it is on, for
every token, and each process reads the switch at most once per interval."""

from __future__ import annotations

import pytest

from chalicelib.adapters.ledger import InMemoryLedger
from chalicelib.adapters.provider_outages import ProviderOutages
from chalicelib.adapters.simulator import SimulatedPaymentGateway, SimulatedShippingGateway
from chalicelib.domain.models import OrderLine
from chalicelib.exceptions import GatewayUnavailable
from tests.unit.test_simulator import address

LINES = (OrderLine(sku="SKU-1", quantity=1, unit_price=100),)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class CountingLedger(InMemoryLedger):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, kind: str, key: str) -> dict[str, str] | None:
        self.reads += kind == "outage"
        return super().get(kind, key)


@pytest.mark.parametrize("token", ["tok_visa", "tok_decline", "tok_flaky", "tok_anything"])
def test_a_payments_outage_fails_every_call_for_every_token_until_it_ends(token: str) -> None:
    clock, ledger = Clock(), InMemoryLedger()
    outages = ProviderOutages(ledger, clock, check_every_s=0)
    payments = SimulatedPaymentGateway(ledger, outages=outages)
    outages.start("payments", 60)

    with pytest.raises(GatewayUnavailable, match="outage"):
        payments.charge(idempotency_key="k", token=token, amount=1, currency="EUR")
    with pytest.raises(GatewayUnavailable):
        payments.find_charge(idempotency_key="k")
    with pytest.raises(GatewayUnavailable):
        payments.refund(idempotency_key="r", payment_id="p", amount=1)
    assert ledger.count("charge") == 0

    clock.now += 60
    assert not outages.is_down("payments")
    assert payments.find_charge(idempotency_key="k") is None


def test_an_outage_of_one_provider_leaves_the_other_up() -> None:
    ledger = InMemoryLedger()
    outages = ProviderOutages(ledger, check_every_s=0)
    outages.start("shipping", 60)
    shipping = SimulatedShippingGateway(ledger, outages=outages)
    payments = SimulatedPaymentGateway(ledger, outages=outages)

    assert payments.charge(idempotency_key="k", token="tok_visa", amount=1, currency="EUR").amount == 1
    with pytest.raises(GatewayUnavailable, match="shipping"):
        shipping.create_shipment(idempotency_key="s", address=address("GB"), items=LINES)


def test_every_process_sees_the_switch_through_the_ledger_within_its_interval() -> None:
    clock, ledger = Clock(), CountingLedger()
    operator, worker = ProviderOutages(ledger, clock), ProviderOutages(ledger, clock, check_every_s=1.0)
    assert not worker.is_down("payments")

    operator.start("payments", 30)
    assert not worker.is_down("payments"), "read less than a second ago"
    clock.now += 1.0
    assert worker.is_down("payments")
    for _ in range(100):
        worker.is_down("payments")
    assert ledger.reads == 2, "one read per interval, however busy the process"

    operator.start("payments", 0)
    clock.now += 1.0
    assert not worker.is_down("payments"), "SECONDS=0 ends it"
