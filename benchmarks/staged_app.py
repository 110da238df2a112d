"""The app's own code staged as the Lambda zip ships it, for the cold-start benchmarks.

Importing from the checkout would measure whatever __pycache__ happens to hold there (none
where PYTHONDONTWRITEBYTECODE is set, as on this machine; Lambda's read-only /var/task
never gets any written). A copy of app.py and chalicelib/, compiled by the same
infrastructure/bytecode.py that `make package` uses, measures what ships."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import ROOT
from infrastructure.bytecode import compile_tree


@contextmanager
def staged_app(*, bytecode: bool) -> Iterator[Path]:
    """A directory holding app.py and chalicelib/ (sources, and their pyc when asked)."""
    with tempfile.TemporaryDirectory(prefix="staged-app-") as scratch:
        root = Path(scratch)
        shutil.copy(ROOT / "app.py", root / "app.py")
        shutil.copytree(ROOT / "chalicelib", root / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
        if bytecode:
            compile_tree(root)
        yield root
