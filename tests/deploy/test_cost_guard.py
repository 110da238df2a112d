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


# Every resource type of the root and of the SAM template, with what it bills while no
# order arrives. A type in neither map fails the test below: a new kind of resource needs
# its cost stated here, with the reason it is acceptable, before it ships.
BILLED_BY_USE = {
    "aws_api_gateway_account": "an account setting: no charge",
    "aws_api_gateway_deployment": "no charge; the REST API bills per request ($3.50 per million)",
    "aws_api_gateway_method_settings": "no cache cluster, so no charge",
    "aws_api_gateway_rest_api": "$3.50 per million requests; nothing idle",
    "aws_api_gateway_stage": "no cache cluster (billed hourly) on it; requests only",
    "aws_apigatewayv2_api": "$1.00 per million requests; nothing idle",
    "aws_apigatewayv2_authorizer": "JWT checks are included in the HTTP API's request price",
    "aws_apigatewayv2_integration": "no charge of its own",
    "aws_apigatewayv2_route": "no charge of its own",
    "aws_apigatewayv2_stage": "no charge of its own",
    "aws_cloudwatch_event_bus": "custom events: $1.00 per million put (each 64 KB chunk counts); nothing idle",
    "aws_cloudwatch_event_archive": "$0.10 per GB archived and $0.023 per GB-month stored; retention bounds storage",
    "aws_cloudwatch_event_rule": "matching on a custom bus is in the event's price; nothing idle",
    "aws_cloudwatch_event_target": "delivery to SQS costs the queue's send requests only",
    "aws_cloudwatch_log_group": "$0.50 per GB ingested and $0.03 per GB-month stored; retention bounds storage",
    "aws_cognito_user_pool": "per monthly active user, 10,000 free on LITE and ESSENTIALS (see below)",
    "aws_cognito_user_pool_client": "no charge of its own",
    "aws_dynamodb_table": "on demand: per request unit and GB-month stored (see the billing mode check)",
    "aws_iam_role": "IAM is free",
    "aws_iam_role_policy": "IAM is free",
    "aws_iam_role_policy_attachment": "IAM is free",
    "aws_lambda_event_source_mapping": "stream reads are free; an SQS mapping's polls bill as SQS requests (below)",
    "aws_lambda_function": "per request and GB-s; no provisioned concurrency (checked above)",
    "aws_lambda_permission": "no charge of its own",
    "aws_sns_topic_subscription": "email notifications: the first 1,000 a month free",
    "aws_sqs_queue": "$0.40 per million requests; SQS bills no storage",
    "aws_sqs_queue_policy": "no charge of its own",
    "AWS::DynamoDB::Table": "on demand (see the billing mode check)",
    "AWS::Events::Archive": "$0.10 per GB archived and $0.023 per GB-month stored; retention bounds storage",
    "AWS::Events::EventBus": "custom events: $1.00 per million; nothing idle",
    "AWS::Events::Rule": "matching is in the event's price; delivery to SQS costs the queue's requests",
    "AWS::IAM::Role": "IAM is free",
    "AWS::Lambda::Permission": "no charge of its own",
    "AWS::Logs::LogGroup": "per GB ingested and stored; retention bounds storage",
    "AWS::SQS::Queue": "$0.40 per million requests",
    "AWS::SQS::QueuePolicy": "no charge of its own",
    "AWS::Serverless::Api": "the REST API: per request",
    "AWS::Serverless::Function": "per request and GB-s",
}
# Billed every month, traffic or not: allowed only behind var.enable_alarms (local.alarms_enabled).
FIXED_MONTHLY = {
    "aws_cloudwatch_metric_alarm": "$0.10 per alarm-month",
    "aws_cloudwatch_dashboard": "$3 a month beyond an account's first three",
    "aws_kms_key": "$1 a month per customer-managed key",
    "aws_sns_topic": "no fixed charge itself, but it exists for the alarms and needs their key",
}


def test_every_resource_type_has_its_idle_cost_stated(packaged: Packaged) -> None:
    resources, _ = terraform_resources(packaged.terraform_root)
    template = json.loads(packaged.sam_template.read_text())
    types = set(resources) | {resource["Type"] for resource in template["Resources"].values()}
    unstated = sorted(types - set(BILLED_BY_USE) - set(FIXED_MONTHLY))
    assert unstated == [], f"state the idle cost of {unstated} in BILLED_BY_USE or FIXED_MONTHLY"
    assert all(len(reason) > 10 for reason in (BILLED_BY_USE | FIXED_MONTHLY).values())


def test_fixed_monthly_costs_exist_only_with_alarms_enabled(packaged: Packaged) -> None:
    resources, _ = terraform_resources(packaged.terraform_root)
    for type_name in FIXED_MONTHLY:
        for name, body in resources.get(type_name, {}).items():
            gate = _resolve(body.get("count") or body.get("for_each"), {})
            assert isinstance(gate, str) and gate.startswith("${local.alarms_enabled ?"), f"{type_name}.{name}"


def test_the_event_bus_and_its_archive_cost_nothing_idle_and_the_archive_is_bounded(packaged: Packaged) -> None:
    """A bus bills per event put and an archive per GB archived and stored: neither has a
    fixed fee. Storage grows with retention, so retention must be finite (no 0 = forever)."""
    resources, locals_ = terraform_resources(packaged.terraform_root)
    assert {"aws_cloudwatch_event_bus", "aws_cloudwatch_event_archive", "aws_cloudwatch_event_rule"} <= set(resources)
    assert always_on_costs(resources, locals_) == []
    (archive,) = resources["aws_cloudwatch_event_archive"].values()
    assert _resolve(archive["retention_days"], locals_) == "${var.event_archive_retention_days}"
    (variable,) = [
        body
        for block in hcl2.loads((packaged.terraform_root / "variables.tf").read_text())["variable"]
        for name, body in block.items()
        if name == "event_archive_retention_days"
    ]
    assert 1 <= _resolve(variable["default"], {}) <= 90
    (validation,) = variable["validation"]
    assert "var.event_archive_retention_days >= 1" in _resolve(validation["condition"], {})
    (bus,) = resources["aws_cloudwatch_event_bus"].values()
    assert "kms_key_identifier" not in bus, "a customer-managed key would cost $1 a month idle"
    # No schema discoverer: it would bill every event ingested ($0.10 per million beyond the free 5 million).
    assert "aws_schemas_discoverer" not in resources


def test_the_one_cost_that_runs_idle_is_the_retry_queues_polling_and_the_cost_model_counts_it(
    packaged: Packaged,
) -> None:
    """Lambda long-polls an SQS event source all the time, and each empty receive is a
    billed request: a few hundred thousand a month, whatever the traffic and whatever
    var.enable_alarms says. Only the retry queue may have such a mapping, and make cost
    must carry its polling as a monthly cost (ops/retries.py)."""
    from ops.capacity import WorkloadProfile
    from ops.cost import monthly_cost
    from ops.prices import load_prices
    from ops.retries import RETRY_ITEMS

    resources, _ = terraform_resources(packaged.terraform_root)
    polled = {
        name: body["event_source_arn"]
        for name, body in resources["aws_lambda_event_source_mapping"].items()
        if "aws_sqs_queue." in str(body["event_source_arn"])
    }
    assert polled == {"retry_orders-sqs-event-source": ["${aws_sqs_queue.retries.arn}"]}
    idle = monthly_cost(0, WorkloadProfile(), load_prices(), alarms=False)
    assert {line.item for line in idle.lines if line.usd > 0} == {RETRY_ITEMS[1]}
    assert 0 < idle.total_usd < 1.0, "a few hundred thousand requests at $0.40 per million"
