"""The Ledger contract: InMemoryLedger and DynamoDBLedger behave alike."""

from __future__ import annotations

from chalicelib.service_layer.ports import Ledger


def test_record_once_stores_the_entry_and_returns_it(ledger: Ledger) -> None:
    entry = {"payment_id": "pay-1", "amount": "3998"}
    assert ledger.record_once("charge", "order-1", entry) == entry
    assert ledger.get("charge", "order-1") == entry


def test_record_once_returns_the_first_entry_on_repeat(ledger: Ledger) -> None:
    first = {"payment_id": "pay-1"}
    ledger.record_once("charge", "order-1", first)
    assert ledger.record_once("charge", "order-1", {"payment_id": "pay-2"}) == first
    assert ledger.get("charge", "order-1") == first


def test_the_returned_entry_is_a_copy(ledger: Ledger) -> None:
    entry = {"payment_id": "pay-1"}
    returned = ledger.record_once("charge", "order-1", entry)
    returned["payment_id"] = "changed"
    entry["payment_id"] = "changed"
    assert ledger.get("charge", "order-1") == {"payment_id": "pay-1"}


def test_kinds_are_separate_books(ledger: Ledger) -> None:
    ledger.record_once("charge", "order-1", {"id": "c"})
    ledger.record_once("refund", "order-1", {"id": "r"})
    assert ledger.get("charge", "order-1") == {"id": "c"}
    assert ledger.get("refund", "order-1") == {"id": "r"}


def test_get_of_an_unknown_entry_is_none(ledger: Ledger) -> None:
    assert ledger.get("charge", "never") is None


def test_increment_counts_up_per_kind_and_key(ledger: Ledger) -> None:
    assert [ledger.increment("flaky", "order-1") for _ in range(3)] == [1, 2, 3]
    assert ledger.increment("flaky", "order-2") == 1
    assert ledger.increment("other", "order-1") == 1


def test_count_counts_the_entries_of_one_kind(ledger: Ledger) -> None:
    assert ledger.count("charge") == 0
    for key in ("order-1", "order-2", "order-3"):
        ledger.record_once("charge", key, {"id": key})
    ledger.record_once("charge", "order-1", {"id": "repeat"})
    ledger.record_once("refund", "order-1", {"id": "r"})
    assert ledger.count("charge") == 3
    assert ledger.count("refund") == 1
    assert ledger.count("shipment") == 0


def test_counters_are_not_entries(ledger: Ledger) -> None:
    ledger.increment("flaky", "order-1")
    assert ledger.count("flaky") == 0
    assert ledger.get("flaky", "order-1") is None


def test_put_replaces_an_entry_and_get_reads_the_latest(ledger: Ledger) -> None:
    ledger.put("outage", "payments", {"until": "1.5"})
    ledger.put("outage", "payments", {"until": "0"})

    assert ledger.get("outage", "payments") == {"until": "0"}
    assert ledger.get("outage", "shipping") is None
