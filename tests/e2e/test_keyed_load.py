"""The local stack holds realistic use: 2,000 orders placed with an Idempotency-Key are
all first answers, and moto's memory stays bounded. Before
devstack/moto_patches.py, each keyed POST copied the whole table (0.6-1.7 s per POST at
1,000 orders, moto at 3 GB)."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.client import OrdersClient
from tests.e2e.stack import RunningStack, running_stack
from tests.support.orders import order_body

pytestmark = pytest.mark.e2e

ORDERS = 2_000
WINDOW = 200
# moto starts near 100 MB here; 2,000 orders and their stream records, ledger entries
# and keys add tens of MB. Copying the table per transaction grew it past 1 GB by 1,000
# orders. 400 MB leaves room for a noisy machine and still catches any per-call copy.
RSS_BOUND_MB = 400
P99_GROWTH_BOUND = 1.5  # the bound: a POST late in the run is not slower


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with running_stack(Path(tmp_path_factory.mktemp("keyed"))) as running:
        yield running


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def place_keyed(client: OrdersClient, count: int) -> tuple[list[float], int]:
    latencies, replayed = [], 0
    for _ in range(count):
        started = time.perf_counter()
        reply = client.place(order_body(), idempotency_key=uuid.uuid4().hex)
        latencies.append(time.perf_counter() - started)
        assert reply.status == 201, reply.body
        replayed += reply.header("Idempotent-Replayed") is not None
    return latencies, replayed


def test_2000_keyed_orders_are_all_first_answers_and_moto_stays_small(own_stack: RunningStack) -> None:
    """A keyed POST costs the same late as early: the p99 of the last 200 POSTs is within
    1.5x of the first 200's (a ratio of two windows of one run, so a slow machine slows
    both). Before devstack/moto_speedups.py the stream workers' backlog, sharing moto's
    one process with the API, made it 194 -> 519 ms; measured since: 51 -> 59 ms. Also:
    no table copies (so memory stays bounded) and no first-time POST answered as a replay."""
    client = own_stack.client(f"keyed-{uuid.uuid4().hex[:8]}")
    moto_pid = int(own_stack.state()["pids"]["moto"])
    latencies, replayed = place_keyed(client, ORDERS)
    first, last = p99(latencies[:WINDOW]), p99(latencies[-WINDOW:])
    rss = resident_mb(moto_pid)
    print(f"\nkeyed POST p99: first {WINDOW} {first * 1000:.1f} ms, last {WINDOW} {last * 1000:.1f} ms", end="")
    print(f"; moto {rss:.0f} MB")
    assert replayed == 0, "a first-time POST came back as a replay"
    assert rss < RSS_BOUND_MB
    assert last <= P99_GROWTH_BOUND * first
