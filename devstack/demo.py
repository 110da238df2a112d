"""`make demo`: posts a mix of orders to the running local stack and shows each one
move to its final state, then a summary table. Exits 1 if any order is not final
within the timeout, or if the replayed Idempotency-Key created a second order.

The `tok_down` order's provider stays down: it is retried from the retry queue with
backoff. When the stack's retry schedule outlasts the demo (the app's default: 16
attempts within an hour), the demo stops waiting for it once the queue has retried it,
and shows it as retrying with its attempts; with a short schedule it waits for its
FAILED (devstack/demo_retries.py).

It signs a token for a new demo customer with the running stack's issuer (found through
DEVSTACK_DIR, default .devstack), as `make token` does; or give it one with --token.

It also watches the orders' events on the stack's bus, through a rule and queue of its
own for its customer (removed at the end), so it takes no event from `make events`.
The live table and the summary then end with an `events` column, and a last line says
whether every order's events match its history (one per status change; at least once
delivery, so repeats are counted once). Missing events are reported, not an exit code.

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
from devstack.demo_retries import Retries
from devstack.demo_view import DemoOrder, ProgressView, summary_table
from devstack.events import Envelope, Subscription, event_id
from devstack.tokens import NoStack, default_state_dir, stack_state
from tests.support.orders import order_body

EVENTS_GRACE_S = 5.0  # how long events may trail the last final state

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
    order.attempts = int(body.get("attempts") or 0)
    order.created_s = _epoch_ms(body["created_at"]) / 1000
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


class OrderEvents:
    """The demo customer's events, from its own subscription on the bus, de-duplicated
    by event_id and kept in version order on each order."""

    def __init__(self, subscription: Subscription, bus: str) -> None:
        self.subscription = subscription
        self.bus = bus
        self.versions: dict[str, dict[int, str]] = {}  # order id -> version -> event name
        self.seen: set[str] = set()

    @classmethod
    def watch(cls, url: str, customer_id: str | None) -> tuple[OrderEvents | None, str]:
        """A subscription for the customer's events, or None and why not."""
        from botocore.exceptions import BotoCoreError, ClientError

        if not customer_id:
            return None, "the token names no customer"
        try:
            state = stack_state(default_state_dir())
            if str(state.get("api_url", "")).rstrip("/") != url.rstrip("/"):
                return None, f"the stack in {default_state_dir()} serves {state.get('api_url')}, not {url}"
            subscription = Subscription.create(state, {"customer_id": [customer_id]}, "orders-dev-demo")
        except (NoStack, BotoCoreError, ClientError) as error:
            return None, str(error)
        return cls(subscription, str(state["event_bus_name"])), ""

    def take(self, orders: list[DemoOrder]) -> None:
        by_id = {order.order_id: order for order in orders if order.order_id}
        while envelopes := self.subscription.take():
            for envelope in envelopes:
                self._add(envelope)
        for order_id, order in by_id.items():
            order.events = [name for _, name in sorted(self.versions.get(order_id, {}).items())]

    def _add(self, envelope: Envelope) -> None:
        identifier, detail = event_id(envelope), envelope.get("detail")
        if not identifier or identifier in self.seen or not isinstance(detail, dict):
            return
        self.seen.add(identifier)
        versions = self.versions.setdefault(str(detail.get("order_id")), {})
        versions[int(detail.get("version", 0))] = str(envelope.get("detail-type"))

    def close(self) -> None:
        self.subscription.close()


def watch(
    client: OrdersClient,
    orders: list[DemoOrder],
    timeout_s: float,
    events: OrderEvents | None = None,
    retries: Retries | None = None,
) -> None:
    view = ProgressView(orders, events=events is not None)
    deadline, ends = time.monotonic() + timeout_s, time.time() + timeout_s
    settled: float | None = None  # when every order was settled

    def waiting() -> bool:
        if not all(order.settled for order in orders):
            return True
        if events is None or all(order.events_match for order in orders):
            return False
        return time.monotonic() - (settled or 0.0) < EVENTS_GRACE_S

    if events:
        events.take(orders)
    view.update()
    while time.monotonic() < deadline and waiting():
        time.sleep(0.15)
        for order in orders:
            if not order.final:
                reply = client.get(order.order_id)
                if reply.status == 200:
                    absorb(order, reply.body)
                order.left_retrying = retries is not None and retries.outlasts(order, ends)
                order.retry_note = retries.note(order) if retries else ""
        if settled is None and all(order.settled for order in orders):
            settled = time.monotonic()
        if events:
            events.take(orders)
        view.update()


def events_summary(orders: list[DemoOrder], events: OrderEvents) -> tuple[str, bool]:
    """The last line about the events, and whether every order's events match its history."""
    count = sum(len(order.events) for order in orders)
    off = [order for order in orders if not order.events_match]
    if not off:
        return f"demo: {count} events on bus {events.bus}, one per status change of each order", True
    return f"demo: {len(off)} order(s) whose events on bus {events.bus} do not match their history", False


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
    events, why_not = OrderEvents.watch(args.url, client.customer_id)
    if events:
        print(f"demo: watching their events on bus {events.bus} (rule and queue {events.subscription.rule})")
    else:
        print(f"demo: not watching the order events: {why_not}")
    try:
        orders, replay_ok = place_all(client)
        retries = Retries.of_stack(args.url)
        watch(client, orders, args.timeout, events, retries)
    finally:
        if events:
            events.close()
    print()
    print(summary_table(orders, events=events is not None))
    retrying = [order for order in orders if order.left_retrying]
    if retrying:
        print(retries.summary(retrying))
    if events:
        line, events_ok = events_summary(orders, events)
        print(line, file=sys.stdout if events_ok else sys.stderr)
    stuck = [order for order in orders if not order.settled]
    if stuck:
        print(f"\ndemo: {len(stuck)} order(s) not final after {args.timeout:g} s", file=sys.stderr)
    if not replay_ok:
        print("demo: the replayed Idempotency-Key did not return the first order", file=sys.stderr)
    return 1 if stuck or not replay_ok else 0


if __name__ == "__main__":
    sys.exit(main())
