"""The order repository on DynamoDB (low-level client: cheaper to import and run)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.adapters import items
from chalicelib.adapters.outages import OutageTranslatingClient
from chalicelib.domain.clock import to_iso, utc_now
from chalicelib.domain.models import Order
from chalicelib.domain.writers import Writer
from chalicelib.exceptions import DependencyUnavailable, IdempotencyKeyTaken, OrderAlreadyExists, StaleOrder
from chalicelib.service_layer.ports import IdempotencyRecord, OrderPage

CUSTOMER_INDEX = "by-customer"
_CONFLICT_RETRIES = 5
_UNPROCESSED_RETRIES = 10  # BatchGetItem rounds for keys DynamoDB hands back unprocessed


class DynamoDBOrderRepository:
    def __init__(
        self,
        client: Any,
        table_name: str,
        customer_index: str = CUSTOMER_INDEX,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = OutageTranslatingClient(client)
        self._table = table_name
        self._index = customer_index
        self._clock = clock  # the services' clock: key expiry is written and read by one clock

    def add(self, order: Order, idempotency: IdempotencyRecord | None = None) -> None:
        put = {
            "TableName": self._table,
            "Item": items.order_to_item(order, written_by=Writer.INTAKE),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        if idempotency is None:
            try:
                self._client.put_item(**put, ReturnValuesOnConditionCheckFailure="ALL_OLD")
            except self._client.exceptions.ConditionalCheckFailedException as error:
                # Order ids are fresh and random: finding our very order means botocore
                # retried a put whose first answer was lost, and the put succeeded.
                stored = error.response.get("Item")
                if not stored or items.item_to_order(stored) != order:
                    raise OrderAlreadyExists(order.order_id) from error
            return
        key_put = {
            "TableName": self._table,
            "Item": items.idempotency_to_item(idempotency),
            # TTL deletes expired keys days late: until then an expired key is free to reuse.
            "ConditionExpression": "attribute_not_exists(pk) OR expires_at < :now",
            "ExpressionAttributeValues": {":now": {"N": str(self._now())}},
        }
        self._transact([{"Put": put}, {"Put": key_put}], order.order_id)

    def _transact(self, transaction: list[dict[str, Any]], order_id: str) -> None:
        for attempt in range(_CONFLICT_RETRIES):
            try:
                # The token makes a retried transaction (lost answer) succeed once, not fail.
                self._client.transact_write_items(TransactItems=transaction, ClientRequestToken=order_id)
                return
            except self._client.exceptions.TransactionCanceledException as error:
                codes = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                    raise IdempotencyKeyTaken(order_id) from error
                if codes and codes[0] == "ConditionalCheckFailed":
                    raise OrderAlreadyExists(order_id) from error
                if "TransactionConflict" not in codes:
                    raise
                if attempt == _CONFLICT_RETRIES - 1:
                    raise DependencyUnavailable(f"order {order_id}: the key stayed busy") from error
                time.sleep(0.01 * 2**attempt)  # a concurrent request holds the key: let it commit

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def get(self, order_id: str) -> Order | None:
        response = self._client.get_item(TableName=self._table, Key=items.order_key(order_id), ConsistentRead=True)
        item = response.get("Item")
        return items.item_to_order(item) if item else None

    def get_idempotency(self, customer_id: str, key: str) -> IdempotencyRecord | None:
        response = self._client.get_item(
            TableName=self._table, Key=items.idempotency_key(customer_id, key), ConsistentRead=True
        )
        item = response.get("Item")
        if not item or int(item["expires_at"]["N"]) < self._now():
            return None  # TTL deletion lags by up to days: treat expired keys as gone
        if "order_id" not in item:  # written before key items named their order: it carries a copy
            return items.item_to_idempotency(item, customer_id, key, items.order_in_old_key_item(item))
        order = self.get(item["order_id"]["S"])  # written in one transaction with the key: it exists
        assert order is not None, "a key record names an order that is not stored"
        return items.item_to_idempotency(item, customer_id, key, order)

    def list_for_customer(self, customer_id: str, limit: int, after_order_id: str | None) -> OrderPage:
        partition = items.customer_partition(customer_id)
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self._index,
            "KeyConditionExpression": "gsi1pk = :customer",
            "ExpressionAttributeValues": {":customer": {"S": partition}},
            "ScanIndexForward": False,
            # One extra item tells whether another page exists; DynamoDB's own
            # LastEvaluatedKey would send clients to an empty last page.
            "Limit": limit + 1,
        }
        if after_order_id is not None:
            query["ExclusiveStartKey"] = {
                **items.order_key(after_order_id),
                "gsi1pk": {"S": partition},
                "gsi1sk": {"S": after_order_id},
            }
        found = self._client.query(**query).get("Items", [])
        page_ids = [item["gsi1sk"]["S"] for item in found[:limit]]
        orders = self._orders_by_id(page_ids)
        return OrderPage(orders, page_ids[-1] if len(found) > limit else None)

    def _orders_by_id(self, order_ids: list[str]) -> list[Order]:
        """The index keeps keys only, so that status changes do not rewrite it: a page's
        orders are read from the table, up to 100 a call, in the page's order."""
        stored: dict[str, Order] = {}
        keys = [items.order_key(order_id) for order_id in order_ids]
        while keys:
            batch, keys = keys[:100], keys[100:]
            request: dict[str, Any] = {self._table: {"Keys": batch}}
            for _ in range(_UNPROCESSED_RETRIES):
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    order = items.item_to_order(item)
                    stored[order.order_id] = order
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(0.01)  # throttled keys: DynamoDB asks for them again, after a pause
            if request:
                raise DependencyUnavailable(f"{len(request[self._table]['Keys'])} orders stayed unprocessed")
        return [stored[order_id] for order_id in order_ids if order_id in stored]

    def save(self, order: Order, expected: Order, written_by: Writer) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=items.order_to_item(order, written_by=written_by),
                ConditionExpression="#status = :status AND version = :version",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":status": {"S": expected.status.value},
                    ":version": {"N": str(expected.version)},
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException as error:
            raise StaleOrder(f"order {order.order_id} changed since version {expected.version}") from error

    def find_open(self, updated_before: datetime) -> list[Order]:
        # A filtered Scan: reconcile is a rare operator job, not a request path.
        found: list[Order] = []
        scan: dict[str, Any] = {
            "TableName": self._table,
            "FilterExpression": "entity = :order AND #status IN (:pending, :paid) AND updated_at < :before",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":order": {"S": "order"},
                ":pending": {"S": "PENDING"},
                ":paid": {"S": "PAID"},
                ":before": {"S": to_iso(updated_before)},
            },
        }
        while True:
            page = self._client.scan(**scan)
            found.extend(items.item_to_order(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return found
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
