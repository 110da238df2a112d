"""Least privilege, proven from what the code does: every AWS call recorded during the
integration suite is allowed by its function's policy, and every action a policy grants
is used by some recorded call of that function, or is one the Lambda service itself needs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from policy_sentry.querying.actions import get_action_data

from tests.conftest import TABLE_NAME
from tests.deploy.iam_policies import (
    Need,
    allows,
    as_list,
    globs_overlap,
    needs,
    raw_policy,
    resolved_policy,
    statements,
)
from tests.support import aws_calls
from tests.support.aws_calls import AwsCall

pytestmark = pytest.mark.deploy

PROJECT = Path(__file__).resolve().parents[2]
FUNCTIONS = ("api", "stream", "events")
# Granted, yet never called by our code: the Lambda service calls them with the function's role.
PLATFORM_NEEDS = {
    "api": {
        "logs:CreateLogStream": "Lambda creates the log stream of each execution environment",
        "logs:PutLogEvents": "Lambda ships the function's stdout (Powertools' JSON logs and EMF metrics)",
    },
    "stream": {
        "logs:CreateLogStream": "Lambda creates the log stream of each execution environment",
        "logs:PutLogEvents": "Lambda ships the function's stdout (Powertools' JSON logs and EMF metrics)",
        "dynamodb:DescribeStream": "the event source mapping finds the stream's shards",
        "dynamodb:GetShardIterator": "the event source mapping starts reading each shard",
        "dynamodb:GetRecords": "the event source mapping polls the stream for batches",
        "dynamodb:ListStreams": "Lambda checks the stream when the mapping is created",
        "sqs:SendMessage": "the mapping sends records that exhausted their retries to the on-failure queue",
    },
    "events": {
        "logs:CreateLogStream": "Lambda creates the log stream of each execution environment",
        "logs:PutLogEvents": "Lambda ships the function's stdout (Powertools' JSON logs and EMF metrics)",
        "dynamodb:DescribeStream": "the event source mapping finds the stream's shards",
        "dynamodb:GetShardIterator": "the event source mapping starts reading each shard",
        "dynamodb:GetRecords": "the event source mapping polls the stream for batches",
        "dynamodb:ListStreams": "Lambda checks the stream when the mapping is created",
        "sqs:SendMessage": "the mapping sends records that exhausted their retries to the on-failure queue",
    },
}


@pytest.fixture(scope="module")
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> set[AwsCall]:
    """This session's recording if the whole integration suite ran in it; else run that suite now."""
    suite = {f"tests/integration/{path.name}" for path in (PROJECT / "tests" / "integration").glob("test_*.py")}
    ran_here = {item.nodeid.split("::")[0] for item in request.session.items} >= suite
    if ran_here and aws_calls.RECORDED:
        return set(aws_calls.RECORDED)
    out = tmp_path_factory.mktemp("aws-calls") / "calls.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", "tests/integration", "-q", "-p", "no:cacheprovider"],
        cwd=PROJECT,
        env={**os.environ, aws_calls.OUTPUT_VARIABLE: str(out)},
        check=False,
        capture_output=True,
        timeout=600,
    )
    assert out.exists(), "the integration suite wrote no recording of AWS calls"
    return aws_calls.load(out)


def needs_of(calls: set[AwsCall], function: str) -> set[Need]:
    return {need for call in calls if call.function == function for need in needs(call)}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_recorded_call_is_allowed_by_its_functions_policy(recorded: set[AwsCall], function: str) -> None:
    policy = statements(resolved_policy(function, TABLE_NAME))
    required = needs_of(recorded, function)
    assert required, f"no AWS call of the {function} function was recorded: the integration suite did not run it"
    denied = sorted((need.action, need.resource) for need in required if not any(allows(s, need) for s in policy))
    assert denied == [], f"{function} would be denied: {denied}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_nothing_is_granted_that_no_call_uses(recorded: set[AwsCall], function: str) -> None:
    required = needs_of(recorded, function)
    unused = []
    for statement in statements(resolved_policy(function, TABLE_NAME)):
        for action in as_list(statement["Action"]):
            used = any(need.action == action and allows(statement, need) for need in required)
            if not used and action not in PLATFORM_NEEDS[function]:
                unused.append((statement.get("Sid"), action))
    assert unused == [], f"{function} is granted actions no recorded call uses: {unused}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_platform_needs_are_granted(function: str) -> None:
    granted = {action for statement in statements(raw_policy(function)) for action in as_list(statement["Action"])}
    assert set(PLATFORM_NEEDS[function]) <= granted


def arn_formats(action: str) -> set[str]:
    """The resource ARN formats the Service Authorization Reference lists for an action."""
    service, name = action.split(":")
    return {row["resource_arn_format"] for row in get_action_data(service, name)[service]}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_wildcards_beyond_what_aws_requires(function: str) -> None:
    """No `*` in an action; `*` as a resource only for actions without resource-level permissions."""
    for statement in statements(raw_policy(function)):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            assert "*" not in action, action
            if "*" in as_list(statement["Resource"]):
                assert arn_formats(action) == {"*"}, f"{action} supports resource-level permissions: name its ARN"
        for resource in as_list(statement["Resource"]):
            assert resource == "*" or resource.startswith("${aws_"), f"{resource}: name a resource of the root"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_resource_is_of_a_type_its_actions_take(function: str) -> None:
    for statement in statements(resolved_policy(function, TABLE_NAME)):
        for action in as_list(statement["Action"]):
            patterns = [re.sub(r"\$\{[^}]+\}", "*", form) for form in arn_formats(action)]
            for resource in as_list(statement["Resource"]):
                assert any(globs_overlap(resource, pattern) for pattern in patterns), (action, resource)


def test_the_evaluator_denies_what_is_not_granted() -> None:
    (statement,) = statements(
        {"Statement": {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:*:*:table/a"}}
    )
    assert allows(statement, Need("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/a"))
    assert not allows(statement, Need("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/a"))
    assert not allows(statement, Need("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/a/index/i"))


def test_resource_patterns_overlap_only_formats_they_can_match() -> None:
    log_streams = "arn:*:logs:*:*:log-group:*:log-stream:*"
    assert globs_overlap("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:*", log_streams)
    assert not globs_overlap("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f", log_streams)
    assert not globs_overlap("arn:aws:dynamodb:us-east-1:1:table/t", "arn:*:dynamodb:*:*:table/*/index/*")


def test_the_publisher_touches_no_table_item_and_puts_only_on_its_own_bus() -> None:
    """It reads the table only through its stream: the images it announces come in the records."""
    granted = {
        action: set(as_list(statement["Resource"]))
        for statement in statements(raw_policy("events"))
        for action in as_list(statement["Action"])
    }
    assert granted["events:PutEvents"] == {"${aws_cloudwatch_event_bus.orders.arn}"}
    table_actions = {action for action, resources in granted.items() if "${aws_dynamodb_table.orders.arn}" in resources}
    assert table_actions == set(), "the publisher needs no table access beyond the stream"
    assert {action for action in granted if action.startswith("dynamodb:")} == {
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    }
