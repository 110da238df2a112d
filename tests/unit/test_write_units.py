"""The write-unit counter follows DynamoDB's rules: item sizes, 1 KB units, transactional
doubling, and index writes only when an index entry is created or changes."""

from __future__ import annotations

from typing import Any

from benchmarks.write_units import WriteUnits, item_size, units, value_size


def order_item(status: str, padding: int = 0, customer: str = "c") -> dict[str, Any]:
    return {
        "pk": {"S": "ORDER#1"},
        "sk": {"S": "ORDER"},
        "status": {"S": status},
        "pad": {"S": "x" * padding},
        "gsi1pk": {"S": f"CUSTOMER#{customer}"},
        "gsi1sk": {"S": "1"},
    }


def test_sizes_follow_the_item_size_rules() -> None:
    assert value_size({"S": "héllo"}) == 6
    assert value_size({"N": "3998"}) == 3 and value_size({"N": "-0.5"}) == 2
    assert value_size({"M": {"a": {"S": "xy"}}}) == 3 + 1 + 2 + 1
    assert value_size({"L": [{"S": "a"}, {"BOOL": True}]}) == 3 + 2 + 2
    assert item_size({"pk": {"S": "ab"}}) == 4
    assert (units(1024), units(1025), units(1)) == (1, 2, 1)


def test_keys_only_index_is_written_at_create_and_not_on_status_changes() -> None:
    counter = WriteUnits()
    counter.put(order_item("PENDING"))
    counter.put(order_item("PAID"))
    counter.put(order_item("CONFIRMED", padding=1500))  # over 1 KB: two units
    assert (counter.table, counter.index) == (1 + 1 + 2, 1)


def test_a_transactional_write_costs_twice_and_a_moved_index_key_costs_two_entries() -> None:
    counter = WriteUnits()
    counter.put(order_item("PENDING"), transactional=True)
    counter.put(order_item("PENDING", customer="d"))
    assert (counter.table, counter.index) == (2 + 1, 1 + 2)
