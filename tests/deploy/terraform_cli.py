"""The Terraform CLI for the deploy tests: found on PATH, fed from a provider mirror
found at run time (never a hard-coded path), run without prompts or telemetry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

PROVIDER = "registry.terraform.io/hashicorp/aws"
REQUIRE_VARIABLE = "ORDERS_REQUIRE_TERRAFORM"
MIRROR_VARIABLE = "TF_PROVIDER_MIRROR"
# Cheap, likely places first; the whole filesystem only as a last resort.
_SEARCH_ROOTS = (
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt",
    "/usr/local",
    "/srv",
    "/var/lib",
    "/",
)
_NOT_THERE = {"proc", "sys", "dev", "run", "tmp", ".git", ".venv", "node_modules", "__pycache__", ".terraform"}


def terraform_or_skip() -> str:
    """The terraform binary; skip without it, or fail when CI demands it."""
    binary = shutil.which("terraform")
    if binary is None:
        reason = "the Terraform CLI is not on PATH (needed for init, validate, fmt and apply)"
        if os.environ.get(REQUIRE_VARIABLE) == "1":
            pytest.fail(f"{reason}, and {REQUIRE_VARIABLE}=1 forbids skipping")
        pytest.skip(reason)
    return binary


def _walk(root: Path, give_up: float) -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(root):
        if time.monotonic() > give_up:  # a huge disk without a mirror must not stall the tests
            return
        subdirectories[:] = [name for name in subdirectories if name not in _NOT_THERE]
        for name in files:
            if name.startswith("terraform-provider-aws"):
                yield Path(directory) / name


def find_provider_mirror(budget_s: float = 30.0) -> Path | None:
    """The directory holding registry.terraform.io/hashicorp/aws/..., or None (then init downloads)."""
    if os.environ.get(MIRROR_VARIABLE):
        return Path(os.environ[MIRROR_VARIABLE])
    give_up = time.monotonic() + budget_s
    for root in _SEARCH_ROOTS:
        start = Path(root).expanduser()
        if not start.is_dir():
            continue
        for binary in _walk(start, give_up):
            text = binary.as_posix()
            if f"/{PROVIDER}/" in text:
                return Path(text.split(f"/{PROVIDER}/")[0])
    return None


def cli_config(directory: Path, mirror: Path | None) -> Path:
    path = directory / "terraform.rc"
    if mirror is None:
        path.write_text("")
        return path
    path.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = {json.dumps(str(mirror))}\n    include = ["{PROVIDER}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{PROVIDER}"]\n  }}\n'
        "}\n"
    )
    return path


class Terraform:
    def __init__(self, binary: str, cli_config_file: Path) -> None:
        self.binary = binary
        self.environ = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(cli_config_file),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }

    def run(
        self, root: Path, *arguments: str, check: bool = True, timeout: int = 240
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [self.binary, f"-chdir={root}", *arguments],
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            pytest.fail(
                f"terraform {' '.join(arguments)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def json(self, root: Path, *arguments: str) -> Any:
        return json.loads(self.run(root, *arguments).stdout)
