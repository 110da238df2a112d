"""`make load`: a headless Locust run against a URL (default: the local stack, started if
it is not running). It ramps to --rate orders/s, holds, and reports throughput, latency
percentiles and errors for POST /orders, the order-to-final-state latency (every order by
server timestamps, plus a polled share as a client sees it), and, on a local stack, the
requests each order costs and the ceiling they imply. Writes benchmarks/load-results.json
and benchmarks/load.png.

Every request carries a bearer token. On a local stack the run signs one per user with the
stack's issuer (as `make token` does); for any other URL, give one with --token (or TOKEN),
and every user is that one customer.

Usage: python -m benchmarks.load [--url URL] [--token T] [--rate N] [--duration S] [--new-stack]"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

from benchmarks import load_orders, load_report
from benchmarks.common import ROOT
from benchmarks.load_stack import MotoRecorder, Target, cpu_seconds, target
from devstack.client import subject_of
from devstack.tokens import NoStack, StackIssuer

LOCUST = ROOT / ".venv" / "bin" / "locust"
RESULTS, PLOT = ROOT / "benchmarks" / "load-results.json", ROOT / "benchmarks" / "load.png"
MOTO_CPU_MS_PER_REQUEST, CORES = 5.0, 2  # the figure for moto on this kind of machine
SETTLE_TIMEOUT_S = 180.0
TOKEN_TTL_S = 6 * 3600  # outlasts any load run and its settling
LOAD_TOOL_OPERATIONS = {"Query"}  # GET /orders: only the load tool's read-back uses it


def load_tokens(where: Target, args: argparse.Namespace) -> dict[str, str]:
    """customer id -> bearer token: the given token, or one per user signed by the local stack."""
    if args.token:
        return {subject_of(args.token) or "the token's subject": args.token}
    if where.state_dir is None:
        raise SystemExit(f"load: {where.url} is not the local stack; pass a bearer token with --token or TOKEN=")
    try:
        issuer = StackIssuer.find(where.state_dir).local_issuer()
    except NoStack as error:
        raise SystemExit(f"load: {error}") from None
    customers = [f"load-{uuid.uuid4().hex[:12]}" for _ in range(max(1, args.rate))]
    return {customer: issuer.mint(customer, ttl_s=TOKEN_TTL_S) for customer in customers}


def run_locust(
    url: str, args: argparse.Namespace, scratch: Path, tokens: dict[str, str]
) -> tuple[dict[str, Any], float]:
    """Run Locust to the end of its shape; return its samples and its CPU seconds."""
    samples = scratch / "samples.json"
    (scratch / "tokens.json").write_text(json.dumps(tokens))  # scratch is a private temporary directory
    settings = {"RATE": args.rate, "DURATION": args.duration, "RAMP": args.ramp, "POLL_SHARE": args.poll_share}
    env = {**os.environ, **{f"LOAD_{name}": str(value) for name, value in settings.items()}}
    env |= {
        "LOAD_DOWN_SHARE": str(args.down_share),
        "LOAD_SAMPLES": str(samples),
        "LOAD_KEYED": "1" if args.keyed else "0",
    }
    env["LOAD_TOKENS"] = str(scratch / "tokens.json")
    argv = [str(LOCUST), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless", "--host", url]
    argv += ["--only-summary", "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    cpu = 0.0
    with (scratch / "locust.log").open("wb") as log:
        locust = psutil.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        while locust.poll() is None:
            times = locust.cpu_times()
            cpu = times.user + times.system
            time.sleep(0.5)
    if not samples.exists():
        raise SystemExit(f"Locust wrote no samples:\n{(scratch / 'locust.log').read_text(errors='replace')[-3000:]}")
    return json.loads(samples.read_text()), cpu


def per_order(orders: int, http: Counter[str], aws: Counter[str] | None, cpu: dict[str, float]) -> dict[str, Any]:
    """Requests per order, and the orders/s ceiling they imply for the local stack."""
    stack_ms = sum(s for role, s in cpu.items() if role != "locust") * 1000 / orders
    found: dict[str, Any] = {
        "http_to_api": {name: round(n / orders, 3) for name, n in http.items()},
        "cpu_ms_per_order_measured": {role: round(s * 1000 / orders, 1) for role, s in cpu.items()},
        f"ceiling_orders_per_s_from_stack_cpu_on_{CORES}_cores": round(CORES * 1000 / max(stack_ms, 1e-9), 1),
    }
    if aws is None:
        return found | {"aws_to_moto": "not counted (the stack was not started by this run)"}
    aws_total = sum(n for name, n in aws.items() if name not in LOAD_TOOL_OPERATIONS)
    aws_per_order = aws_total / orders
    moto_ms = cpu.get("moto", 0.0) * 1000 / max(aws_total, 1)
    formula = f"issue's formula: {CORES} cores / ({MOTO_CPU_MS_PER_REQUEST:g} ms x AWS requests per order)"
    return found | {
        "aws_to_moto": round(aws_per_order, 2),
        "aws_to_moto_by_operation": {name: round(n / orders, 3) for name, n in aws.most_common()},
        "moto_cpu_ms_per_request_measured": round(moto_ms, 2),
        "ceiling_orders_per_s": {
            formula: round(CORES * 1000 / (MOTO_CPU_MS_PER_REQUEST * aws_per_order), 1),
            "moto alone at its measured ms per request, on one core (one process, one GIL)": round(
                1000 / max(moto_ms * aws_per_order, 1e-9), 1
            ),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("URL") or None, help="default: the local stack")
    parser.add_argument("--rate", type=int, default=10, help="target orders per second (default 10)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds, ramp included (default 60)")
    parser.add_argument("--ramp", type=float, help="seconds to reach the rate (default a quarter of the run)")
    parser.add_argument("--poll-share", type=float, default=0.1, help="share of orders polled until final")
    parser.add_argument("--down-share", type=float, default=0.0, help="share of orders whose provider is down")
    parser.add_argument("--new-stack", action="store_true", help="start a fresh local stack even if one runs")
    parser.add_argument("--keyed", action="store_true", help="send every POST with a fresh Idempotency-Key")
    parser.add_argument("--token", default=os.environ.get("TOKEN") or None, help="bearer token (default: minted)")
    args = parser.parse_args()
    args.ramp = args.duration / 4 if args.ramp is None else args.ramp
    if args.url and not reachable(args.url):
        sys.exit(f"load: cannot reach {args.url}/health; check URL, or leave it out to use the local stack")
    with tempfile.TemporaryDirectory() as scratch, target(args.url, Path(scratch), args.new_stack) as where:
        recorder = MotoRecorder(where.aws_endpoint) if where.records_aws_calls and where.aws_endpoint else None
        if recorder:
            recorder.start()
        tokens = load_tokens(where, args)
        cpu_before, started = cpu_seconds(where.pids), time.time()
        samples, locust_cpu = run_locust(where.url, args, Path(scratch), tokens)
        used = {customer: tokens[customer] for customer in samples["customers"]}
        orders = load_orders.settle(where.url, used, SETTLE_TIMEOUT_S)
        cpu = {role: s - cpu_before.get(role, 0.0) for role, s in cpu_seconds(where.pids).items()}
        aws = recorder.stop() if recorder else None
    write_results(args, where, samples, orders, started, cpu | {"locust": locust_cpu}, aws)


def reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def write_results(
    args: argparse.Namespace,
    where: Target,
    samples: dict[str, Any],
    orders: list[dict[str, Any]],
    started: float,
    cpu: dict[str, float],
    aws: Counter[str] | None,
) -> None:
    requests, hold = samples["requests"], (args.ramp, args.duration)
    post = load_report.post_figures(requests, started, hold)
    http = Counter(f"{r[1]} {r[2]}" for r in requests if r[1] != "FINAL")
    results = {
        "target": {"url": where.url, "origin": where.origin, "rate_orders_per_s": args.rate},
        "run": {"duration_s": args.duration, "ramp_s": args.ramp, "poll_share": args.poll_share, "keyed": args.keyed},
        "mix": {"down_share": args.down_share, "else": "90% approve, 5% decline, 5% flaky; 2% ship to AQ"},
        "post_orders": post,
        "processing": load_orders.processing_figures(orders, started, hold),
        "polled_by_client": load_report.polled_figures(samples["orders"]),
        "per_order": per_order(max(1, len(orders)), http, aws, cpu) if where.pids else {},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
    }
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    curve = load_report.series(requests, started, args.duration)
    curve["settled"] = load_orders.settled_per_second(orders, started, curve["t"])
    target_rate = [args.rate * min(1.0, t / args.ramp) if args.ramp else args.rate for t in curve["t"]]
    finals = load_orders.placed_and_latency(orders, started)
    title = f"make load: POST /orders ramped to {args.rate}/s, {results['measured_at']}, {where.origin.split(' (')[0]}"
    load_report.plot(PLOT, curve, finals, target_rate, title)
    print(json.dumps(results, indent=1))
    print(f"wrote {RESULTS.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
