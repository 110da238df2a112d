"""A put retried after its answer was lost (botocore retries on timeouts) succeeds once.

A keyed order is written by TransactWriteItems with a ClientRequestToken, which DynamoDB
makes idempotent for ten minutes; moto does not, and the service answers a retried
keyed request as a replay either way (tests/unit/test_intake_service_idempotency.py)."""

from __future__ import annotations

from chalicelib.domain.clock import to_iso, utc_now
from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.service_layer.ports import OrderRepository


def an_order() -> Order:
    stamp = to_iso(utc_now())
    return Order(
        order_id=new_order_id(),
        customer_id="cust-42",
        status=OrderStatus.PENDING,
        currency="EUR",
        items=(OrderLine(sku="SKU-1", quantity=1, unit_price=100),),
        total=100,
        shipping_address=ShippingAddress(name="Ada", line1="1 St", city="London", postal_code="N1", country="GB"),
        payment_token="tok_visa",
        created_at=stamp,
        updated_at=stamp,
        history=(HistoryEntry(status=OrderStatus.PENDING, at=stamp),),
    )


def test_the_same_order_added_twice_is_stored_once(repository: OrderRepository) -> None:
    order = an_order()
    repository.add(order)
    repository.add(order)
    assert repository.get(order.order_id) == order
    assert [o.order_id for o in repository.list_for_customer("cust-42", 10, None).orders] == [order.order_id]
