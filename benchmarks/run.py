"""`make bench`: runs each figure in its own interpreter (stdout to /dev/null, as the
service logs there in production), prints one table and writes benchmarks/results.json.

A missed target is reported, never a failure; only a crashed script exits non-zero.
`--quick` is the CI smoke run: fewer repetitions and fewer orders, under a minute."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import PYTHON, ROOT, bench_environ
from benchmarks.cost_figures import cost_lines, cost_per_million_orders

MODULES = [
    "cold_start",
    "cold_request",
    "intake_cpu",
    "processing_cpu",
    "writes_per_order",
    "wasted_invocations",
    "package_size",
    "zip_import",  # after package_size, which builds the zip
]
RESULTS = ROOT / "benchmarks" / "results.json"
QUICK_RESULTS = ROOT / "benchmarks" / "results-quick.json"
Row = dict[str, Any]


def run_module(module: str, quick: bool) -> list[Row]:
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "figures.json"
        command = [str(PYTHON), "-m", f"benchmarks.{module}", "--out", str(out), *(["--quick"] if quick else [])]
        finished = subprocess.run(command, cwd=ROOT, env=bench_environ(), stdout=subprocess.DEVNULL, check=False)
        if finished.returncode != 0 or not out.exists():
            return [{"name": module, "error": f"crashed with exit code {finished.returncode}"}]
        rows: list[Row] = json.loads(out.read_text())
        return rows


def cell(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:g} {unit}".strip() if isinstance(value, int | float) else str(value)


def table(rows: list[Row]) -> list[str]:
    lines = ["| figure | measured | floor | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['name']} | {row['error']} | - | - | - | - |")
            continue
        met = {True: "yes", False: "**no**", None: "-"}[row["met"]]
        measured = cell(row["measured"], row["unit"]) + (f" ({row['note']})" if row["note"] else "")
        ratio = cell(row["ratio"]) + ("x" if row["ratio"] is not None else "")
        lines.append(
            f"| {row['name']} | {measured} | {cell(row['floor'], row['unit'])} | {ratio} | {row['target']} | {met} |"
        )
    return lines


def where_time_goes(rows: list[Row]) -> list[str]:
    lines = []
    for row in rows:
        details = row.get("details", {})
        if row.get("met") is False and ("profile_shares" in details or "app_imports_ms" in details):
            lines.append(f"\n{row['name']} missed its target; where the time goes:")
            for label, share in details.get("profile_shares", {}).items():
                lines.append(f"  {share:>4}  {label}")
            if "ratio_without_event_log_line_and_metric" in details:
                without = details["ratio_without_event_log_line_and_metric"]
                lines.append(f"  ratio without the event's log line and metric: {without}x")
            for name, breakdown in details.get("app_imports_ms", {}).items():
                lines.append(f"  import self-time {name}: {breakdown}")
    return lines


def cost_inputs(rows: list[Row]) -> dict[str, Any]:
    """The keys ops/cost.py reads with --inputs (writes count item writes)."""
    by_name = {row["name"]: row for row in rows if "error" not in row}
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    memory = max(function["lambda_memory_size"] for function in config["lambda_functions"].values())

    def value(name: str, key: str = "measured") -> Any:
        return by_name.get(name, {}).get(key)

    writes = value("writes per order", "details") or {}
    outcomes = writes.get("by_outcome", {})
    return {
        "writes_per_order": outcomes.get("approved", {}).get("item_writes"),
        "writes_per_order_with_key": outcomes.get("approved, with key", {}).get("item_writes"),
        "table_write_units_per_order": outcomes.get("approved", {}).get("table_write_units"),
        "table_write_units_per_order_with_key": outcomes.get("approved, with key", {}).get("table_write_units"),
        "index_write_units_per_order": outcomes.get("approved", {}).get("index_write_units"),
        "index_write_units_per_order_with_key": outcomes.get("approved, with key", {}).get("index_write_units"),
        "intake_ms": value("intake CPU"),
        "processing_ms_per_record": value("processing CPU"),
        "lambda_memory_mb": memory,
        "dynamodb_calls_per_order": {
            "intake": outcomes.get("approved", {}).get("intake_calls"),
            "intake_with_key": outcomes.get("approved, with key", {}).get("intake_calls"),
            "processing": outcomes.get("approved", {}).get("processing_calls"),
        },
        "basis": {
            "writes_per_order*": "item writes of an approved order on its own items (a transaction counts its items)",
            "*_write_units_per_order*": "write units of an approved order, from the items it wrote (DynamoDB's "
            "item-size rules, transactional writes doubled, index entries the writes touched)",
            "intake_ms, processing_ms_per_record": "CPU ms on one full core, in process, in-memory store: "
            "no DynamoDB round trips and no Lambda CPU share scaling (Lambda gives memory/1769 of a vCPU)",
            "lambda_memory_mb": "the largest lambda_memory_size in .chalice/config.json",
            "dynamodb_calls_per_order": "every DynamoDB call of an approved order (ledger included): "
            "the round trips a Lambda duration adds to the CPU time above",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, 20 orders: the CI smoke run")
    parser.add_argument("--out", type=Path, help="results file (default benchmarks/results.json, or -quick)")
    args = parser.parse_args()
    started = time.monotonic()
    load_before = os.getloadavg()
    rows = [row for module in MODULES for row in run_module(module, args.quick)]
    print("\n".join(table(rows) + where_time_goes(rows)))
    results = {
        **cost_inputs(rows),
        "mode": "quick" if args.quick else "full",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average_before": load_before},
        "seconds": round(time.monotonic() - started, 1),
        "figures": rows,
    }
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    earlier = json.loads(out.read_text()) if out.exists() else {}
    if "drill" in earlier:  # `make drill` writes its own key into the same file: keep it
        results["drill"] = earlier["drill"]
    results["cost_per_million_orders"] = cost_per_million_orders(results)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print("\n".join(cost_lines(results["cost_per_million_orders"])))
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} in {results['seconds']} s")
    sys.exit(1 if any("error" in row for row in rows) else 0)


if __name__ == "__main__":
    main()
