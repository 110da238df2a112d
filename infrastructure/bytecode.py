"""Ship compiled bytecode in the Lambda zip.

Lambda's /var/task is read-only, so a zip of .py files alone is compiled from source on
every cold start: pydantic, Powertools, Chalice and chalicelib, each time. `chalice
package` writes no .pyc files (it unpacks wheels, which carry none), so `make package`
adds them here. They are "unchecked-hash" pycs: the interpreter uses them without
comparing the source's mtime, which the zip does not keep faithfully, and the package is
built for exactly one runtime (python3.13), whose magic number they carry. Only the
modules `import app` loads get one: bytecode for every file of the wheels (Powertools'
utilities, pydantic.v1) would add 2 MB to the zip for modules no function imports.
"""

from __future__ import annotations

import importlib.util
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

RUNTIME = (3, 13)
LAMBDA_TASK_ROOT = "/var/task"


def compile_tree(root: Path, sources: Iterable[str] | None = None) -> None:
    """Write an unchecked-hash pyc into __pycache__ beside each source (paths relative to
    root; every .py under root when not given). A file that does not compile is skipped."""
    if sys.version_info[:2] != RUNTIME:
        raise RuntimeError(f"bytecode for python{RUNTIME[0]}.{RUNTIME[1]} needs that interpreter, not {sys.version}")
    if sources is None:
        sources = (path.relative_to(root).as_posix() for path in root.rglob("*.py"))
    for source in sorted(sources):
        try:
            py_compile.compile(
                str(root / source),
                # The path recorded in the code object: the same sources give the same bytes
                # (the runtime corrects it to where the source is when it loads the pyc).
                dfile=f"{LAMBDA_TASK_ROOT}/{source}",
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )
        except py_compile.PyCompileError:
            continue  # wheels ship test and template files that are never imported


def imported_sources(project: Path) -> set[str]:
    """The source files `import app` loads, relative to the project or to site-packages:
    what a cold start imports, so what is worth its bytecode. Run in a fresh interpreter
    of this venv, whose packages are the pinned ones the zip holds."""
    listing = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [sys.executable, "-c", _LIST_IMPORTED],
        cwd=project,
        env={**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(json.loads(listing))


_LIST_IMPORTED = """
import json, os, site, sys
import app
roots = [os.getcwd(), *site.getsitepackages()]
found = []
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None) or ""
    for root in roots:
        if path.endswith(".py") and path.startswith(root + os.sep):
            found.append(os.path.relpath(path, root).replace(os.sep, "/"))
print(json.dumps(sorted(set(found))))
"""


def add_bytecode(zip_path: Path, sources: Iterable[str] | None = None) -> int:
    """Rewrite zip_path with a pyc beside each of its .py files named in sources (all of
    them when not given); returns how many it added."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        with zipfile.ZipFile(zip_path) as original:
            original.extractall(tree)
            modes = {info.filename: info.external_attr for info in original.infolist()}
        shipped = {name for name in modes if name.endswith(".py")}
        compile_tree(tree, shipped if sources is None else shipped & set(sources))
        rebuilt = Path(scratch) / "deployment.zip"
        added = _write_zip(tree, rebuilt, modes)
        shutil.move(rebuilt, zip_path)
    return added


def _write_zip(tree: Path, target: Path, modes: dict[str, int]) -> int:
    added = 0
    # Sorted names and a fixed timestamp: the same sources give the same zip (Terraform's
    # source_code_hash changes only when the code does).
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as rebuilt:
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            name = path.relative_to(tree).as_posix()
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = modes.get(name, 0o644 << 16)
            rebuilt.writestr(info, path.read_bytes())
            added += name not in modes
    return added


def bytecode_name(source: str) -> str:
    """Where the runtime looks for the pyc of a source path inside the zip."""
    return importlib.util.cache_from_source(source)
