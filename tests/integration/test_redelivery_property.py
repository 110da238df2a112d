"""Redelivery property: 100 orders, every stream record delivered two or three times in
shuffled batches, some failing transiently. All orders end final, and the ledger holds
exactly one net charge per confirmed order.

On moto, with records read back from the real stream, for a few fixed seeds; on the
in-memory fakes, whose fake stream carries the same item images, hypothesis explores
many more delivery orders and failure rates."""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chalicelib import bootstrap
from chalicelib.bootstrap import Container
from chalicelib.entrypoints import stream
from chalicelib.service_layer import intake, processing
from chalicelib.service_layer.processing_deps import ProcessingDeps
from chalicelib.settings import Settings
from tests.conftest import TABLE_NAME
from tests.integration import processing_support as moto
from tests.integration.redelivery import (
    PROFILES,
    Books,
    InMemoryRetryMessages,
    Mapping,
    assert_exactly_once_effect,
    chaotic,
)
from tests.unit.fake_stream import streaming_world
from tests.unit.processing_doubles import place_order_command

ORDERS = 100
PATIENT = {"max_processing_attempts": 10, "gateway_retry_base_ms": 0, "retry_base_delay_ms": 0}


@pytest.fixture
def settings() -> Settings:
    """Overrides the shared fixture: enough attempts that only tok_down runs out of them."""
    return Settings(orders_table=TABLE_NAME, **PATIENT)


@pytest.mark.parametrize("seed", [11, 47])
def test_redelivered_records_have_an_exactly_once_effect_on_moto(
    seed: int, moto_container: Container, dynamodb: Any, stream_arn: str, retry_queue_url: str
) -> None:
    rng = random.Random(seed)
    tail = moto.StreamTail(stream_arn)
    orders = {}
    for _ in range(ORDERS):
        profile = rng.choice(PROFILES)
        orders[intake.place_order(place_order_command(*profile), moto_container.intake).order.order_id] = profile
    chaos = chaotic(moto_container.processing, rng, unavailable=0.25, crash=0.03, lost=0.1)
    bootstrap.use_container(replace(moto_container, processing=chaos))
    delivery = Mapping(moto.deliver, rng, retries=moto.QueueTail(retry_queue_url, lost_delete=0.15))

    intake_records = tail.new_records()
    delivery.deliver(intake_records)
    settled = {order_id: moto.stored(moto_container, order_id) for order_id in orders}
    delivery.deliver(tail.new_records())  # processing's own records: all filtered out

    assert len(intake_records) == ORDERS
    assert {order_id: moto.stored(moto_container, order_id) for order_id in orders} == settled
    assert delivery.failed_batches > 0, "the run must include transient failures"
    assert delivery.retry_batches > 0, "the run must include retries through the queue"
    audit = moto.Books(dynamodb)
    books = Books(audit.charge, audit.refund, audit.ledger.count)
    assert_exactly_once_effect(orders, lambda order_id: moto.stored(moto_container, order_id), books)


@hypothesis_settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    unavailable=st.sampled_from([0.0, 0.2, 0.45]),
    crash=st.sampled_from([0.0, 0.05]),
    lost=st.sampled_from([0.0, 0.15]),
)
def test_redelivered_records_have_an_exactly_once_effect_in_memory(
    seed: int, unavailable: float, crash: float, lost: float
) -> None:
    rng = random.Random(seed)
    w, fake = streaming_world(Settings(orders_table="in-memory", **PATIENT))
    orders = {w.place(*profile).order_id: profile for profile in (rng.choice(PROFILES) for _ in range(ORDERS))}
    deps = chaotic(w.deps, rng, unavailable, crash, lost)
    delivery = Mapping(lambda batch: _handle(batch, deps), rng, retries=InMemoryRetryMessages(w.retries, deps))

    intake_records = list(fake.records)
    delivery.deliver(intake_records)
    settled = {order_id: w.stored(order_id) for order_id in orders}
    delivery.deliver(fake.records[len(intake_records) :])  # processing's own records: all filtered out

    assert {order_id: w.stored(order_id) for order_id in orders} == settled
    assert_exactly_once_effect(orders, w.stored, Books(w.charge, w.refund, w.ledger.count))


def _handle(batch: list[Any], deps: ProcessingDeps) -> list[str]:
    response = stream.process_batch(batch, lambda command: processing.process_order(command, deps))
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]
