"""The OrderRepository contract: the fake and the DynamoDB adapter page a customer's
orders alike and find the same open orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.domain.ids import new_order_id
from chalicelib.domain.models import OrderStatus
from chalicelib.service_layer.ports import OrderRepository
from tests.contract.repository_builders import EPOCH_MS, NOW, a_key, an_order


def test_list_pages_newest_first_with_only_the_callers_orders(repository: OrderRepository) -> None:
    mine = [an_order(order_id=new_order_id(now_ms=EPOCH_MS + step)) for step in range(5)]
    for order in reversed(mine):  # stored out of time order: the listing must sort
        repository.add(order)
    repository.add(an_order(customer="cust-other", order_id=new_order_id(now_ms=EPOCH_MS + 2)))
    repository.add(an_order(customer="cust-4", order_id=new_order_id(now_ms=EPOCH_MS + 3)))  # a prefix of cust-42

    first = repository.list_for_customer("cust-42", 2, None)
    second = repository.list_for_customer("cust-42", 2, first.last_order_id)
    third = repository.list_for_customer("cust-42", 2, second.last_order_id)
    newest_first = [order.order_id for order in reversed(mine)]
    assert [order.order_id for order in first.orders] == newest_first[:2]
    assert [order.order_id for order in second.orders] == newest_first[2:4]
    assert [order.order_id for order in third.orders] == newest_first[4:]
    assert first.last_order_id == newest_first[1]
    assert third.last_order_id is None
    assert third.orders[0] == mine[0]


def test_a_page_that_holds_everything_has_no_next_page(repository: OrderRepository) -> None:
    orders = [an_order() for _ in range(3)]
    for order in orders:
        repository.add(order)
    page = repository.list_for_customer("cust-42", 3, None)
    assert len(page.orders) == 3
    assert page.last_order_id is None


def test_a_customer_without_orders_gets_an_empty_page(repository: OrderRepository) -> None:
    repository.add(an_order())
    page = repository.list_for_customer("cust-nobody", 20, None)
    assert (page.orders, page.last_order_id) == ([], None)


def test_find_open_returns_unfinished_orders_last_changed_before_the_cutoff(repository: OrderRepository) -> None:
    hour_ago = NOW - timedelta(hours=1)
    old_pending = an_order(at=hour_ago)
    old_paid = an_order(at=hour_ago, status=OrderStatus.PAID)
    old_confirmed = an_order(at=hour_ago, status=OrderStatus.CONFIRMED)
    old_cancelled = an_order(at=hour_ago, status=OrderStatus.CANCELLED)
    recent_pending = an_order(at=NOW)
    for order in (old_pending, old_paid, old_confirmed, old_cancelled, recent_pending):
        repository.add(order, a_key(order, key=order.order_id))
    found = repository.find_open(NOW - timedelta(minutes=5))
    assert sorted(order.order_id for order in found) == sorted([old_pending.order_id, old_paid.order_id])


def test_a_key_item_written_before_key_items_named_their_order_still_replays(dynamodb: Any, stream_arn: str) -> None:
    """Key items once held a JSON copy of the order; those written before the change
    live a day more and must still answer replays."""
    from chalicelib.adapters import items
    from chalicelib.adapters.dynamodb_repository import DynamoDBOrderRepository
    from tests.conftest import TABLE_NAME

    order = an_order()
    record = a_key(order)
    old_item = items.idempotency_to_item(record) | {"order": {"S": order.model_dump_json()}}
    old_item.pop("order_id")
    dynamodb.put_item(TableName=TABLE_NAME, Item=old_item)

    assert DynamoDBOrderRepository(dynamodb, TABLE_NAME).get_idempotency("cust-42", "k-1") == record


def test_the_customer_index_keeps_keys_only(dynamodb: Any, stream_arn: str) -> None:
    from tests.conftest import TABLE_NAME

    index = dynamodb.describe_table(TableName=TABLE_NAME)["Table"]["GlobalSecondaryIndexes"][0]
    assert index["Projection"]["ProjectionType"] == "KEYS_ONLY"
