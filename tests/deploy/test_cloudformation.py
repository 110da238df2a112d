"""The CloudFormation path stays real: `chalice package` (SAM) merged with our template
passes cfn-lint, wires the functions to the table and queue by reference, and keeps
the same settings and grants as the Terraform root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib.resources import load_resources
from chalicelib.settings import Settings
from tests.deploy.conftest import Packaged
from tests.deploy.iam_policies import as_list, raw_policy, statements

pytestmark = pytest.mark.deploy

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
ROLES = {
    "api": "ApiHandlerRole",
    "stream": "ProcessOrdersRole",
    "events": "PublishOrderEventsRole",
    "retries": "RetryOrdersRole",
}
# function -> (its stream event, its mapping in resources.json, its on-failure queue)
STREAM_CONSUMERS = {
    "ProcessOrders": ("ProcessOrdersDynamodbEventSource", "stream_mapping", "StreamFailures"),
    "PublishOrderEvents": ("PublishOrderEventsDynamodbEventSource", "events_mapping", "EventFailures"),
}


def lint(template: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CFN_LINT), str(template)], capture_output=True, text=True, timeout=120, check=False)


def resources(packaged: Packaged) -> dict[str, Any]:
    template: dict[str, Any] = json.loads(packaged.sam_template.read_text())
    return template["Resources"]


def test_the_merged_sam_template_passes_cfn_lint(packaged: Packaged) -> None:
    result = lint(packaged.sam_template)
    assert result.returncode == 0, result.stdout


def test_cfn_lint_does_read_the_functions(packaged: Packaged, tmp_path: Path) -> None:
    template = json.loads(packaged.sam_template.read_text())
    template["Resources"]["ProcessOrders"]["Properties"]["Runtime"] = "python2.7"  # retired long ago
    broken = tmp_path / "sam.json"
    broken.write_text(json.dumps(template))
    assert lint(broken).returncode != 0


def test_no_terraform_reference_is_left_for_cloudformation(packaged: Packaged) -> None:
    assert "${aws_" not in packaged.sam_template.read_text()
    assert "${var." not in packaged.sam_template.read_text()


@pytest.mark.parametrize("function", sorted(STREAM_CONSUMERS))
def test_each_stream_event_carries_its_mapping_settings(packaged: Packaged, function: str) -> None:
    event_name, mapping, queue = STREAM_CONSUMERS[function]
    spec = getattr(load_resources(), mapping)
    properties = resources(packaged)[function]["Properties"]
    event = properties["Events"][event_name]["Properties"]
    assert event["Stream"] == {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}
    assert properties["Environment"]["Variables"]["ORDERS_TABLE"] == {"Ref": "OrdersTable"}
    assert (event["BatchSize"], event["StartingPosition"]) == (spec.batch_size, spec.starting_position)
    assert event["MaximumBatchingWindowInSeconds"] == spec.maximum_batching_window_seconds
    assert event["MaximumRetryAttempts"] == spec.maximum_retry_attempts
    assert event["BisectBatchOnFunctionError"] is spec.bisect_batch_on_function_error
    assert event["MaximumRecordAgeInSeconds"] == spec.maximum_record_age_seconds
    assert event["FunctionResponseTypes"] == spec.function_response_types
    assert json.loads(event["FilterCriteria"]["Filters"][0]["Pattern"]) == spec.filter_pattern
    assert event["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": [queue, "Arn"]}


def test_the_publisher_puts_on_the_bus_whose_archive_and_example_rule_the_terraform_root_has(
    packaged: Packaged,
) -> None:
    found = resources(packaged)
    variables = found["PublishOrderEvents"]["Properties"]["Environment"]["Variables"]
    assert variables["EVENT_BUS_NAME"] == {"Ref": "OrderEventBus"}
    assert variables["EVENT_SOURCE"] == Settings.model_fields["event_source"].default
    assert found["OrderEventArchive"]["Properties"]["SourceArn"] == {"Fn::GetAtt": ["OrderEventBus", "Arn"]}
    assert found["OrderEventArchive"]["Properties"]["RetentionDays"] == 30  # the Terraform variable's default
    rule = found["AllOrderEvents"]["Properties"]
    assert rule["EventBusName"] == {"Ref": "OrderEventBus"}
    assert rule["EventPattern"] == {"source": [variables["EVENT_SOURCE"]]}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["OrderEvents", "Arn"]}
    (statement,) = found["OrderEventsPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["AllOrderEvents", "Arn"]}}}
    for queue in ("OrderEvents", "EventFailures"):
        assert found[queue]["Properties"]["SqsManagedSseEnabled"] is True, queue


def test_the_table_and_queue_match_resources_json(packaged: Packaged) -> None:
    spec = load_resources()
    table = resources(packaged)["OrdersTable"]["Properties"]
    assert table["BillingMode"] == spec.table.billing_mode
    assert table["StreamSpecification"]["StreamViewType"] == spec.table.stream_view_type
    assert table["TimeToLiveSpecification"] == {"AttributeName": spec.table.ttl_attribute, "Enabled": True}
    (index,) = table["GlobalSecondaryIndexes"]
    assert (index["IndexName"], index["Projection"]["ProjectionType"]) == (
        spec.table.customer_index.name,
        spec.table.customer_index.projection,
    )
    attributes = {row["AttributeName"]: row["AttributeType"] for row in table["AttributeDefinitions"]}
    assert attributes == spec.table.attributes
    for name in ("StreamFailures", "EventFailures"):  # both stream consumers' on-failure queues
        queue = resources(packaged)[name]["Properties"]
        assert queue["MessageRetentionPeriod"] == spec.dead_letter_queue.message_retention_seconds, name
        assert queue["SqsManagedSseEnabled"] is spec.dead_letter_queue.sqs_managed_sse_enabled, name


@pytest.mark.parametrize("function", sorted(ROLES))
def test_each_role_grants_what_the_terraform_policy_grants(packaged: Packaged, function: str) -> None:
    (policy,) = resources(packaged)[ROLES[function]]["Properties"]["Policies"]

    def grants(document: dict[str, Any]) -> dict[str, set[str]]:
        return {statement["Sid"]: set(as_list(statement["Action"])) for statement in statements(document)}

    assert grants(policy["PolicyDocument"]) == grants(raw_policy(function))
