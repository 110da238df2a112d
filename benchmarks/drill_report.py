"""The outage drill's figures and plot, from the orders as the API lists them (their own
history timestamps), the simulator's charges, and the local stack's log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from benchmarks.load_orders import FINAL, server_latency_ms

Order = dict[str, Any]
STATES = ["PENDING", "PAID", "CONFIRMED", "REJECTED", "FAILED", "CANCELLED"]
PROCESSOR, RETRIES = "orders-dev-process_orders", "orders-dev-retry_orders"


@dataclass
class Run:
    with_outage: bool
    started: float  # epoch seconds
    outage: tuple[float, float] | None  # epoch seconds
    orders: list[Order]
    charges: dict[str, str]  # order id -> payment id, from the simulator's ledger
    log: str
    placed: list[tuple[float, int]]  # (seconds after start, HTTP status) per POST


def epoch(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp).timestamp()


def invocations(log: str, function: str) -> list[dict[str, Any]]:
    """The emulated mappings' "invoked" lines for one function."""
    found = []
    for line in log.splitlines():
        if '"invoked"' not in line or function not in line:
            continue
        try:
            entry = json.loads(line[line.index("{") :])
        except ValueError:
            continue
        if entry.get("message") == "invoked" and entry.get("function") == function:
            found.append(entry)
    return found


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def _after(run: Run, start_s: float) -> list[float]:
    """Order-to-final ms of the orders placed `start_s` or more after the run's start."""
    return [
        ms
        for order in run.orders
        if epoch(order["created_at"]) - run.started >= start_s and (ms := server_latency_ms(order)) is not None
    ]


def run_figures(run: Run, after_s: float) -> dict[str, Any]:
    statuses = {state: sum(o["status"] == state for o in run.orders) for state in STATES}
    confirmed = [o for o in run.orders if o["status"] == "CONFIRMED"]
    declined = [o for o in run.orders if "declined" in (o.get("reason") or "")]
    charged_once = all(run.charges.get(o["order_id"]) == o["payment_id"] for o in confirmed)
    records = invocations(run.log, PROCESSOR)
    retries = invocations(run.log, RETRIES)
    finals = [epoch(o["history"][-1]["at"]) for o in run.orders if o["status"] in FINAL]
    latencies = _after(run, after_s)
    return {
        "posted": len(run.placed),
        "answered_201": sum(status == 201 for _, status in run.placed),
        "orders": len(run.orders),
        "statuses": statuses,
        "not_final": sum(o["status"] not in FINAL for o in run.orders),
        "tok_visa_orders_all_confirmed": len(confirmed) + len(declined) == len(run.orders),
        "charges": len(run.charges),
        "each_confirmed_order_charged_exactly_once": charged_once and len(run.charges) == len(confirmed),
        "stream_invocations": len(records),
        "stream_records_resent": sum(int(entry.get("failures") or 0) for entry in records),
        "retry_invocations": len(retries),
        "retry_messages": sum(int(entry.get("batch_size") or 0) for entry in retries),
        "placed_after_s": after_s,
        "after_outage_orders": len(latencies),
        "after_outage_p50_ms": percentile(latencies, 0.50),
        "after_outage_p99_ms": percentile(latencies, 0.99),
        "all_final_s_after_start": round(max(finals) - run.started, 1) if finals else None,
    }


def figures(outage: Run, baseline: Run, mode: str) -> dict[str, Any]:
    assert outage.outage is not None
    after_s = outage.outage[1] - outage.started
    drilled, calm = run_figures(outage, after_s), run_figures(baseline, after_s)
    last_final = drilled["all_final_s_after_start"]
    ratio = {
        p: round(drilled[f"after_outage_{p}_ms"] / calm[f"after_outage_{p}_ms"], 2)
        if drilled[f"after_outage_{p}_ms"] and calm[f"after_outage_{p}_ms"]
        else None
        for p in ("p50", "p99")
    }
    return {
        "mode": mode,
        "outage_s": round(outage.outage[1] - outage.outage[0], 1),
        "outage_started_s_after_start": round(outage.outage[0] - outage.started, 1),
        "orders_failed": drilled["statuses"]["FAILED"],
        "backlog_drained": drilled["not_final"] == 0,
        "all_final_s_after_outage_end": round(last_final - after_s, 1) if last_final is not None else None,
        "after_outage_ratio_p50": ratio["p50"],
        "after_outage_ratio_p99": ratio["p99"],
        "targets": {"orders_failed": 0, "after_outage_ratio": "<= 2", "stream_records_resent": 0},
        "met": drilled["statuses"]["FAILED"] == 0
        and drilled["not_final"] == 0
        and drilled["tok_visa_orders_all_confirmed"]
        and drilled["each_confirmed_order_charged_exactly_once"]
        and drilled["stream_records_resent"] == 0
        and all(r is not None and r <= 2 for r in ratio.values()),
        "with_outage": drilled,
        "without_outage": calm,
    }


def print_figures(drill: dict[str, Any]) -> None:
    on, off = drill["with_outage"], drill["without_outage"]
    at, length = drill["outage_started_s_after_start"], drill["outage_s"]
    lines = [
        f"outage drill ({drill['mode']}): a {length:g} s payment outage from t={at:g} s",
        f"  orders FAILED: {drill['orders_failed']} (target 0); statuses {on['statuses']}",
        f"  every tok_visa order CONFIRMED: {on['tok_visa_orders_all_confirmed']}; each charged exactly once: "
        f"{on['each_confirmed_order_charged_exactly_once']} ({on['charges']} charges)",
    ]
    for p in ("p50", "p99"):
        with_it, without = on[f"after_outage_{p}_ms"], off[f"after_outage_{p}_ms"]
        ratio = drill[f"after_outage_ratio_{p}"]
        lines.append(
            f"  order-to-final {p}, orders placed after the outage: {with_it} ms, {without} ms without: {ratio}x"
        )
    lines += [
        f"  stream records re-sent: {on['stream_records_resent']} ({off['stream_records_resent']} without; target 0)",
        f"  retry messages handled: {on['retry_messages']} in {on['retry_invocations']} invocations",
        f"  backlog drained: {drill['backlog_drained']}; every order final "
        f"{drill['all_final_s_after_outage_end']} s after the outage ended",
        f"  all targets met: {drill['met']}",
    ]
    print("\n".join(lines))
