"""`chalice deploy --stage dev` keeps working: the dev stage's policies are the shipped
policy files with a real table's ARNs in place of the Terraform references."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from devstack.provision import create_table
from infrastructure.dev_stage import CHALICE_DIR, retry_queue_url, write_dev_policies

pytestmark = pytest.mark.deploy


def test_the_dev_policies_name_the_existing_tables_arns(dynamodb: Any, tmp_path: Path) -> None:
    create_table(dynamodb, "orders-dev")
    table_arn = dynamodb.describe_table(TableName="orders-dev")["Table"]["TableArn"]
    chalice_dir = tmp_path / ".chalice"
    shutil.copytree(CHALICE_DIR, chalice_dir, ignore=shutil.ignore_patterns("deployments", "deployed"))

    written = write_dev_policies(table_arn, chalice_dir=chalice_dir)

    api, stream, events, retries = (
        json.loads(written[name].read_text())
        for name in ("api_handler", "process_orders", "publish_order_events", "retry_orders")
    )
    assert "${" not in json.dumps(api) + json.dumps(stream) + json.dumps(events) + json.dumps(retries)
    assert {
        "Sid": "StoreAndReadOrders",
        "Effect": "Allow",
        "Action": json.loads((CHALICE_DIR / "policy-api.json").read_text())["Statement"][0]["Action"],
        "Resource": table_arn,
    } in api["Statement"]
    stream_sids = [statement["Sid"] for statement in stream["Statement"]]
    assert "SendFailedBatchesToTheDeadLetterQueue" not in stream_sids  # chalice deploy makes no DLQ
    assert "ReadTheOrdersStream" in stream_sids
    log_grant = next(statement for statement in api["Statement"] if statement["Sid"] == "WriteOwnLogs")
    assert log_grant["Resource"].endswith(":log-group:/aws/lambda/orders-dev:*")
    assert "logs:CreateLogGroup" in log_grant["Action"]
    bus_arn = table_arn.split(":table/")[0].replace(":dynamodb:", ":events:") + ":event-bus/orders-dev-events"
    assert {
        "Sid": "PublishOrderEvents",
        "Effect": "Allow",
        "Action": "events:PutEvents",
        "Resource": bus_arn,
    } in events["Statement"]
    assert "SendFailedBatchesToTheDeadLetterQueue" not in [statement["Sid"] for statement in events["Statement"]]
    queue_arn = table_arn.split(":table/")[0].replace(":dynamodb:", ":sqs:") + ":orders-dev-retries"
    for policy in (stream, retries):  # both send retries; the queue must exist (chalice deploy makes none)
        assert {
            "Sid": "ScheduleRetriesOnTheRetryQueue",
            "Effect": "Allow",
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
        } in policy["Statement"]
    reads = next(s for s in retries["Statement"] if s["Sid"] == "ReceiveTheRetryQueueThroughTheMapping")
    assert reads["Resource"] == queue_arn  # chalice deploy's SQS mapping polls it with retry_orders' role
    log_grant = next(statement for statement in retries["Statement"] if statement["Sid"] == "WriteOwnLogs")
    assert log_grant["Resource"].endswith(":log-group:/aws/lambda/orders-dev-retry_orders:*")
    assert (
        retry_queue_url(queue_arn)
        == f"https://sqs.us-east-1.amazonaws.com/{table_arn.split(':')[4]}/orders-dev-retries"
    )
