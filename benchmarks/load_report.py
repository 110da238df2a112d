"""Turns the Locust samples into the load figures and the plot: POST /orders throughput,
latency percentiles and errors, and the order-to-final-state latency of the polled orders."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

POST, FINAL = ("POST", "/orders"), ("FINAL", "order to final state")
WINDOW_S = 5.0  # latency percentiles over time: a sliding window, one point per second


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 1)


def latency_summary(values: list[float]) -> dict[str, float | int | None]:
    return {"count": len(values), **{f"p{p}": percentile(values, p / 100) for p in (50, 95, 99)}}


def post_figures(requests: list[list[Any]], started: float, hold: tuple[float, float]) -> dict[str, Any]:
    """POST /orders over the whole run and over the hold phase (after the ramp)."""
    posts = [r for r in requests if (r[1], r[2]) == POST]
    held = [r for r in posts if hold[0] <= r[0] - started < hold[1]]
    span = max(hold[1] - hold[0], 1e-9)
    return {
        "requests": len(posts),
        "errors": sum(not r[4] for r in posts),
        "hold_phase_s": [round(hold[0], 1), round(hold[1], 1)],
        "hold_requests_per_s": round(len(held) / span, 2),
        "hold_errors": sum(not r[4] for r in held),
        "hold_latency_ms": latency_summary([r[3] for r in held if r[4]]),
        "run_latency_ms": latency_summary([r[3] for r in posts if r[4]]),
    }


def polled_figures(orders: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Client-observed time to final state of the polled share: what a polling client sees."""
    settled = [o["client_ms"] for o in orders.values() if o.get("client_ms") is not None]
    return {"polled_orders": len(orders), "settled_while_polled": len(settled), **latency_summary(settled)}


def series(requests: list[list[Any]], started: float, duration: float) -> dict[str, list[Any]]:
    posts = [(r[0] - started, r[3], r[4]) for r in requests if (r[1], r[2]) == POST]
    seconds = list(range(math.ceil(duration)))
    out: dict[str, list[Any]] = {"t": seconds, "rps": [], "errors": [], "p50": [], "p95": [], "p99": []}
    for second in seconds:
        out["rps"].append(sum(1 for t, _, _ in posts if second <= t < second + 1))
        out["errors"].append(sum(1 for t, _, ok in posts if second <= t < second + 1 and not ok))
        window = [ms for t, ms, ok in posts if ok and second + 1 - WINDOW_S <= t < second + 1]
        for p in (50, 95, 99):
            out[f"p{p}"].append(percentile(window, p / 100))
    return out


def plot(path: Path, curve: dict[str, list[Any]], finals: list[tuple[float, float]], rate: Any, title: str) -> None:
    """Three panels: POST latency percentiles; each order's time to final state by the time it
    was placed; and placed, settled and failed requests per second against the target."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (latency, final, throughput) = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
    figure.suptitle(title)
    for p, style in (("p50", "-"), ("p95", "--"), ("p99", ":")):
        latency.plot(curve["t"], curve[p], style, label=f"{p} ({WINDOW_S:g} s window)")
    latency.set_ylabel("POST /orders latency (ms)")
    latency.legend(loc="upper left")
    if finals:
        final.scatter(
            *zip(*finals, strict=True), s=4, label="each order, by the time it was placed (server timestamps)"
        )
        final.legend(loc="upper left")
    final.set_ylabel("order to final state (ms)")
    throughput.plot(curve["t"], curve["rps"], label="POST /orders per second")
    throughput.plot(curve["t"], curve["settled"], label="orders reaching a final state per second")
    throughput.plot(curve["t"], rate, "--", label="target")
    throughput.bar(curve["t"], curve["errors"], color="tab:red", label="errors per second")
    throughput.set_ylabel("requests/s")
    throughput.set_xlabel("seconds since start")
    throughput.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
