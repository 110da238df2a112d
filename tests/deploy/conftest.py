"""Fixtures for the deployment tests: a fresh package in a scratch directory (build/
is left alone), an initialized Terraform root, and a moto server on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstack.processes import free_port, stop_all
from infrastructure import package
from tests.deploy.terraform_cli import Terraform, cli_config, find_provider_mirror, terraform_or_skip


@dataclass(frozen=True)
class Packaged:
    terraform_root: Path
    sam_template: Path


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    """What `make package` writes, built once per session."""
    build = tmp_path_factory.mktemp("build")
    root = package.build_terraform(build / "terraform")
    sam = package.build_cloudformation(build / "cloudformation")
    return Packaged(root, sam)


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    binary = terraform_or_skip()
    config = cli_config(tmp_path_factory.mktemp("terraform-cli"), find_provider_mirror())
    return Terraform(binary, config)


@pytest.fixture(scope="session")
def initialized_root(packaged: Packaged, terraform: Terraform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packaged root after `terraform init` (tests may add files to it)."""
    root = tmp_path_factory.mktemp("root") / "terraform"
    shutil.copytree(packaged.terraform_root, root)
    terraform.run(root, "init", "-backend=false", "-no-color")
    return root


def _wait_until_up(url: str, server: subprocess.Popen[bytes], deadline_s: float) -> None:
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        if server.poll() is not None:
            raise RuntimeError(f"moto server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server did not answer at {url}")


@pytest.fixture
def moto_endpoint(tmp_path: Path) -> Iterator[str]:
    """A moto server on a free loopback port, stopped (with its process group) afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environ = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    log = (tmp_path / "moto.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=environ,
        start_new_session=True,
    )
    try:
        _wait_until_up(url, server, deadline_s=30)
        yield url
    finally:
        stop_all([server], grace_s=10)
        log.close()
