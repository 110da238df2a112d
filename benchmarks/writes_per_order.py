"""Writes per order: the DynamoDB write requests an order costs from intake to its final
state on its own items (the order and its idempotency record, not the simulator's ledger),
counted from the calls the code really makes on moto, through a botocore event hook."""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.common import Figure, figure_main
from benchmarks.moto_flow import MotoFlow
from benchmarks.write_units import WriteUnits, item_size

WRITE_OPERATIONS = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
OWN_PREFIXES = ("ORDER#", "IDEMPOTENCY#")
# (label, payment token, country, with an Idempotency-Key); the first two are the figures.
SCENARIOS = [
    ("approved", "tok_visa", "GB", False),
    ("approved, with key", "tok_visa", "GB", True),
    ("declined", "tok_decline", "GB", False),
    ("refused by shipping (AQ)", "tok_visa", "AQ", False),
    ("flaky payment", "tok_flaky", "GB", False),
    ("payment down (FAILED)", "tok_down", "GB", False),
]


def written_keys(operation: str, params: dict[str, Any]) -> list[str]:
    """The partition keys one write request writes."""
    if operation in ("PutItem",):
        return [params["Item"]["pk"]["S"]]
    if operation in ("UpdateItem", "DeleteItem"):
        return [params["Key"]["pk"]["S"]]
    if operation == "TransactWriteItems":
        actions = [
            action for item in params["TransactItems"] for kind, action in item.items() if kind != "ConditionCheck"
        ]
        return [(action.get("Item") or action["Key"])["pk"]["S"] for action in actions]
    if operation == "BatchWriteItem":
        requests = [request for table in params["RequestItems"].values() for request in table]
        return [(r.get("PutRequest", {}).get("Item") or r["DeleteRequest"]["Key"])["pk"]["S"] for r in requests]
    return []


def count_writes(calls: list[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    requests = items = transactions = transaction_items = 0
    write_units = WriteUnits()
    for operation, params in calls:
        own = [key for key in written_keys(operation, params) if key.startswith(OWN_PREFIXES)]
        if operation in WRITE_OPERATIONS and own:
            requests += 1
            items += len(own)
            write_units.record(operation, params)
            if operation == "TransactWriteItems":
                transactions, transaction_items = transactions + 1, transaction_items + len(own)
    largest = max((item_size(item) for item in write_units.items.values()), default=0)
    return {
        "requests": requests,
        "item_writes": items,
        "transactions": transactions,
        "transaction_items": transaction_items,
        "table_write_units": write_units.table,
        "index_write_units": write_units.index,
        "write_units": write_units.table + write_units.index,
        "largest_item_bytes": largest,
    }


def measure(quick: bool) -> list[Figure]:
    orders = 2 if quick else 5
    results: dict[str, dict[str, float]] = {}
    calls_by_operation: dict[str, dict[str, float]] = {}
    with MotoFlow() as flow:
        for n, (label, token, country, keyed) in enumerate(SCENARIOS):
            totals: Counter[str] = Counter()
            operations: Counter[str] = Counter()
            for i in range(orders):
                flow.calls.clear()
                flow.post(token, country, key=f"bench-{n}-{i}" if keyed else None)
                intake_calls = len(flow.calls)
                flow.drain()
                totals.update(count_writes(flow.calls))
                totals.update(intake_calls=intake_calls, processing_calls=len(flow.calls) - intake_calls)
                operations.update(operation for operation, _ in flow.calls)
            results[label] = {name: value / orders for name, value in totals.items()}
            calls_by_operation[label] = {name: value / orders for name, value in sorted(operations.items())}
    plain, with_key = results["approved"], results["approved, with key"]
    note = (
        f"; TransactWriteItems: {with_key['transactions']:g} request, {with_key['transaction_items']:g} item writes"
        if with_key["transactions"]
        else ""
    )
    details = {"orders_per_scenario": orders, "by_outcome": results, "all_dynamodb_calls_per_order": calls_by_operation}
    return [
        Figure(
            "writes per order",
            plain["requests"],
            None,
            None,
            "≤ 3",
            plain["requests"] <= 3,
            "write requests",
            note=f"{plain['item_writes']:g} item writes",
            details=details,
        ),
        Figure(
            "writes per order, with Idempotency-Key",
            with_key["requests"],
            None,
            None,
            "≤ 4",
            with_key["requests"] <= 4,
            "write requests",
            note=f"{with_key['item_writes']:g} item writes{note}",
        ),
        Figure(
            "write units per order",
            plain["write_units"],
            None,
            None,
            "≤ 4",
            plain["write_units"] <= 4,
            "WCU",
            note=_split(plain),
        ),
        Figure(
            "write units per order, with Idempotency-Key",
            with_key["write_units"],
            None,
            None,
            "≤ 7",
            with_key["write_units"] <= 7,
            "WCU",
            note=_split(with_key),
        ),
    ]


def _split(figures: dict[str, float]) -> str:
    return (
        f"table {figures['table_write_units']:g} + index {figures['index_write_units']:g};"
        f" largest item {figures['largest_item_bytes']:.0f} B"
    )


if __name__ == "__main__":
    figure_main(measure)
