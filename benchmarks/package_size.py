"""Package: the size of the Lambda zip that `make package` writes. It builds the package
when the zip is missing and the packaging module exists; otherwise it says so."""

from __future__ import annotations

import importlib.util
import subprocess

from benchmarks.common import PYTHON, ROOT, Figure, bench_environ, figure_main

ZIP = ROOT / "build" / "terraform" / "deployment.zip"
TARGET_MB = 5.0
BUILD_TIMEOUT_S = 600


def build() -> str:
    """Run `python -m infrastructure.package`; return why the zip is still missing, or ''."""
    if importlib.util.find_spec("infrastructure.package") is None:
        return "make package unavailable"
    try:
        subprocess.run(
            [str(PYTHON), "-m", "infrastructure.package"],
            cwd=ROOT,
            env=bench_environ(),
            check=True,
            timeout=BUILD_TIMEOUT_S,
            stdout=subprocess.DEVNULL,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        return f"make package failed: {error}"
    return "" if ZIP.exists() else f"make package wrote no {ZIP.relative_to(ROOT)}"


def measure(quick: bool) -> list[Figure]:
    reason = ""
    if not ZIP.exists():
        # Packaging resolves wheels from the index: too slow for the quick smoke run.
        reason = "quick mode does not build; run make package first" if quick else build()
    if reason:
        return [Figure("package", None, None, None, f"≤ {TARGET_MB:g} MB", None, "MB", f"not measured ({reason})")]
    size_mb = ZIP.stat().st_size / 1024 / 1024
    return [
        Figure(
            "package",
            round(size_mb, 2),
            None,
            None,
            f"≤ {TARGET_MB:g} MB",
            size_mb <= TARGET_MB,
            "MB",
            note=str(ZIP.relative_to(ROOT)),
        )
    ]


if __name__ == "__main__":
    figure_main(measure)
