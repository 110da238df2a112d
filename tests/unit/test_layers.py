"""app.py is held to the import contracts of pyproject.toml ([tool.importlinter]), which
import-linter cannot apply to a single module: it routes, so it imports only Chalice,
the standard library and chalicelib's entry points, composition root and services."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
ALLOWED_CHALICELIB = ("chalicelib.bootstrap", "chalicelib.entrypoints", "chalicelib.service_layer")
ALLOWED_CHALICELIB += ("chalicelib.exceptions", "chalicelib.observability", "chalicelib.resources")
ALLOWED_CHALICELIB += ("chalicelib.settings",)


def imported_modules(source: str) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def offending(source: str) -> list[str]:
    bad = []
    for module in imported_modules(source):
        root = module.split(".")[0]
        if root in sys.stdlib_module_names or root == "chalice":
            continue
        if root == "chalicelib" and module.startswith(ALLOWED_CHALICELIB):
            continue
        bad.append(module)
    return bad


def test_app_imports_only_the_framework_and_the_entry_side_of_chalicelib() -> None:
    assert offending(APP.read_text()) == []


def test_the_check_would_catch_sdk_adapter_and_tooling_imports() -> None:
    source = "import boto3\nfrom botocore.config import Config\nfrom chalicelib.adapters import items\n"
    source += "from ops import cost\nimport devstack.run\nfrom infrastructure import package\nimport benchmarks\n"
    assert len(offending(source)) == 7
