"""checkov on the packaged root: no failed check, and every skip is written inline in
the root with its reason. The Chalice resources are scanned too (rendered as HCL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import Packaged

pytestmark = pytest.mark.deploy

CHECKOV = Path(sys.executable).with_name("checkov")
MUST_BE_SCANNED = {
    "aws_lambda_function.api_handler",
    "aws_lambda_function.process_orders",
    "aws_lambda_function.publish_order_events",
    "aws_lambda_function.retry_orders",
    "aws_iam_role_policy.api_handler_role",
    "aws_iam_role_policy.process_orders_role",
    "aws_iam_role_policy.publish_order_events_role",
    "aws_iam_role_policy.retry_orders_role",
    "aws_dynamodb_table.orders",
    "aws_sqs_queue.stream_failures",
    "aws_sqs_queue.event_failures",
    "aws_sqs_queue.retries",  # encrypted (CKV_AWS_27), like its dead-letter queue
    "aws_sqs_queue.retries_dead_letter",
    "aws_sqs_queue.order_events",  # encrypted (CKV_AWS_27); its policy names one service principal (CKV_AWS_168)
    "aws_sqs_queue_policy.order_events",
    "aws_cloudwatch_log_group.publish_order_events",
    "aws_cloudwatch_log_group.retry_orders",
    # checkov 3.1 has no check for aws_cloudwatch_event_bus, _archive, _rule or _target:
    # test_cost_guard and the apply to moto cover those.
    "aws_sns_topic.alarms[0]",
    "aws_kms_key.alarms[0]",
    "aws_apigatewayv2_stage.default",
    "aws_api_gateway_stage.rest_api",
    "aws_apigatewayv2_route.chalice",  # checkov 3.1 has no check for Cognito or apigatewayv2 authorizers
}


def scan(root: Path) -> list[dict[str, Any]]:
    # --skip-download: no call to the Prisma Cloud API for guidelines (we are offline).
    result = subprocess.run(
        [str(CHECKOV), "-d", str(root), "--skip-download", "--framework", "terraform", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    reports = json.loads(result.stdout)
    return reports if isinstance(reports, list) else [reports]


def test_checkov_fails_nothing_and_every_skip_gives_its_reason(packaged: Packaged) -> None:
    (report,) = scan(packaged.terraform_root)
    results = report["results"]
    failed = [(check["check_id"], check["resource"]) for check in results["failed_checks"]]
    assert failed == []
    assert report["summary"]["parsing_errors"] == 0
    for skipped in results["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment", "")
        assert len(reason) > 20 and reason != "No comment provided", (skipped["check_id"], skipped["resource"])
    scanned = {check["resource"] for kind in ("passed_checks", "skipped_checks") for check in results[kind]}
    assert scanned >= MUST_BE_SCANNED, f"checkov no longer scans {sorted(MUST_BE_SCANNED - scanned)}"
    print(f"\ncheckov: {report['summary']['passed']} passed, 0 failed, {report['summary']['skipped']} skipped")


def test_the_order_routes_pass_the_authorization_check_and_only_public_routes_skip_it(packaged: Packaged) -> None:
    (report,) = scan(packaged.terraform_root)
    results = report["results"]
    outcome = {
        check["resource"]: kind
        for kind in ("passed_checks", "skipped_checks", "failed_checks")
        for check in results[kind]
        if check["check_id"] == "CKV_AWS_309"
    }
    assert outcome == {
        "aws_apigatewayv2_route.chalice": "passed_checks",
        "aws_apigatewayv2_route.public": "skipped_checks",
    }
