"""Locust user for `make load`: each user is one customer placing one order a second (so
users = orders/s); the shape ramps users up to LOAD_RATE and holds them until
LOAD_DURATION; a share of orders (LOAD_POLL_SHARE) is polled until final, as a client
would, with backoff. Each user sends the bearer token of one customer from LOAD_TOKENS, a
JSON file {customer id: token} that benchmarks/load.py writes (users take them in turn).
Every request, every polled order and every customer id go to LOAD_SAMPLES as JSON when
Locust quits; benchmarks/load.py reads them."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import HttpUser, LoadTestShape, constant_throughput, events, task

RATE = int(os.environ.get("LOAD_RATE", "10"))
DURATION_S = float(os.environ.get("LOAD_DURATION", "60"))
RAMP_S = float(os.environ.get("LOAD_RAMP", str(DURATION_S / 4)))
POLL_SHARE = float(os.environ.get("LOAD_POLL_SHARE", "0.1"))
DOWN_SHARE = float(os.environ.get("LOAD_DOWN_SHARE", "0"))
KEYED = os.environ.get("LOAD_KEYED") == "1"  # every POST with a fresh Idempotency-Key
FIRST_POLL_S, MAX_POLL_S, POLL_GIVE_UP_S = 0.25, 2.0, 120.0
FINAL = {"CONFIRMED", "REJECTED", "FAILED", "CANCELLED"}

requests_seen: list[list[Any]] = []  # [start epoch s, request type, name, ms, ok]
orders_sampled: dict[str, dict[str, Any]] = {}  # order id -> posted_at, client_ms, status
customers: set[str] = set()
TOKENS: list[tuple[str, str]] = list(json.loads(Path(os.environ["LOAD_TOKENS"]).read_text()).items())
_next_token = itertools.cycle(TOKENS)


@events.request.add_listener  # type: ignore[untyped-decorator]
def _record(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
    requests_seen.append([time.time() - response_time / 1000, request_type, name, response_time, exception is None])


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _dump(**_: Any) -> None:
    path = os.environ.get("LOAD_SAMPLES")
    if path:
        samples = {"requests": requests_seen, "orders": orders_sampled, "customers": sorted(customers)}
        Path(path).write_text(json.dumps(samples))


def payment_token() -> str:
    """90% approvals, 5% declines, 5% flaky; LOAD_DOWN_SHARE of orders meet a provider outage."""
    if random.random() < DOWN_SHARE:
        return "tok_down"
    roll = random.random()
    return "tok_decline" if roll < 0.05 else "tok_flaky" if roll < 0.10 else "tok_visa"


def order_body() -> dict[str, Any]:
    """With 2% shipping to AQ, which no carrier serves (paid, then refunded and rejected)."""
    country = "AQ" if random.random() < 0.02 else "GB"
    address = {"name": "Ada Lovelace", "line1": "1 Main St", "city": "London", "postal_code": "N1 9GU"}
    return {
        "currency": "EUR",
        "items": [{"sku": "SKU-1", "quantity": 2, "unit_price": 1999}],
        "shipping_address": address | {"country": country},
        "payment_token": payment_token(),
    }


class OrderingCustomer(HttpUser):
    wait_time = constant_throughput(1.0)

    def on_start(self) -> None:
        customer, token = next(_next_token)
        customers.add(customer)
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    @task
    def place_order(self) -> None:
        started = time.time()
        headers = self.headers | ({"Idempotency-Key": uuid.uuid4().hex} if KEYED else {})
        with self.client.post("/orders", json=order_body(), headers=headers, catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}")
                return
        if random.random() < POLL_SHARE:
            order_id = response.json()["order_id"]
            orders_sampled[order_id] = {"posted_at": started, "client_ms": None, "status": None}
            gevent.spawn(self.follow, order_id, started)

    def follow(self, order_id: str, started: float) -> None:
        pause = FIRST_POLL_S
        while time.time() - started < POLL_GIVE_UP_S:
            gevent.sleep(pause)
            pause = min(MAX_POLL_S, pause * 1.5)
            response = self.client.get(f"/orders/{order_id}", headers=self.headers, name="/orders/{id} (poll)")
            order = response.json() if response.status_code == 200 else {}
            if order.get("status") in FINAL:
                client_ms = (time.time() - started) * 1000
                orders_sampled[order_id].update(client_ms=client_ms, status=order["status"])
                events.request.fire(  # type: ignore[no-untyped-call]
                    request_type="FINAL",
                    name="order to final state",
                    response_time=client_ms,
                    response_length=0,
                    exception=None,
                    context={},
                )
                return


class RampThenHold(LoadTestShape):
    """Users (= orders/s) rise linearly to RATE over RAMP_S, hold until DURATION_S, then stop."""

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()  # type: ignore[no-untyped-call]
        if elapsed > DURATION_S:
            return None
        users = max(1, round(RATE * min(1.0, elapsed / RAMP_S))) if RAMP_S > 0 else RATE
        return users, max(1.0, RATE / max(RAMP_S, 1.0))
