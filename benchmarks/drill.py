"""`make drill`: an outage drill on the local stack. Orders are placed at a steady rate
(10/s for 3 minutes), and a payment outage of 60 s starts after the first minute
(`make outage`'s switch). The same load then runs on a fresh stack without the outage,
so each figure has its twin from the same machine in the same sitting.

It prints and writes (benchmarks/results.json, key "drill"; --quick: results-quick.json)
the orders FAILED, whether every tok_visa order ended CONFIRMED with exactly one charge,
order-to-final p50/p99 of the orders placed after the outage ended beside the same
orders of the run without it, the stream records re-sent (from the stream worker's own
log), and how long after the outage ended every order was final. It plots the orders by
state over time, outage shaded, to benchmarks/drill.png.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT
from benchmarks.drill_plot import plot
from benchmarks.drill_report import Run, figures, print_figures
from benchmarks.load_orders import settle
from benchmarks.load_stack import target
from tests.support.orders import order_body

RESULTS, QUICK_RESULTS, PLOT = (
    ROOT / "benchmarks" / name for name in ("results.json", "results-quick.json", "drill.png")
)
CUSTOMER = "drill"
POLL_S = 10.0  # listing ~1,800 orders is load on moto: poll the drain rarely, the same in both runs
DECLINE_EVERY = 10  # one order in ten is declined: declines must still decline at once


@dataclass
class Load:
    rate: float
    duration_s: float
    outage_at_s: float
    outage_s: float
    settle_timeout_s: float
    placed: list[tuple[float, int]] = field(default_factory=list)  # (seconds after start, status)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(url: str, token: str, n: int) -> int:
    body = order_body(token="tok_decline" if n % DECLINE_EVERY == DECLINE_EVERY - 1 else "tok_visa")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(f"{url}/orders", json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def drive(load: Load, with_outage: bool, scratch: Path) -> Run:
    from devstack.outage import start_outage
    from devstack.tokens import StackIssuer

    with target(None, scratch, new_stack=True) as stack:
        assert stack.state_dir is not None and stack.aws_endpoint is not None
        state = json.loads((stack.state_dir / "stack.json").read_text())
        token = StackIssuer.find(stack.state_dir).mint(CUSTOMER, ttl_s=7200)
        started = time.time()
        outage_window: tuple[float, float] | None = None
        with ThreadPoolExecutor(max_workers=16) as pool:
            for n in range(int(load.rate * load.duration_s)):
                due = started + n / load.rate
                if with_outage and n == int(load.rate * load.outage_at_s):
                    # The switch's own times, not the plan's: making its client takes a
                    # few hundred ms, and an order placed in them after the planned end
                    # still meets the outage.
                    ends = start_outage(stack.aws_endpoint, state["region"], state["table"], "payments", load.outage_s)
                    outage_window = (ends - load.outage_s, ends)
                time.sleep(max(0.0, due - time.time()))
                pool.submit(_place, load, due - started, stack.url, token, n)
        orders = settle(stack.url, {CUSTOMER: token}, load.settle_timeout_s, poll_s=POLL_S)
        charges = _charges(stack.aws_endpoint, state)
        log = (scratch / "devstack.log").read_text(errors="replace")
    return Run(with_outage, started, outage_window, orders, charges, log, list(load.placed))


def _place(load: Load, at: float, url: str, token: str, n: int) -> None:
    status = _post(url, token, n)
    with load.lock:
        load.placed.append((at, status))


def _charges(endpoint: str, state: dict[str, Any]) -> dict[str, str]:
    """The simulator's charges, by order: the provider's books, read from the ledger."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    client = session.client("dynamodb", endpoint_url=endpoint, region_name=state["region"])
    found: dict[str, str] = {}
    for page in client.get_paginator("scan").paginate(
        TableName=state["table"],
        FilterExpression="entity = :ledger AND kind = :charge AND attribute_exists(entry)",
        ExpressionAttributeValues={":ledger": {"S": "ledger"}, ":charge": {"S": "charge"}},
    ):
        for item in page["Items"]:
            key = item["pk"]["S"].split("charge-", 1)[-1]
            found[key] = item["entry"]["M"]["payment_id"]["S"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the CI smoke run: 5/s for 30 s, a 10 s outage")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    quick = args.quick
    load_args = (5.0, 30.0, 10.0, 10.0, 240.0) if quick else (10.0, 180.0, 60.0, 60.0, 1800.0)
    runs = []
    for with_outage in (True, False):
        with tempfile.TemporaryDirectory() as scratch:
            os.environ.pop("DEVSTACK_DIR", None)
            runs.append(drive(Load(*load_args), with_outage, Path(scratch)))
    drill = figures(runs[0], runs[1], mode="quick" if quick else "full")
    print_figures(drill)
    path = args.out or (QUICK_RESULTS if quick else RESULTS)
    results = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**results, "drill": drill}, indent=2) + "\n")
    if not quick:
        plot(PLOT, runs)
    print(f"\nwritten: {path}" + ("" if quick else f", {PLOT}"))


if __name__ == "__main__":
    main()
