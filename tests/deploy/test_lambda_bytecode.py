"""The Lambda zip carries bytecode the runtime uses as is (infrastructure/bytecode.py):
without it, Lambda's read-only /var/task makes every cold start compile pydantic,
Powertools, Chalice and chalicelib from source."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infrastructure.bytecode import add_bytecode, bytecode_name, imported_sources
from tests.deploy.conftest import Packaged

pytestmark = pytest.mark.deploy

# PEP 552: flags word 0b01 is hash-based and unchecked (0b11 would re-hash the source).
UNCHECKED_HASH = 0b01
PROJECT = Path(__file__).resolve().parents[2]


def pyc_flags(data: bytes) -> tuple[bytes, int]:
    return data[:4], int.from_bytes(data[4:8], "little")


def test_what_the_app_imports_ships_an_unchecked_pyc_for_this_runtime(packaged: Packaged) -> None:
    with zipfile.ZipFile(packaged.terraform_root / "deployment.zip") as archive:
        names = set(archive.namelist())
        headers = {pyc_flags(archive.read(name)) for name in names if name.endswith(".pyc")}
    imported = imported_sources(PROJECT) & names
    missing = sorted(source for source in imported if bytecode_name(source) not in names)
    assert {
        "app.py",
        "chalicelib/bootstrap.py",
        "pydantic/main.py",
        "aws_lambda_powertools/logging/logger.py",
    } <= imported
    assert missing == []
    assert headers == {(importlib.util.MAGIC_NUMBER, UNCHECKED_HASH)}


def test_the_app_imported_from_the_unpacked_zip_compiles_nothing(packaged: Packaged, tmp_path: Path) -> None:
    """As on Lambda: nothing may be written (read-only), so every module of the zip the app
    imports must come from its pyc; `python -v` names each code object's origin."""
    with zipfile.ZipFile(packaged.terraform_root / "deployment.zip") as archive:
        archive.extractall(tmp_path)
    # The zip's pydantic_core is built for the arm64 function; this machine imports the
    # venv's (the same pinned version). Everything else the app imports comes from the zip.
    shutil.rmtree(tmp_path / "pydantic_core")
    environ = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "AWS_DEFAULT_REGION": "us-east-1"}
    environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
    verbose = subprocess.run(
        [sys.executable, "-v", "-c", "import app"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    from_zip = [
        line for line in verbose.splitlines() if line.startswith("# code object from") and str(tmp_path) in line
    ]
    compiled = [line for line in from_zip if not line.rstrip("'").endswith(".pyc")]
    assert len(from_zip) > 100
    assert compiled == []


def test_add_bytecode_compiles_what_compiles_and_keeps_every_file(tmp_path: Path) -> None:
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w") as original:
        original.writestr("app.py", "VALUE = 1\n")
        original.writestr("pkg/__init__.py", "")
        original.writestr("pkg/template.py", "def broken(:\n")  # wheels ship such files
        script = zipfile.ZipInfo("pkg/run.sh")
        script.external_attr = 0o755 << 16
        original.writestr(script, "#!/bin/sh\n")
    assert add_bytecode(archive) == 2
    assert add_bytecode(archive, sources=["pkg/__init__.py"]) == 0  # already there: nothing new
    with zipfile.ZipFile(archive) as rebuilt:
        names = set(rebuilt.namelist())
        flags = pyc_flags(rebuilt.read("__pycache__/app.cpython-313.pyc"))
        mode = rebuilt.getinfo("pkg/run.sh").external_attr >> 16
    assert names == {
        "app.py",
        "__pycache__/app.cpython-313.pyc",
        "pkg/__init__.py",
        "pkg/__pycache__/__init__.cpython-313.pyc",
        "pkg/template.py",
        "pkg/run.sh",
    }
    assert flags == (importlib.util.MAGIC_NUMBER, UNCHECKED_HASH)
    assert mode == 0o755


def test_add_bytecode_compiles_only_the_sources_named(tmp_path: Path) -> None:
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w") as original:
        original.writestr("used.py", "")
        original.writestr("unused.py", "")
    assert add_bytecode(archive, sources=["used.py", "not/in/the/zip.py"]) == 1
    with zipfile.ZipFile(archive) as rebuilt:
        assert set(rebuilt.namelist()) == {"used.py", "unused.py", "__pycache__/used.cpython-313.pyc"}


def test_add_bytecode_writes_the_same_zip_for_the_same_sources(tmp_path: Path) -> None:
    zips = []
    for name in ("one", "two"):
        archive = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(archive, "w") as original:
            original.writestr("app.py", "VALUE = 1\n")
        add_bytecode(archive)
        zips.append(archive.read_bytes())
    assert zips[0] == zips[1]
