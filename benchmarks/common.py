"""What every figure module shares: the figure record, medians, the environment each
measurement runs in, and the command-line contract run.py drives them through."""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
TABLE_NAME = "orders-bench"

# Dummy credentials and a region: building a boto3 client makes no call, and moto needs them.
AWS_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}
# The production logging level (see .chalice/config.json); stdout goes to /dev/null.
PRODUCTION_ENV = {"POWERTOOLS_SERVICE_NAME": "orders", "POWERTOOLS_METRICS_NAMESPACE": "Orders"}
PRODUCTION_ENV["POWERTOOLS_LOG_LEVEL"] = "INFO"


@dataclass
class Figure:
    name: str
    measured: float | None
    floor: float | None
    ratio: float | None
    target: str
    met: bool | None
    unit: str = ""
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def median(values: list[float]) -> float:
    return statistics.median(values)


def paired_ratio(measured: list[float], floors: list[float]) -> float:
    """Median of per-run ratios: each run's floor cancels that run's machine speed."""
    return statistics.median(m / f for m, f in zip(measured, floors, strict=True))


def paired_runs(runs: int, *takes: Callable[[], float]) -> list[list[float]]:
    """Each measurement once to warm the page cache, then `runs` rounds of all of them in
    turn: a slow spell of the machine falls on every one of a round alike, which is what
    `paired_ratio` relies on."""
    for take in takes:
        take()
    samples: list[list[float]] = [[] for _ in takes]
    for _ in range(runs):
        for sample, take in zip(samples, takes, strict=True):
            sample.append(take())
    return samples


def bench_environ(**extra: str) -> dict[str, str]:
    return {**os.environ, **AWS_ENV, **PRODUCTION_ENV, "ORDERS_TABLE": TABLE_NAME, **extra}


def apply_environ(**extra: str) -> None:
    """Set before the app or boto3 is imported: settings and Powertools read them once."""
    os.environ.update(bench_environ(**extra))


def figure_main(measure: Callable[[bool], list[Figure]]) -> None:
    """`python -m benchmarks.<figure> [--quick] --out FILE`: run.py's contract with each module."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    figures = measure(args.quick)
    args.out.write_text(json.dumps([asdict(figure) for figure in figures], indent=1))


def _profile_rows(profiler: Any) -> dict[tuple[str, int, str], tuple[int, int, float, float, Any]]:
    import pstats

    rows: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return rows


def _short(filename: str) -> str:
    return filename.replace(str(ROOT) + os.sep, "").split("site-packages" + os.sep)[-1]


def profile_top(profiler: Any, count: int = 12) -> list[str]:
    """The functions with the most own time: 'own ms, cumulative ms, calls, file:line(name)'."""
    rows = sorted(_profile_rows(profiler).items(), key=lambda item: item[1][2], reverse=True)[:count]
    return [
        f"{tottime * 1000:7.1f} ms own {cumtime * 1000:7.1f} ms cum {calls:6d}x {_short(filename)}:{line}({name})"
        for (filename, line, name), (_, calls, tottime, cumtime, _) in rows
    ]


def profile_shares(profiler: Any, total: tuple[str, str], steps: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Each step's cumulative time as a share of `total`; steps are (file suffix, function)."""
    rows = _profile_rows(profiler)

    def cumulative(suffix: str, function: str) -> float:
        return sum(
            row[3] for (filename, _, name), row in rows.items() if filename.endswith(suffix) and name == function
        )

    whole = cumulative(*total) or 1.0
    return {label: f"{cumulative(*where) / whole:.0%}" for label, where in steps.items()}
