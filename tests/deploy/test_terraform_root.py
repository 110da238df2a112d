"""The packaged root: initializes from the provider mirror, validates without a single
warning (deprecations are warnings), is formatted, and needs nothing but hashicorp/aws."""

from __future__ import annotations

import re
from pathlib import Path

import hcl2
import pytest
from chalice.app import Chalice

from infrastructure import package
from tests.deploy.conftest import Packaged
from tests.deploy.terraform_cli import Terraform

pytestmark = pytest.mark.deploy


def load(root: Path) -> dict[str, list[dict[str, object]]]:
    """Every .tf file of the root, parsed: block type -> blocks."""
    blocks: dict[str, list[dict[str, object]]] = {}
    for path in sorted(root.glob("*.tf")):
        for kind, found in hcl2.loads(path.read_text()).items():
            blocks.setdefault(kind, []).extend(found)
    return blocks


def test_the_root_validates_without_warnings(terraform: Terraform, initialized_root: Path) -> None:
    report = terraform.json(initialized_root, "validate", "-json", "-no-color")
    assert report["valid"], report["diagnostics"]
    assert report["warning_count"] == 0, [diagnostic["summary"] for diagnostic in report["diagnostics"]]


def test_every_file_is_formatted(terraform: Terraform, packaged: Packaged) -> None:
    result = terraform.run(packaged.terraform_root, "fmt", "-check", "-no-color", check=False)
    assert result.returncode == 0, f"terraform fmt would change: {result.stdout}"


def test_the_only_provider_is_hashicorp_aws_5(terraform: Terraform, initialized_root: Path) -> None:
    listed = terraform.run(initialized_root, "providers", "-no-color").stdout
    assert re.findall(r"provider\[([^\]]+)\]", listed) == ["registry.terraform.io/hashicorp/aws"]
    assert ">= 5.0.0, < 6.0.0" in listed


def test_chalice_pins_and_deprecated_blocks_are_gone(packaged: Packaged) -> None:
    blocks = load(packaged.terraform_root)
    (settings,) = blocks["terraform"]
    assert settings["required_version"] == [">= 1.5"]
    data_sources = {name for block in blocks["data"] for name in block}
    assert "null_data_source" not in data_sources
    text = (packaged.terraform_root / "chalice.tf").read_text()
    for deprecated in ("stage_name", "stage_description", "null_data_source", "< 1.4.0"):
        assert deprecated not in text


def test_the_routes_are_derived_from_the_app_not_listed() -> None:
    demo = Chalice(app_name="demo")

    @demo.route("/things/{thing_id}", methods=["GET", "DELETE"])
    def thing(thing_id: str) -> dict[str, str]:
        return {}

    assert package.route_keys(demo) == ["DELETE /things/{thing_id}", "GET /things/{thing_id}"]


def test_the_generated_locals_carry_the_app_routes_and_resources(packaged: Packaged) -> None:
    import app

    (generated,) = hcl2.loads((packaged.terraform_root / "generated.tf").read_text())["locals"]
    assert generated["chalice_routes"] == [package.route_keys(app.app)]
    assert generated["orders_table"][0]["billing_mode"] == "PAY_PER_REQUEST"
