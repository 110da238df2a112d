"""Item models: how orders, idempotency keys and ledger entries are laid out in the
single DynamoDB table. The stream filter pattern relies on `entity`, `status` and
`written_by` being top-level attributes of every order item."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chalicelib.adapters.dynamodb_json import from_attribute, to_attribute
from chalicelib.domain.models import Order
from chalicelib.domain.writers import Writer
from chalicelib.service_layer.ports import IdempotencyRecord

ORDER_SK = "ORDER"
IDEMPOTENCY_SK = "IDEMPOTENCY"
LEDGER_SK = "LEDGER"

Item = dict[str, Any]


def order_key(order_id: str) -> Item:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": ORDER_SK}}


def customer_partition(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def idempotency_key(customer_id: str, key: str) -> Item:
    # Keys may be 255 characters of anything printable: hash them to a fixed size.
    digest = hashlib.sha256(key.encode()).hexdigest()
    return {"pk": {"S": f"IDEMPOTENCY#{customer_id}#{digest}"}, "sk": {"S": IDEMPOTENCY_SK}}


def ledger_key(kind: str, key: str) -> Item:
    return {"pk": {"S": f"LEDGER#{kind}#{key}"}, "sk": {"S": LEDGER_SK}}


def serialize(values: dict[str, Any]) -> Item:
    return {name: to_attribute(value) for name, value in values.items() if value is not None}


def deserialize(item: Item) -> dict[str, Any]:
    return {name: from_attribute(value) for name, value in item.items()}


def order_to_item(order: Order, written_by: Writer) -> Item:
    attributes = order.model_dump(mode="json", exclude_none=True)
    return {
        **order_key(order.order_id),
        **serialize(attributes),
        "entity": {"S": "order"},
        "written_by": {"S": written_by},
        "gsi1pk": {"S": customer_partition(order.customer_id)},
        "gsi1sk": {"S": order.order_id},
    }


_ITEM_ONLY = ("pk", "sk", "entity", "written_by", "gsi1pk", "gsi1sk", "expires_at")


def item_to_order(item: Item) -> Order:
    values = deserialize({name: value for name, value in item.items() if name not in _ITEM_ONLY})
    return Order.model_validate(values, strict=False)


class StreamImages:
    """Reads the order out of a stream record's image: the item, as order_to_item wrote it."""

    def order(self, image: Item) -> Order:
        return item_to_order(image)


def idempotency_to_item(record: IdempotencyRecord) -> Item:
    return {
        **idempotency_key(record.customer_id, record.key),
        "entity": {"S": "idempotency"},
        "fingerprint": {"S": record.fingerprint},
        # The order's id, not a copy of it: the key item stays far below 1 KB (one write
        # unit, two in the transaction), and a replay reads the order itself.
        "order_id": {"S": record.order.order_id},
        "expires_at": {"N": str(record.expires_at)},
    }


def item_to_idempotency(item: Item, customer_id: str, key: str, order: Order) -> IdempotencyRecord:
    return IdempotencyRecord(customer_id, key, item["fingerprint"]["S"], order, int(item["expires_at"]["N"]))


def order_in_old_key_item(item: Item) -> Order:
    """Key items written before 2026-11-29 held the order as JSON; they expire in a day."""
    return Order.model_validate(json.loads(item["order"]["S"]), strict=False)
