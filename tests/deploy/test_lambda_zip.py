"""Only the service ships: the Lambda zip that `make package` writes holds app.py,
chalicelib/, Chalice's runtime and the runtime dependencies, and nothing else.

Chalice zips app.py, all of chalicelib/ and everything requirements.txt installs, so
an operator tool or a dev-only package that lands there ships silently (and costs
cold-start time and attack surface). The allow-list below was read off a real zip.
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.deploy.conftest import Packaged

pytestmark = pytest.mark.deploy

PROJECT = Path(__file__).resolve().parents[2]
# Code that is ours but must not ship; chalicelib/ops/ is where the operator tools used to live.
NOT_SHIPPED = ("ops/", "devstack/", "infrastructure/", "benchmarks/", "tests/", "chalicelib/ops/")
# `chalice package` adds its runtime as exactly these two files (chalice/deploy/packager.py), not the CLI.
CHALICE_RUNTIME = {"chalice/__init__.py", "chalice/app.py"}
# What requirements.txt pulls in besides itself, by the package whose Requires-Dist names it.
TRANSITIVE = {
    "pydantic_core": "pydantic",
    "annotated_types": "pydantic",
    "typing_inspection": "pydantic",
    "typing_extensions": "pydantic, pydantic_core, typing_inspection, aws_lambda_powertools",
    "jmespath": "aws_lambda_powertools",
}
# A wheel's metadata (name-1.0.dist-info) and its data directory (jmespath ships scripts/jp.py there).
_WHEEL_DIR = re.compile(r"^(?P<name>[^-]+)-[^-]+\.(dist-info|data)$")


def _normalize(name: str) -> str:
    """One spelling for a distribution or import name: aws-lambda-powertools == aws_lambda_powertools."""
    return re.sub(r"[-_.]+", "_", name).lower()


def requirement_names(requirements: Path) -> set[str]:
    """The distributions requirements.txt names directly (comments, options and pins dropped)."""
    names = set()
    for raw in requirements.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_normalize(re.split(r"[\s\[<>=!~;@]", line, maxsplit=1)[0]))
    return names


def runtime_names() -> set[str]:
    return requirement_names(PROJECT / "requirements.txt") | set(TRANSITIVE)


def not_shipped_entries(names: Iterable[str]) -> list[str]:
    return sorted(name for name in names if name.startswith(NOT_SHIPPED))


def _source_of(name: str) -> str:
    """A shipped pyc (infrastructure/bytecode.py) is judged as the source it was compiled from."""
    return importlib.util.source_from_cache(name) if "/__pycache__/" in f"/{name}" else name


def unexpected_entries(names: Iterable[str], allowed: set[str]) -> list[str]:
    """Top-level entries that are neither the service nor a runtime dependency in `allowed`,
    and any chalice/ file beyond the runtime (the whole chalice package is a dev tool)."""
    unexpected = set()
    for name in map(_source_of, names):
        top = name.split("/", 1)[0]
        if top == "chalice":
            if name not in CHALICE_RUNTIME:
                unexpected.add(name)
            continue
        if top in ("app.py", "chalicelib"):
            continue
        wheel_dir = _WHEEL_DIR.match(top)
        package = wheel_dir["name"] if wheel_dir else top.removesuffix(".py")
        if _normalize(package) not in allowed:
            unexpected.add(top)
    return sorted(unexpected)


def zip_problems(zip_path: Path, allowed: set[str]) -> list[str]:
    """Everything wrong with a Lambda zip, one line each; empty when only the service ships."""
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    problems = []
    if not_shipped := not_shipped_entries(names):
        problems.append(f"not shipped, yet in the zip: {', '.join(not_shipped)}")
    problems += [f"missing: {need}" for need in ("app.py", "chalicelib/__init__.py") if need not in names]
    if unexpected := unexpected_entries((name for name in names if name not in not_shipped), allowed):
        problems.append(f"not a runtime dependency from requirements.txt: {', '.join(unexpected)}")
    return problems


def test_the_lambda_zip_holds_only_the_service_and_its_runtime_dependencies(packaged: Packaged) -> None:
    problems = zip_problems(packaged.terraform_root / "deployment.zip", runtime_names())
    assert not problems, "deployment.zip:\n" + "\n".join(problems)


def _write_zip(path: Path, names: Iterable[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "")
    return path


SERVICE = (
    "app.py",
    "chalicelib/__init__.py",
    "chalice/app.py",
    "chalice/__init__.py",
    "__pycache__/app.cpython-313.pyc",
    "chalice/__pycache__/app.cpython-313.pyc",
)
DEPENDENCIES = (
    "pydantic/__init__.py",
    "pydantic-2.14.4.dist-info/METADATA",
    "typing_extensions.py",
    "__pycache__/typing_extensions.cpython-313.pyc",
    "jmespath-1.1.0.data/scripts/jp.py",
)


def test_a_zip_of_the_service_and_its_dependencies_passes(tmp_path: Path) -> None:
    assert zip_problems(_write_zip(tmp_path / "ok.zip", SERVICE + DEPENDENCIES), runtime_names()) == []


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("ops/x.py", "not shipped, yet in the zip: ops/x.py"),
        ("chalicelib/ops/cost.py", "not shipped, yet in the zip: chalicelib/ops/cost.py"),
        ("tests/conftest.py", "not shipped, yet in the zip: tests/conftest.py"),
        ("boto3/__init__.py", "not a runtime dependency from requirements.txt: boto3"),
        ("moto-5.2.5.dist-info/METADATA", "not a runtime dependency from requirements.txt: moto-5.2.5.dist-info"),
        ("six.py", "not a runtime dependency from requirements.txt: six.py"),
        ("__pycache__/six.cpython-313.pyc", "not a runtime dependency from requirements.txt: six.py"),
        ("chalice/cli/__init__.py", "not a runtime dependency from requirements.txt: chalice/cli/__init__.py"),
    ],
)
def test_a_zip_with_anything_else_fails_naming_it(tmp_path: Path, extra: str, problem: str) -> None:
    archive = _write_zip(tmp_path / "bad.zip", (*SERVICE, *DEPENDENCIES, extra))
    assert zip_problems(archive, runtime_names()) == [problem]


def test_a_zip_without_the_app_fails(tmp_path: Path) -> None:
    archive = _write_zip(tmp_path / "empty.zip", DEPENDENCIES)
    assert zip_problems(archive, runtime_names()) == ["missing: app.py", "missing: chalicelib/__init__.py"]
