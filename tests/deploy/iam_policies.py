"""IAM as the deploy tests need it: the per-function policy files with their Terraform
references resolved to the test environment's ARNs, what each recorded AWS call needs
(action and resource, as the Service Authorization Reference defines them), and a
small evaluator for Allow statements."""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.settings import Settings
from tests.support.aws_calls import AwsCall

CHALICE_DIR = Path(__file__).resolve().parents[2] / ".chalice"
POLICY_FILES = {
    "api": "policy-api.json",
    "stream": "policy-stream.json",
    "events": "policy-events.json",
    "retries": "policy-retries.json",
}
LAMBDA_NAMES = {
    "api": "orders-dev",
    "stream": "orders-dev-process_orders",
    "events": "orders-dev-publish_order_events",
    "retries": "orders-dev-retry_orders",
}
LOG_GROUPS = {  # Terraform names
    "api": "api_handler",
    "stream": "process_orders",
    "events": "publish_order_events",
    "retries": "retry_orders",
}
RETRY_QUEUE = "${aws_sqs_queue.retries.arn}"
EVENT_BUS = str(Settings.model_fields["event_bus_name"].default)  # the bus the integration suite puts to
ACCOUNT, REGION = "123456789012", "us-east-1"
# Transactions are authorized item by item (DynamoDB developer guide, "Using IAM with transactions").
ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


@dataclass(frozen=True)
class Need:
    action: str
    resource: str


def arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def terraform_references(table: str, function: str) -> dict[str, str]:
    log_group = f"/aws/lambda/{LAMBDA_NAMES[function]}"
    return {
        "aws_dynamodb_table.orders.arn": arn("dynamodb", f"table/{table}"),
        "aws_sqs_queue.stream_failures.arn": arn("sqs", f"{table}-stream-failures"),
        "aws_sqs_queue.event_failures.arn": arn("sqs", f"{table}-event-failures"),
        "aws_sqs_queue.retries.arn": arn("sqs", f"{table}-retries"),
        "aws_cloudwatch_event_bus.orders.arn": arn("events", f"event-bus/{EVENT_BUS}"),
        f"aws_cloudwatch_log_group.{LOG_GROUPS[function]}.arn": arn("logs", f"log-group:{log_group}"),
    }


def raw_policy(function: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CHALICE_DIR / POLICY_FILES[function]).read_text())
    return document


def resolved_policy(function: str, table: str) -> dict[str, Any]:
    text = (CHALICE_DIR / POLICY_FILES[function]).read_text()
    references = terraform_references(table, function)

    def substitute(match: re.Match[str]) -> str:
        if match.group(1) not in references:
            raise KeyError(f"{POLICY_FILES[function]} references {match.group(1)}, unknown to the test")
        return references[match.group(1)]

    document: dict[str, Any] = json.loads(re.sub(r"\$\{([^}]+)\}", substitute, text))
    return document


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy["Statement"]
    return [found] if isinstance(found, dict) else list(found)


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allows(statement: dict[str, Any], need: Need) -> bool:
    assert set(statement) <= {"Sid", "Effect", "Action", "Resource"}, "the evaluator knows no NotAction or Condition"
    return (
        statement["Effect"] == "Allow"
        and any(fnmatch.fnmatchcase(need.action.lower(), action.lower()) for action in as_list(statement["Action"]))
        and any(fnmatch.fnmatchcase(need.resource, resource) for resource in as_list(statement["Resource"]))
    )


def _bus_arn(name: str) -> str:
    return name if name.startswith("arn:") else arn("events", f"event-bus/{name}")


def _table_arn(name: str) -> str:
    return name if name.startswith("arn:") else arn("dynamodb", f"table/{name}")


def needs(call: AwsCall) -> set[Need]:
    """The IAM actions and resources one recorded call is authorized against."""
    if call.service == "dynamodb" and call.item_kinds:
        return {
            Need(f"dynamodb:{ITEM_ACTIONS[kind]}", _table_arn(table))
            for kind in call.item_kinds
            for table in call.resources
        }
    if call.service == "dynamodb":
        indexes = [resource for resource in call.resources if "/index/" in resource]
        targets = indexes or call.resources  # a Query or Scan on an index is authorized on the index alone
        return {Need(f"dynamodb:{call.operation}", _table_arn(target)) for target in targets}
    if call.service == "streams.dynamodb":
        return {Need(f"dynamodb:{call.operation}", resource) for resource in call.resources}
    if call.service == "sqs":
        return {Need(f"sqs:{call.operation}", arn("sqs", url.rsplit("/", 1)[-1])) for url in call.resources}
    if call.service == "events":  # PutEvents is authorized on each entry's bus
        return {Need(f"events:{call.operation}", _bus_arn(bus)) for bus in call.resources}
    return {Need(f"{call.service}:{call.operation}", "*")}


@functools.cache
def globs_overlap(first: str, second: str) -> bool:
    """Whether some string matches both `*`-globs (an ARN pattern and a resource format)."""
    if not first or not second:
        return first.strip("*") == second.strip("*") == ""
    if first[0] == "*":
        return globs_overlap(first[1:], second) or globs_overlap(first, second[1:])
    if second[0] == "*":
        return globs_overlap(first, second[1:]) or globs_overlap(first[1:], second)
    return first[0] == second[0] and globs_overlap(first[1:], second[1:])
