"""Builders for the OrderRepository contract tests: orders at a given time and their key records."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from chalicelib.domain.clock import to_iso
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.service_layer.ports import IdempotencyRecord

NOW = datetime.now(UTC)
EPOCH_MS = int(NOW.timestamp() * 1000)


def an_order(customer: str = "cust-42", at: datetime = NOW, order_id: str | None = None, **changes: object) -> Order:
    stamp = to_iso(at)
    order = Order(
        order_id=order_id or new_order_id(),
        customer_id=customer,
        status=OrderStatus.PENDING,
        currency="EUR",
        items=(OrderLine(sku="SKU-1", quantity=2, unit_price=1999),),
        total=3998,
        shipping_address=ShippingAddress(
            name="Ada", line1="1 Main St", city="London", postal_code="N1 9GU", country="GB"
        ),
        payment_token="tok_visa",
        created_at=stamp,
        updated_at=stamp,
        history=(HistoryEntry(status=OrderStatus.PENDING, at=stamp),),
    )
    return order.model_copy(update=changes)


def a_key(order: Order, key: str = "k-1", fingerprint: str = "f1", ttl_s: int = 86_400) -> IdempotencyRecord:
    return IdempotencyRecord(order.customer_id, key, fingerprint, order, int(time.time()) + ttl_s)
