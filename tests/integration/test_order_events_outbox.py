"""The outbox on moto, with records read from moto's real stream: every order of a mixed
run yields exactly the events of its history, in order, once de-duplicated by id; a
crash between PutEvents and the checkpoint re-sends the same events with the same ids."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from typing import Any

import pytest

import app
from chalicelib.bootstrap import Container
from chalicelib.domain.events import EVENT_TYPES
from tests.integration.processing_support import StreamTail, deliver, place, sequence_numbers, stored
from tests.support.auth import authorization
from tests.support.event_bus import Received, bus_to_queue
from tests.support.stream_events import Record, lambda_event, read_stream

BUS = "orders-dev-events"  # the Settings default
MIX = [("tok_visa", "GB")] * 4 + [("tok_decline", "GB"), ("tok_flaky", "GB"), ("tok_visa", "AQ"), ("tok_down", "GB")]


@pytest.fixture
def downstream(moto_container: Container) -> Received:
    """The bus, and the example rule's queue that a downstream team would consume."""
    return bus_to_queue(BUS)


def settle(stream_arn: str) -> None:
    """Run the processor over the stream, re-delivering what it reports, until it is done."""
    tail, pending = StreamTail(stream_arn), []
    for _ in range(100):
        batch = pending + tail.new_records()
        if not batch:
            return
        failed = set(deliver(batch))
        pending = [record for record in batch if record["dynamodb"]["SequenceNumber"] in failed]
    raise AssertionError("processing did not settle")


def publish(records: list[Record]) -> list[str]:
    response = app.publish_order_events(lambda_event(records), None)
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def first_of_each(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per order, the events in arrival order with repeats (same event_id) dropped."""
    seen: set[str] = set()
    per_order: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        detail = event["detail"]
        if detail["event_id"] not in seen:
            seen.add(detail["event_id"])
            per_order[detail["order_id"]].append(event)
    return per_order


def expected_names(container: Container, order_id: str) -> list[str]:
    return [EVENT_TYPES[entry.status].model_fields["name"].default for entry in stored(container, order_id).history]


def test_every_order_yields_exactly_the_events_of_its_history_in_order(
    moto_api: Any, moto_container: Container, stream_arn: str, downstream: Any
) -> None:
    orders = [place(moto_api, token, country) for token, country in MIX]
    cancelled = place(moto_api)
    headers = {"Authorization": authorization("cust-42")}
    assert moto_api.http.post(f"/orders/{cancelled}/cancel", headers=headers).status_code == 200
    settle(stream_arn)

    import boto3

    records = read_stream(boto3.client("dynamodbstreams"), stream_arn)
    rng = random.Random(7)
    delivered = [record for record in records for _ in range(rng.randint(1, 2))]  # at least once
    while delivered:
        size = rng.randint(1, 25)
        assert publish(delivered[:size]) == []
        delivered = delivered[size:]

    events = downstream()
    per_order = first_of_each(events)
    for order_id in [*orders, cancelled]:
        names = [event["detail-type"] for event in per_order[order_id]]
        assert names == expected_names(moto_container, order_id), order_id
        versions = [event["detail"]["version"] for event in per_order[order_id]]
        assert versions == sorted(versions)
    assert {event["source"] for event in events} == {"orders"}
    assert all("payment_token" not in json.dumps(event) and "tok_" not in json.dumps(event) for event in events)


def test_a_crash_after_put_events_re_sends_the_same_ids(
    moto_api: Any, moto_container: Container, stream_arn: str, downstream: Any
) -> None:
    order_id = place(moto_api)
    settle(stream_arn)
    import boto3

    records = read_stream(boto3.client("dynamodbstreams"), stream_arn)
    assert publish(records) == []  # sent, then the function died before Lambda checkpointed
    first = downstream()
    assert publish(records) == []  # Lambda hands the same batch again
    second = downstream()

    ids = [event["detail"]["event_id"] for event in first]
    assert ids == [event["detail"]["event_id"] for event in second]
    assert [e["detail-type"] for e in first_of_each(first + second)[order_id]] == expected_names(
        moto_container, order_id
    )
    assert sequence_numbers(records)
