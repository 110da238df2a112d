"""Zip import: `import app` from the unpacked Lambda zip as `make package` writes it
(bytecode for what the app imports, infrastructure/bytecode.py), over the same zip with
every pyc removed, as it shipped before: Lambda's /var/task is read-only, so without them
each cold start compiles pydantic, Powertools, Chalice and chalicelib from source.
Paired runs, median ratio. The zip's pydantic_core is built for the arm64 function, so
this machine imports the venv's (the same pinned version) in both."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from benchmarks.cold_start import wall_time
from benchmarks.common import Figure, bench_environ, figure_main, median, paired_ratio, paired_runs
from benchmarks.package_size import ZIP

CODE = "import app"
NAME = "import from the Lambda zip"


def unpack(target: Path, *, bytecode: bool) -> Path:
    with zipfile.ZipFile(ZIP) as archive:
        archive.extractall(target)
    shutil.rmtree(target / "pydantic_core")
    if not bytecode:
        for cache in list(target.rglob("__pycache__")):
            shutil.rmtree(cache)
    return target


def measure(quick: bool) -> list[Figure]:
    if not ZIP.exists():
        return [Figure(NAME, None, None, None, "none", None, "ms wall", "not measured (no zip: make package)")]
    runs = 3 if quick else 15
    environ = bench_environ(PYTHONDONTWRITEBYTECODE="1")  # as on Lambda: nothing is written
    with tempfile.TemporaryDirectory() as scratch:
        shipped = unpack(Path(scratch) / "shipped", bytecode=True)
        before = unpack(Path(scratch) / "before", bytecode=False)
        withs, withouts = paired_runs(
            runs, lambda: wall_time(CODE, environ, shipped), lambda: wall_time(CODE, environ, before)
        )
    return [
        Figure(
            NAME,
            round(median(withs) * 1000, 1),
            round(median(withouts) * 1000, 1),
            round(paired_ratio(withs, withouts), 2),
            "none",
            None,
            unit="ms wall",
            note="floor: the same zip without bytecode, as shipped before",
            details={"runs": runs},
        )
    ]


if __name__ == "__main__":
    figure_main(measure)
