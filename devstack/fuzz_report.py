"""What `make fuzz` reads after Schemathesis: the HAR file of every request it sent, and
the orders the table holds for the run's customer.

The store check: every order stored for the fuzz customer (a scan of the table in the
moto server, not the API's own listing, so a listing bug cannot hide an order) must be
an order that some POST /orders answered 201 with, and every such order must be stored.
A 201 is the only answer that may create an order: a refused, failed or timed-out POST
that stored one anyway, or a 201 whose order is missing, is a mismatch. Replays (201
with Idempotent-Replayed) name an order already created, so orders are compared as sets.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


@dataclass
class FuzzTraffic:
    requests: int = 0
    by_operation: Counter[tuple[str, str, int]] = field(default_factory=Counter)
    created: set[str] = field(default_factory=set)  # order ids of POST /orders answered 201
    answered_201: int = 0
    replayed: int = 0

    def statuses(self) -> str:
        rows = sorted(self.by_operation.items())
        return "\n".join(f"  {method:7} {path:32} {status}: {count}" for (method, path, status), count in rows)


def templates(paths: Iterable[str]) -> Callable[[str], str]:
    """/orders/0/cancel -> /orders/{order_id}/cancel: the document's path a request went
    to, so counts group by operation (a path it has no template for stays as it is)."""

    def pattern(path: str) -> re.Pattern[str]:
        parts = ("[^/]+" if part.startswith("{") else re.escape(part) for part in path.split("/"))
        return re.compile("/".join(parts) + "$")

    matchers = [(pattern(path), path) for path in paths]

    def template(path: str) -> str:
        return next((name for matcher, name in matchers if matcher.match(path)), path)

    return template


def read_har(har: Path, paths: Iterable[str]) -> FuzzTraffic:
    traffic, template = FuzzTraffic(), templates(paths)
    for entry in json.loads(har.read_text())["log"]["entries"]:
        method, status = entry["request"]["method"], entry["response"]["status"]
        path = urlsplit(entry["request"]["url"]).path
        traffic.requests += 1
        traffic.by_operation[(method, template(path), status)] += 1
        if (method, path, status) == ("POST", "/orders", 201):
            traffic.answered_201 += 1
            traffic.created.add(json.loads(entry["response"]["content"]["text"])["order_id"])
            headers = {header["name"].lower(): header["value"] for header in entry["response"]["headers"]}
            traffic.replayed += headers.get("idempotent-replayed") == "true"
    return traffic


def stored_orders(state: dict[str, Any], customer: str) -> set[str]:
    """The order ids the table holds for `customer`, by a full scan of the stack's table."""
    import boto3

    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=state["aws_endpoint"],
        region_name=state["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy credentials
    )
    found: set[str] = set()
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=state["table"],
        FilterExpression="entity = :order AND customer_id = :customer",
        ExpressionAttributeValues={":order": {"S": "order"}, ":customer": {"S": customer}},
        ProjectionExpression="order_id",
    ):
        found.update(item["order_id"]["S"] for item in page["Items"])
    return found


def store_mismatch(traffic: FuzzTraffic, stored: set[str]) -> list[str]:
    problems = []
    if stored - traffic.created:
        problems.append(f"stored without a 201 answer: {sorted(stored - traffic.created)}")
    if traffic.created - stored:
        problems.append(f"answered 201 but not stored: {sorted(traffic.created - stored)}")
    return problems
