"""The packaged root: initializes from the provider mirror, validates without a single
warning (deprecations are warnings), is formatted, and needs nothing but hashicorp/aws."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
from chalice.app import Chalice

from chalicelib.resources import load_resources
from chalicelib.settings import Settings
from infrastructure import chalice_patches, package
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


def test_the_public_routes_come_from_resources_json_and_are_routes_of_the_app(packaged: Packaged) -> None:
    import app

    (generated,) = hcl2.loads((packaged.terraform_root / "generated.tf").read_text())["locals"]
    public = generated["public_routes"][0]
    assert public == sorted(load_resources().api.public_routes)
    assert set(public) < set(package.route_keys(app.app)), "some route must need a token"
    with pytest.raises(ValueError, match="GET /nowhere"):
        package.public_route_keys(["GET /health", "GET /nowhere"], package.route_keys(app.app))


def test_no_route_key_is_written_by_hand_in_the_templates() -> None:
    """Which routes are public is resources.json's call; the .tf files only use the locals."""
    for template in sorted(package.TEMPLATES.glob("*.tf")):
        assert not re.search(r'"(GET|POST|PUT|PATCH|DELETE) /', template.read_text()), template.name


def test_protected_routes_have_the_jwt_authorizer_and_public_ones_none(packaged: Packaged) -> None:
    routes: dict[str, dict[str, list[str]]] = {}
    for block in load(packaged.terraform_root)["resource"]:
        routes.update(block.get("aws_apigatewayv2_route", {}))  # type: ignore[call-overload]
    protected, public = routes["chalice"], routes["public"]
    assert "setsubtract(local.chalice_routes,local.public_routes)" in protected["for_each"][0]
    assert protected["authorization_type"] == ["JWT"]
    assert protected["authorizer_id"] == ["${aws_apigatewayv2_authorizer.jwt[0].id}"]
    assert "toset(local.public_routes)" in public["for_each"][0]
    assert public["authorization_type"] == ["NONE"] and "authorizer_id" not in public


def test_public_routes_keep_their_address_in_a_deployed_stack(packaged: Packaged) -> None:
    moved = load(packaged.terraform_root)["moved"]
    assert {(block["from"][0], block["to"][0]) for block in moved} == {  # type: ignore[index]
        (f'${{aws_apigatewayv2_route.chalice["{route}"]}}', f'${{aws_apigatewayv2_route.public["{route}"]}}')
        for route in load_resources().api.public_routes
    }


def test_the_rest_api_swagger_asks_the_cognito_authorizer_on_every_route_but_the_public_ones() -> None:
    operation = {"x-amazon-apigateway-integration": {"uri": "${aws_lambda_function.api_handler.invoke_arn}"}}
    swagger = {
        "swagger": "2.0",
        "paths": {
            "/health": {"get": dict(operation)},
            "/orders": {"get": dict(operation), "post": dict(operation)},
        },
    }
    patched = json.loads(chalice_patches.with_authorizer(json.dumps(swagger), ["GET /health"]))
    assert "security" not in patched["paths"]["/health"]["get"]
    assert patched["paths"]["/orders"]["get"]["security"] == [{chalice_patches.REST_AUTHORIZER: []}]
    assert patched["paths"]["/orders"]["post"]["security"] == [{chalice_patches.REST_AUTHORIZER: []}]
    authorizer = patched["securityDefinitions"][chalice_patches.REST_AUTHORIZER]["x-amazon-apigateway-authorizer"]
    assert authorizer == {"type": "cognito_user_pools", "providerARNs": ["${local.rest_api_user_pool_arn}"]}
    with pytest.raises(ValueError, match="GET /nowhere"):
        chalice_patches.with_authorizer(json.dumps(swagger), ["GET /nowhere"])


def test_the_packaged_rest_api_carries_the_authorizer(packaged: Packaged) -> None:
    text = (packaged.terraform_root / "chalice.tf").read_text()
    assert "cognito_user_pools" in text and "${local.rest_api_user_pool_arn}" in text


def resource_blocks(root: Path, type_name: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in load(root)["resource"]:
        found.update(block.get(type_name, {}))  # type: ignore[call-overload]
    return found


@pytest.mark.parametrize(
    ("mapping", "spec_name", "on_failure"),
    [
        (chalice_patches.STREAM_MAPPING, "stream_mapping", "stream_failures"),
        (chalice_patches.EVENTS_MAPPING, "events_mapping", "event_failures"),
    ],
)
def test_each_stream_mapping_carries_its_settings_from_resources_json(
    packaged: Packaged, mapping: str, spec_name: str, on_failure: str
) -> None:
    spec = getattr(load_resources(), spec_name)
    body = resource_blocks(packaged.terraform_root, "aws_lambda_event_source_mapping")[mapping]
    assert body["event_source_arn"] == ["${aws_dynamodb_table.orders.stream_arn}"]
    assert (body["batch_size"], body["starting_position"]) == ([spec.batch_size], [spec.starting_position])
    assert body["maximum_retry_attempts"] == [spec.maximum_retry_attempts]
    assert body["bisect_batch_on_function_error"] == [spec.bisect_batch_on_function_error]
    assert body["maximum_record_age_in_seconds"] == [spec.maximum_record_age_seconds]
    assert body["function_response_types"] == [spec.function_response_types]
    assert body["destination_config"] == [
        {"on_failure": [{"destination_arn": [f"${{aws_sqs_queue.{on_failure}.arn}}"]}]}
    ]
    assert body["filter_criteria"] == [
        {"filter": [{"pattern": [f"${{jsonencode(local.{spec_name}.filter_pattern)}}"]}]}
    ]
    (generated,) = hcl2.loads((packaged.terraform_root / "generated.tf").read_text())["locals"]
    assert generated[spec_name][0]["filter_pattern"] == spec.filter_pattern


def test_the_publisher_has_its_own_role_and_log_group_and_names_the_bus_and_source(packaged: Packaged) -> None:
    functions = resource_blocks(packaged.terraform_root, "aws_lambda_function")
    assert set(functions) == set(chalice_patches.FUNCTIONS)
    assert len({body["role"][0] for body in functions.values()}) == len(functions), "one role per function"
    publisher = functions["publish_order_events"]
    assert publisher["handler"] == ["app.publish_order_events"]
    assert publisher["logging_config"][0]["log_group"] == ["${aws_cloudwatch_log_group.publish_order_events.name}"]
    (variables,) = publisher["environment"][0]["variables"]
    assert variables["EVENT_BUS_NAME"] == "${aws_cloudwatch_event_bus.orders.name}"
    assert variables["EVENT_SOURCE"] == "${local.event_source}"
    (events_locals,) = hcl2.loads((packaged.terraform_root / "events.tf").read_text())["locals"]
    assert events_locals["event_source"] == [Settings.model_fields["event_source"].default], (
        "the deployed source is the one README, docs/events and the local stack use"
    )
    groups = resource_blocks(packaged.terraform_root, "aws_cloudwatch_log_group")
    assert groups["publish_order_events"]["name"] == ["/aws/lambda/${local.function_names.publish_order_events}"]
    (generated,) = hcl2.loads((packaged.terraform_root / "generated.tf").read_text())["locals"]
    assert generated["function_names"][0]["publish_order_events"] == "orders-${var.stage}-publish_order_events"
