"""Reads the benchmark's measured figures (benchmarks/results.json) into the model."""

from __future__ import annotations

import json
from pathlib import Path

from ops.capacity import MEASURABLE, WorkloadProfile

FULL_VCPU_MEMORY_MB = 1769  # Lambda allots one full vCPU at 1,769 MB, proportionally below
DYNAMODB_ROUND_TRIP_MS = 5.0  # an assumed in-region round trip; single-digit ms per AWS


def load_measured(path: Path) -> dict[str, float]:
    """The benchmark's values for MEASURABLE fields; none when the file does not exist."""
    data = json.loads(path.read_text()) if path.exists() else {}
    return measured_inputs(data, str(path))


def measured_inputs(data: object, source: str) -> dict[str, float]:
    """The MEASURABLE values of a benchmark results document (`source` names it in errors)."""
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a JSON object")
    found = {key: data[key] for key in MEASURABLE if data.get(key) is not None}
    if any(isinstance(value, bool) or not isinstance(value, int | float) or value <= 0 for value in found.values()):
        raise ValueError(f"{source}: measured values must be positive numbers, got {found}")
    measured = {key: float(value) for key, value in found.items()}
    calls = data.get("dynamodb_calls_per_order")
    if isinstance(calls, dict):
        # The benchmark measures CPU on a full core in process; a Lambda gets memory/1769
        # of a vCPU and waits on each DynamoDB round trip besides.
        memory = measured.get("lambda_memory_mb", WorkloadProfile().lambda_memory_mb)
        for key, role in (("intake_ms", "intake"), ("processing_ms_per_record", "processing")):
            if key in measured and isinstance(calls.get(role), int | float):
                measured[key] = lambda_duration_ms(measured[key], memory, float(calls[role]))
    return measured


def lambda_duration_ms(cpu_ms: float, memory_mb: float, dynamodb_calls: float) -> float:
    return round(cpu_ms * FULL_VCPU_MEMORY_MB / memory_mb + dynamodb_calls * DYNAMODB_ROUND_TRIP_MS, 3)
