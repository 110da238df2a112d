"""`make demo`: posts a mix of orders to the running local stack and shows each one
move to its final state, then a summary table. Exits 1 if any order is not final
within the timeout, or if the replayed Idempotency-Key created a second order.

It signs a token for a new demo customer with the running stack's issuer (found through
DEVSTACK_DIR, default .devstack), as `make token` does; or give it one with --token.

Usage: python -m devstack.demo [--url http://127.0.0.1:8000] [--timeout 30] [--token T]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import datetime
from typing import Any

from devstack.client import OrdersClient
from devstack.demo_view import DemoOrder, ProgressView, summary_table
from devstack.tokens import NoStack
from tests.support.orders import order_body

MIX = [
    ("approval", "tok_visa", "GB"),
    ("approval", "tok_visa", "FR"),
    ("approval", "tok_visa", "DE"),
    ("decline", "tok_decline", "GB"),
    ("decline", "tok_decline", "NL"),
    ("transient failures", "tok_flaky", "GB"),
    ("transient failures", "tok_flaky", "ES"),
    ("provider down", "tok_down", "GB"),
    ("shipping refused", "tok_visa", "AQ"),
]


def _epoch_ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def absorb(order: DemoOrder, body: dict[str, Any]) -> None:
    """Take what the API says about the order: its status, path so far, and timing."""
    order.status = body["status"]
    order.path = [entry["status"] for entry in body.get("history", [])] or [order.status]
    order.reason = body.get("reason") or ""
    if body.get("refund_id"):
        order.reason = f"{order.reason} (refunded)".strip()
    if order.final:
        order.ms_to_final = _epoch_ms(body["history"][-1]["at"]) - _epoch_ms(body["created_at"])


def place(client: OrdersClient, order: DemoOrder, key: str | None = None) -> dict[str, Any]:
    reply = client.place(order_body(order.token, order.country), idempotency_key=key)
    if reply.status != 201:
        raise SystemExit(f"demo: POST /orders answered {reply.status}: {reply.body}")
    order.order_id = reply.body["order_id"]
    absorb(order, reply.body)
    return dict(reply.body, replayed=reply.header("Idempotent-Replayed"))


def place_all(client: OrdersClient) -> tuple[list[DemoOrder], bool]:
    """Place the mix, the cancel and the replay; False if the replay made a new order."""
    orders = [DemoOrder(kind, token, country) for kind, token, country in MIX]
    for order in orders:
        place(client, order)
    cancelled = DemoOrder("cancel", "tok_visa", "GB")
    place(client, cancelled)
    reply = client.cancel(cancelled.order_id)
    if reply.status == 200:
        cancelled.note = "cancel answered 200: cancelled before processing"
        absorb(cancelled, reply.body)
    else:
        current = reply.body.get("current_status", "?") if isinstance(reply.body, dict) else "?"
        cancelled.note = f"cancel answered {reply.status}: the worker got there first ({current})"
    replay = DemoOrder("idempotent replay", "tok_visa", "IE")
    key = f"demo-{uuid.uuid4()}"
    first = place(client, replay, key)
    second = place(client, DemoOrder("replay", "tok_visa", "IE"), key)
    same = second["order_id"] == first["order_id"] and second["replayed"] == "true"
    replay.note = f"2nd POST, same key: Idempotent-Replayed: {second['replayed']}, " + (
        "same order id" if second["order_id"] == first["order_id"] else f"NEW order id {second['order_id']}"
    )
    return [*orders, cancelled, replay], same


def watch(client: OrdersClient, orders: list[DemoOrder], timeout_s: float) -> None:
    view = ProgressView(orders)
    deadline = time.monotonic() + timeout_s
    view.update()
    while time.monotonic() < deadline and not all(order.final for order in orders):
        time.sleep(0.15)
        for order in orders:
            if not order.final:
                reply = client.get(order.order_id)
                if reply.status == 200:
                    absorb(order, reply.body)
        view.update()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds for every order to become final")
    parser.add_argument("--token", help="a bearer token (default: one for a new customer, from the local stack)")
    args = parser.parse_args(argv)
    try:
        OrdersClient(args.url).call("GET", "/health")
    except OSError as error:
        print(f"demo: cannot reach {args.url} ({error}); start the stack first with `make run`", file=sys.stderr)
        return 1
    try:
        client = (
            OrdersClient(args.url, token=args.token)
            if args.token
            else OrdersClient(args.url, f"demo-{uuid.uuid4().hex[:8]}")
        )
    except NoStack as error:
        print(f"demo: {error}", file=sys.stderr)
        return 1
    print(f"demo: placing orders as customer {client.customer_id} at {args.url}")
    orders, replay_ok = place_all(client)
    watch(client, orders, args.timeout)
    print()
    print(summary_table(orders))
    stuck = [order for order in orders if not order.final]
    if stuck:
        print(f"\ndemo: {len(stuck)} order(s) not final after {args.timeout:g} s", file=sys.stderr)
    if not replay_ok:
        print("demo: the replayed Idempotency-Key did not return the first order", file=sys.stderr)
    return 1 if stuck or not replay_ok else 0


if __name__ == "__main__":
    sys.exit(main())
