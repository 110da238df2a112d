"""Ship compiled bytecode in the Lambda zip.

Lambda's /var/task is read-only, so a zip of .py files alone is compiled from source on
every cold start: pydantic, Powertools, Chalice and chalicelib, each time. `chalice
package` writes no .pyc files (it unpacks wheels, which carry none), so `make package`
adds them here. They are "unchecked-hash" pycs: the interpreter uses them without
comparing the source's mtime, which the zip does not keep faithfully, and the package is
built for exactly one runtime (python3.13), whose magic number they carry.
"""

from __future__ import annotations

import compileall
import importlib.util
import py_compile
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

RUNTIME = (3, 13)
LAMBDA_TASK_ROOT = "/var/task"
# Wheels ship test and template files that are never imported; some are not even valid
# Python for this version. A file that does not compile keeps no pyc and still ships.
_QUIET = 2


def compile_tree(root: Path) -> None:
    """Write an unchecked-hash pyc into __pycache__ beside every .py file under root."""
    if sys.version_info[:2] != RUNTIME:
        raise RuntimeError(f"bytecode for python{RUNTIME[0]}.{RUNTIME[1]} needs that interpreter, not {sys.version}")
    compileall.compile_dir(
        root,
        quiet=_QUIET,
        workers=1,
        # The path recorded in each code object, so the same sources give the same bytes
        # (the runtime corrects it to where the source really is when it loads the pyc).
        stripdir=str(root),
        prependdir=LAMBDA_TASK_ROOT,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def add_bytecode(zip_path: Path) -> int:
    """Rewrite zip_path with a pyc beside each .py it holds; returns how many it added."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        with zipfile.ZipFile(zip_path) as original:
            original.extractall(tree)
            modes = {info.filename: info.external_attr for info in original.infolist()}
        compile_tree(tree)
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
