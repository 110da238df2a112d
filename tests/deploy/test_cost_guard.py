"""No always-on cost may creep into the stack: provisioned capacity, provisioned
concurrency, a NAT gateway or a VPC endpoint all bill by the hour with no traffic."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

from chalicelib.resources import load_resources
from tests.deploy.conftest import Packaged

pytestmark = pytest.mark.deploy

ALWAYS_ON_TYPES = {
    "aws_lambda_provisioned_concurrency_config": "provisioned concurrency",
    "aws_nat_gateway": "a NAT gateway",
    "aws_vpc_endpoint": "a VPC endpoint",
    "aws_appautoscaling_target": "provisioned capacity autoscaling",
    "AWS::EC2::NatGateway": "a NAT gateway",
    "AWS::EC2::VPCEndpoint": "a VPC endpoint",
}
ALWAYS_ON_ARGUMENTS = {
    "read_capacity": "provisioned read capacity",
    "write_capacity": "provisioned write capacity",
    "ProvisionedThroughput": "provisioned capacity",
    "ProvisionedConcurrencyConfig": "provisioned concurrency",
    "provisioned_concurrent_executions": "provisioned concurrency",
}
_LOCAL = re.compile(r"^\$\{local\.([\w.]+)\}$")


def _resolve(value: Any, locals_: dict[str, Any]) -> Any:
    """Follow a `${local.a.b}` reference into the root's locals (parsed by hcl2: values wrapped in lists)."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    match = _LOCAL.match(value) if isinstance(value, str) else None
    if not match:
        return value
    found: Any = locals_
    for name in match.group(1).split("."):
        found = found[name][0] if isinstance(found[name], list) else found[name]
    return found


def _arguments(tree: Any) -> list[tuple[str, Any]]:
    if isinstance(tree, dict):
        return [(key, value) for key, value in tree.items()] + [
            pair for value in tree.values() for pair in _arguments(value)
        ]
    if isinstance(tree, list):
        return [pair for value in tree for pair in _arguments(value)]
    return []


def always_on_costs(resources: dict[str, dict[str, Any]], locals_: dict[str, Any]) -> list[str]:
    """Each always-on cost found among resources (type -> name -> body), described."""
    found = []
    for type_name, named in resources.items():
        for name in named:
            if type_name in ALWAYS_ON_TYPES:
                found.append(f"{type_name}.{name}: {ALWAYS_ON_TYPES[type_name]}")
        for key, value in _arguments(named):
            if key in ALWAYS_ON_ARGUMENTS:
                found.append(f"{type_name}: {ALWAYS_ON_ARGUMENTS[key]}")
            if key in ("billing_mode", "BillingMode") and _resolve(value, locals_) != "PAY_PER_REQUEST":
                found.append(f"{type_name}: billing mode {_resolve(value, locals_)}")
    return found


def terraform_resources(root: Path) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    resources: dict[str, dict[str, Any]] = {}
    locals_: dict[str, Any] = {}
    for path in root.glob("*.tf"):
        parsed = hcl2.loads(path.read_text())
        for block in parsed.get("resource", []):
            for type_name, named in block.items():
                resources.setdefault(type_name, {}).update(named)
        for block in parsed.get("locals", []):
            locals_.update(block)
    return resources, locals_


def test_the_terraform_root_has_no_always_on_cost(packaged: Packaged) -> None:
    resources, locals_ = terraform_resources(packaged.terraform_root)
    assert "aws_dynamodb_table" in resources and "aws_lambda_function" in resources, "the guard parsed nothing"
    assert always_on_costs(resources, locals_) == []


def test_the_cloudformation_template_has_no_always_on_cost(packaged: Packaged) -> None:
    template = json.loads(packaged.sam_template.read_text())
    by_type: dict[str, dict[str, Any]] = {}
    for name, resource in template["Resources"].items():
        by_type.setdefault(resource["Type"], {})[name] = resource.get("Properties", {})
    assert always_on_costs(by_type, {}) == []


def test_the_table_is_on_demand_at_the_source() -> None:
    assert load_resources().table.billing_mode == "PAY_PER_REQUEST"


def test_the_guard_catches_each_kind_of_always_on_cost() -> None:
    planted = {
        "aws_dynamodb_table": {"t": {"billing_mode": "${local.table.mode}", "read_capacity": 5}},
        "aws_lambda_function": {"f": {"provisioned_concurrent_executions": 1}},
        "aws_lambda_provisioned_concurrency_config": {"p": {}},
        "aws_nat_gateway": {"n": {}},
        "aws_vpc_endpoint": {"e": {}},
    }
    found = always_on_costs(planted, {"table": [{"mode": "PROVISIONED"}]})
    assert len(found) == 6, found


# Cognito bills per monthly active user only. LITE and ESSENTIALS include 10,000 MAUs a
# month free; PLUS (threat protection) has no free tier; SMS (MFA, verification) bills
# per message through AWS End User Messaging. None of it costs anything idle.
FREE_TIER_FEATURE_PLANS = {"LITE", "ESSENTIALS"}


def test_the_identity_provider_costs_nothing_idle_and_starts_in_the_free_tier(packaged: Packaged) -> None:
    resources, locals_ = terraform_resources(packaged.terraform_root)
    assert {"aws_cognito_user_pool", "aws_cognito_user_pool_client", "aws_apigatewayv2_authorizer"} <= set(resources)
    assert always_on_costs(resources, locals_) == []
    (pool,) = resources["aws_cognito_user_pool"].values()
    assert _resolve(pool["user_pool_tier"], locals_) == "${var.cognito_feature_plan}"
    defaults = {
        name: _resolve(body.get("default"), {})
        for block in hcl2.loads((packaged.terraform_root / "variables.tf").read_text())["variable"]
        for name, body in block.items()
    }
    assert defaults["cognito_feature_plan"] in FREE_TIER_FEATURE_PLANS
    assert "user_pool_add_ons" not in pool, "threat protection is the PLUS plan: billed per MAU, no free tier"
    assert "sms_configuration" not in pool, "SMS messages are billed per message"
