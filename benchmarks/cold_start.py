"""Cold start: wall time of a fresh interpreter that imports the app and builds its
clients, over a fresh interpreter that only imports boto3 and builds one DynamoDB client.
The two are interleaved (A B A B ...) so that machine drift hits both alike."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from benchmarks.common import PYTHON, ROOT, Figure, bench_environ, figure_main, median, paired_ratio, paired_runs
from benchmarks.staged_app import staged_app

APP = "import app\nfrom chalicelib import bootstrap\nbootstrap.container()"
FLOOR = "import boto3\nboto3.client('dynamodb')"
TARGET = 1.3


def wall_time(code: str, environ: dict[str, str], cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    subprocess.run([str(PYTHON), "-c", code], cwd=cwd, env=environ, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def module_self_times(code: str, environ: dict[str, str], cwd: Path = ROOT) -> dict[str, float]:
    """Each module's import self-time in ms, from one `python -X importtime` run."""
    argv = [str(PYTHON), "-X", "importtime", "-c", code]
    result = subprocess.run(argv, cwd=cwd, env=environ, check=True, capture_output=True, text=True)
    times: dict[str, float] = {}
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*([\w.]+)", line)
        if match:
            times[match.group(2)] = int(match.group(1)) / 1000
    return times


def import_breakdown(
    code: str, environ: dict[str, str], runs: int, count: int = 8, cwd: Path = ROOT
) -> dict[str, dict[str, float]]:
    """Import self-time by top-level package and by module; each module's fastest of `runs`
    runs, since a busy machine only ever adds time."""
    samples = [module_self_times(code, environ, cwd) for _ in range(runs)]
    modules = {name: min(sample.get(name, 0.0) for sample in samples) for name in samples[0]}
    packages: dict[str, float] = {}
    for name, ms in modules.items():
        packages[name.split(".")[0]] = packages.get(name.split(".")[0], 0.0) + ms
    own = {name: ms for name, ms in modules.items() if name == "app" or name.startswith("chalicelib")}
    return {"by_package": _top(packages, count), "by_module": _top(modules, count), "project": _top(own, count)}


def _top(times: dict[str, float], count: int) -> dict[str, float]:
    return {name: round(ms, 1) for name, ms in sorted(times.items(), key=lambda item: item[1], reverse=True)[:count]}


def measure(quick: bool) -> list[Figure]:
    runs = 3 if quick else 15
    # As in Lambda: the function name is set, so app.py validates settings at import.
    environ = bench_environ(AWS_LAMBDA_FUNCTION_NAME="orders-dev-api_handler")
    with staged_app(bytecode=True) as shipped:
        apps, floors = paired_runs(runs, lambda: wall_time(APP, environ, shipped), lambda: wall_time(FLOOR, environ))
        app_imports = import_breakdown(APP, environ, 1 if quick else 5, cwd=shipped)
    ratio = paired_ratio(apps, floors)
    return [
        Figure(
            "cold start",
            round(median(apps) * 1000, 1),
            round(median(floors) * 1000, 1),
            round(ratio, 2),
            f"≤ {TARGET}x",
            ratio <= TARGET,
            unit="ms wall",
            details={
                "runs": runs,
                "app_imports_ms": app_imports,
                "floor_imports_ms": import_breakdown(FLOOR, environ, 1 if quick else 5),
            },
        )
    ]


if __name__ == "__main__":
    figure_main(measure)
