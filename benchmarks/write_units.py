"""Write units from the items actually written, by DynamoDB's rules: an item's size is
the UTF-8 length of each attribute name plus its value (a string its UTF-8 bytes, a
number about one byte per two digits plus one, a map or list 3 bytes plus its
elements, one byte each besides); a write costs one unit per started KB; a
transactional write costs twice; and each write that creates, changes or removes an
index entry costs the index its entry's size too (with KEYS_ONLY, only the keys)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from chalicelib.resources import load_resources

Item = dict[str, Any]
KB = 1024


def value_size(value: dict[str, Any]) -> int:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(element) + 1 for name, element in inner.items())
    if kind == "L":
        return 3 + sum(value_size(element) + 1 for element in inner)
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: element}) for element in inner)
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: Item) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def units(size: int) -> int:
    return max(1, math.ceil(size / KB))


@dataclass
class WriteUnits:
    """Replays a run's write requests over the items they wrote, counting units."""

    table: float = 0.0
    index: float = 0.0
    items: dict[tuple[str, str], Item] = field(default_factory=dict)

    def put(self, item: Item, transactional: bool = False) -> None:
        key = (item["pk"]["S"], item["sk"]["S"])
        old = self.items.get(key)
        self.items[key] = item
        self.table += units(item_size(item)) * (2 if transactional else 1)
        self.index += self._index_units(old, item)

    def _index_units(self, old: Item | None, new: Item) -> int:
        spec = load_resources().table
        index = spec.customer_index
        keys = (spec.partition_key, spec.sort_key, index.partition_key, index.sort_key)
        entry = (lambda item: {n: item[n] for n in keys if n in item}) if index.projection == "KEYS_ONLY" else dict

        def indexed(item: Item | None) -> Item | None:
            return entry(item) if item and index.partition_key in item and index.sort_key in item else None

        before, after = indexed(old), indexed(new)
        if before == after:
            return 0  # keys and projected attributes unchanged: DynamoDB writes nothing to the index
        moved = before is not None and after is not None and any(before[n] != after[n] for n in keys[2:])
        written = [e for e in (before if moved or after is None else None, after) if e is not None]
        return sum(units(item_size(e)) for e in written)

    def record(self, operation: str, params: dict[str, Any]) -> None:
        if operation == "PutItem":
            self.put(params["Item"])
        elif operation == "TransactWriteItems":
            for action in params["TransactItems"]:
                if "Put" in action:
                    self.put(action["Put"]["Item"], transactional=True)
        elif operation in ("UpdateItem", "DeleteItem", "BatchWriteItem"):
            raise NotImplementedError(f"{operation}: the service sends none; count it before it does")
