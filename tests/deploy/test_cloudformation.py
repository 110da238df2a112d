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
from tests.deploy.conftest import Packaged
from tests.deploy.iam_policies import as_list, raw_policy, statements

pytestmark = pytest.mark.deploy

CFN_LINT = Path(sys.executable).with_name("cfn-lint")
ROLES = {"api": "ApiHandlerRole", "stream": "ProcessOrdersRole"}


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


def test_the_stream_event_carries_the_mapping_settings(packaged: Packaged) -> None:
    spec = load_resources().stream_mapping
    function = resources(packaged)["ProcessOrders"]["Properties"]
    event = function["Events"]["ProcessOrdersDynamodbEventSource"]["Properties"]
    assert event["Stream"] == {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}
    assert function["Environment"]["Variables"]["ORDERS_TABLE"] == {"Ref": "OrdersTable"}
    assert (event["BatchSize"], event["StartingPosition"]) == (spec.batch_size, spec.starting_position)
    assert event["MaximumBatchingWindowInSeconds"] == spec.maximum_batching_window_seconds
    assert event["MaximumRetryAttempts"] == spec.maximum_retry_attempts
    assert event["BisectBatchOnFunctionError"] is spec.bisect_batch_on_function_error
    assert event["MaximumRecordAgeInSeconds"] == spec.maximum_record_age_seconds
    assert event["FunctionResponseTypes"] == spec.function_response_types
    assert json.loads(event["FilterCriteria"]["Filters"][0]["Pattern"]) == spec.filter_pattern
    assert event["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["StreamFailures", "Arn"]}


def test_the_table_and_queue_match_resources_json(packaged: Packaged) -> None:
    spec = load_resources()
    table = resources(packaged)["OrdersTable"]["Properties"]
    assert table["BillingMode"] == spec.table.billing_mode
    assert table["StreamSpecification"]["StreamViewType"] == spec.table.stream_view_type
    assert table["TimeToLiveSpecification"] == {"AttributeName": spec.table.ttl_attribute, "Enabled": True}
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == [spec.table.customer_index.name]
    attributes = {row["AttributeName"]: row["AttributeType"] for row in table["AttributeDefinitions"]}
    assert attributes == spec.table.attributes
    queue = resources(packaged)["StreamFailures"]["Properties"]
    assert queue["MessageRetentionPeriod"] == spec.dead_letter_queue.message_retention_seconds
    assert queue["SqsManagedSseEnabled"] is spec.dead_letter_queue.sqs_managed_sse_enabled


@pytest.mark.parametrize("function", sorted(ROLES))
def test_each_role_grants_what_the_terraform_policy_grants(packaged: Packaged, function: str) -> None:
    (policy,) = resources(packaged)[ROLES[function]]["Properties"]["Policies"]

    def grants(document: dict[str, Any]) -> dict[str, set[str]]:
        return {statement["Sid"]: set(as_list(statement["Action"])) for statement in statements(document)}

    assert grants(policy["PolicyDocument"]) == grants(raw_policy(function))
