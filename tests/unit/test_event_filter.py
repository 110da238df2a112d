"""Lambda filter-pattern semantics, and the real pattern from resources.json applied to the
records the service's own writes produce (images built by the real item layout)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from chalicelib.domain import state_machine
from chalicelib.domain.commands import CancelOrder
from chalicelib.entrypoints.stream import needs_processing
from chalicelib.event_filter import matches
from chalicelib.resources import RESOURCES_FILE
from chalicelib.service_layer import intake
from tests.unit.fake_stream import Record, streaming_world
from tests.unit.processing_doubles import place_order_command

PATTERN: dict[str, Any] = json.loads(RESOURCES_FILE.read_text())["stream_mapping"]["filter_pattern"]


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({}, {"anything": 1}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "INSERT"}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "REMOVE"}, False),
        ({"eventName": ["INSERT"]}, {}, False),
        ({"eventName": ["INSERT", "MODIFY"]}, {"eventName": "MODIFY"}, True),
        ({"n": ["1"]}, {"n": 1}, False),
        ({"a": ["x"], "b": ["y"]}, {"a": "x", "b": "y"}, True),
        ({"a": ["x"], "b": ["y"]}, {"a": "x", "b": "z"}, False),
        ({"a": {"b": ["x"]}}, {"a": {"b": "x", "c": "ignored"}}, True),
        ({"a": {"b": ["x"]}}, {"a": "x"}, False),
        ({"a": {"b": ["x"]}}, {}, False),
        ({"a": [{"exists": True}]}, {"a": "whatever"}, True),
        ({"a": [{"exists": True}]}, {"b": "x"}, False),
        ({"a": [{"exists": False}]}, {"b": "x"}, True),
        ({"a": [{"exists": False}]}, {"a": "x"}, False),
        ({"a": [{"anything-but": "x"}]}, {"a": "y"}, True),
        ({"a": [{"anything-but": "x"}]}, {"a": "x"}, False),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "y"}, False),
        ({"a": [{"anything-but": ["x", "y"]}]}, {"a": "z"}, True),
        ({"a": [{"anything-but": "x"}]}, {}, False),
        ({"pk": [{"prefix": "ORDER#"}]}, {"pk": "ORDER#01ABC"}, True),
        ({"pk": [{"prefix": "ORDER#"}]}, {"pk": "LEDGER#charge#x"}, False),
        ({"pk": [{"prefix": "ORDER#"}]}, {"pk": 7}, False),
        ({"pk": [{"prefix": "ORDER#"}]}, {}, False),
        ({"pk": [{"prefix": "ORDER#"}, "LEDGER"]}, {"pk": "LEDGER"}, True),
    ],
)
def test_pattern_semantics(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, event) is expected


def test_an_unsupported_operator_is_refused_rather_than_guessed() -> None:
    with pytest.raises(ValueError, match="numeric"):
        matches({"a": [{"numeric": [">", 0]}]}, {"a": 1})


def _image(record: Record, name: str) -> str | None:
    value = record["dynamodb"].get("NewImage", {}).get(name)
    return value["S"] if value else None


def service_records() -> dict[str, Record]:
    """One record of every kind the service writes, labelled."""
    w, stream = streaming_world()
    keyed = place_order_command("tok_flaky").model_copy(update={"idempotency_key": "k-1", "request_fingerprint": "f"})
    flaky = intake.place_order(keyed, w.container.intake).order
    refused, down, cancelled, touched = w.place("tok_visa", "AQ"), w.place("tok_down"), w.place(), w.place()
    w.process(flaky.order_id)
    w.process(refused.order_id)
    w.process(down.order_id)
    intake.cancel_order(CancelOrder(customer_id="cust-1", order_id=cancelled.order_id), w.container.intake)
    w.repository.save(state_machine.amend(touched, touched.updated_at), expected=touched, written_by="reconcile")
    paid = next(r for r in stream.records if _image(r, "status") == "PAID")
    keyed_record = next(r for r in stream.records if _image(r, "entity") == "idempotency")
    by_kind: dict[str, Record] = {
        "intake INSERT of a PENDING order": stream.records[0],
        "reconcile touch of a PENDING order": stream.records[-1],
        "processor MODIFY to PAID": paid,
        "processor MODIFY counting a failed attempt": next(
            r for r in stream.records if _image(r, "status") == "PENDING" and _image(r, "written_by") == "processor"
        ),
        "processor MODIFY to CONFIRMED": next(r for r in stream.records if _image(r, "status") == "CONFIRMED"),
        "processor MODIFY to REJECTED": next(r for r in stream.records if _image(r, "status") == "REJECTED"),
        "customer MODIFY to CANCELLED": next(r for r in stream.records if _image(r, "status") == "CANCELLED"),
        "idempotency INSERT": keyed_record,
        "ledger charge INSERT": next(r for r in stream.records if _image(r, "kind") == "charge"),
        "ledger refund INSERT": next(r for r in stream.records if _image(r, "kind") == "refund"),
        "ledger tally MODIFY": next(
            r for r in stream.records if _image(r, "kind") == "flaky" and r["eventName"] == "MODIFY"
        ),
        "TTL REMOVE of an idempotency item": stream.emit("REMOVE", old=keyed_record["dynamodb"]["NewImage"]),
    }
    reconciled_paid = copy.deepcopy(paid)
    reconciled_paid["dynamodb"]["NewImage"]["written_by"] = {"S": "reconcile"}
    by_kind["reconcile touch of a PAID order"] = reconciled_paid
    return by_kind


RECORDS = service_records()
NEEDS_WORK = {
    "intake INSERT of a PENDING order",
    "reconcile touch of a PENDING order",
    "reconcile touch of a PAID order",
}


@pytest.mark.parametrize("kind", sorted(RECORDS))
def test_the_real_pattern_lets_through_only_orders_that_need_work(kind: str) -> None:
    record = RECORDS[kind]

    assert matches(PATTERN, record) is (kind in NEEDS_WORK)
    assert needs_processing(record) is (kind in NEEDS_WORK), "the in-code check must agree with the mapping"


def test_the_labelled_records_are_what_they_claim_to_be() -> None:
    """Guards the table above: a mislabelled record would make the filter tests vacuous."""
    assert RECORDS["intake INSERT of a PENDING order"]["eventName"] == "INSERT"
    assert _image(RECORDS["intake INSERT of a PENDING order"], "written_by") == "intake"
    assert _image(RECORDS["reconcile touch of a PENDING order"], "status") == "PENDING"
    assert _image(RECORDS["processor MODIFY to PAID"], "written_by") == "processor"
    assert "NewImage" not in RECORDS["TTL REMOVE of an idempotency item"]["dynamodb"]
    assert _image(RECORDS["ledger charge INSERT"], "entity") == "ledger"
    assert RECORDS["processor MODIFY counting a failed attempt"]["dynamodb"]["NewImage"]["attempts"] == {"N": "1"}
