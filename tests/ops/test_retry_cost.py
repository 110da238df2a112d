"""The retry queue in the cost model: each retry is a send plus its share of the mapping's
receive and delete; no order is retried outside an outage; the mapping's pollers bill
their empty long polls every month, traffic or not."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chalicelib.resources import load_resources
from chalicelib.settings import Settings
from ops import capacity as cap
from ops import retries
from ops.cost import main, monthly_cost
from ops.prices import load_prices
from ops.retries import RETRY_ITEMS, RetryProfile

PROFILE = cap.WorkloadProfile(order_item_kib=1.5)
PRICES = load_prices()
ORDERS = 86_400 * 30.4  # a month at one order a second
SQS_USD = 0.40 / 1e6
RETRIES, IDLE = RETRY_ITEMS


def lines(orders_per_second: float, retry: RetryProfile | None = None) -> dict[str, float]:
    cost = monthly_cost(orders_per_second, PROFILE, PRICES, alarms=False, retries=retry)
    return {line.item: line.usd for line in cost.lines}


def test_a_retry_is_a_send_a_receive_and_a_delete_when_each_receive_brings_one_message() -> None:
    outage = RetryProfile(retried_order_share=0.01)
    assert retries.requests_per_retry(outage) == 3
    assert lines(1, outage)[RETRIES] == pytest.approx(ORDERS * 0.01 * 15 * 3 * SQS_USD)


def test_a_full_batch_shares_its_receive_and_delete_among_ten_messages() -> None:
    backlog = RetryProfile(retried_order_share=0.01, messages_per_receive=10)
    assert retries.requests_per_retry(backlog) == pytest.approx(1.2)
    assert lines(1, backlog)[RETRIES] == pytest.approx(ORDERS * 0.01 * 15 * 1.2 * SQS_USD)


def test_a_message_past_64_kb_sends_as_two_requests() -> None:
    assert retries.requests_per_retry(RetryProfile(message_kib=65.0)) == 2 + 2


def test_retries_cost_nothing_outside_an_outage_and_scale_with_the_share_retried() -> None:
    assert lines(100)[RETRIES] == 0.0
    cheap, dear = lines(100, RetryProfile(retried_order_share=0.001)), lines(100, RetryProfile(retried_order_share=0.1))
    assert dear[RETRIES] == pytest.approx(100 * cheap[RETRIES])
    normal = monthly_cost(100, PROFILE, PRICES, alarms=True).total_usd
    outage = monthly_cost(100, PROFILE, PRICES, alarms=True, retries=RetryProfile(retried_order_share=0.1)).total_usd
    assert outage - normal == pytest.approx(100 * ORDERS * 0.1 * 15 * 3 * SQS_USD)


def test_the_pollers_long_polls_are_a_fixed_monthly_cost() -> None:
    polls = 5 * ORDERS / 20  # five pollers, one 20 s long poll after another, all month
    assert lines(0)[IDLE] == lines(100)[IDLE] == pytest.approx(polls * SQS_USD) == pytest.approx(0.262656)
    assert lines(0)[IDLE] == pytest.approx(2 * lines(0, RetryProfile(idle_pollers=2.5))[IDLE])


def test_the_defaults_follow_the_settings_and_resources_json() -> None:
    spec = load_resources().retry_queue
    assert RetryProfile().retries_per_retried_order == Settings.model_fields["max_processing_attempts"].default - 1
    assert PROFILE.retry_concurrency == spec.maximum_concurrency
    with pytest.raises(ValueError, match="messages_per_receive"):
        RetryProfile(messages_per_receive=spec.batch_size + 1)
    with pytest.raises(ValueError, match="retried_order_share"):
        RetryProfile(retried_order_share=1.5)


def test_the_retry_queue_drains_at_its_cap_after_an_outage() -> None:
    capped = cap.capacity(10, PROFILE)
    uncapped = cap.capacity(10, replace(PROFILE, retry_concurrency=0))
    (with_retries, without) = (
        next(check.needed for check in found.checks if check.resource.endswith("backlog catch-up"))
        for found in (capped, uncapped)
    )
    assert with_retries - without == 5


def test_cli_shows_the_retry_queue_and_takes_the_share_retried(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--rps", "1"]) == 0
    out = capsys.readouterr().out
    assert "Retry queue: $0.26 a month of idle long polls" in out
    assert "retries $0.00 at 0% of orders retried" in out and "add $18.00 (3 requests a retry)" in out
    assert main(["--rps", "1", "--retried-share", "0.5", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["inputs"]["retries"]["retried_order_share"] == 0.5
    assert document["cost"]["retry_queue_usd"] == pytest.approx(ORDERS * 0.5 * 15 * 3 * SQS_USD + 0.262656)
    with pytest.raises(SystemExit):
        main(["--rps", "1", "--retried-share", "2"])
