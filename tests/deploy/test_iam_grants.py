"""The shape of each function's policy, read from the files: no wildcard beyond what AWS
requires, each resource of a type its actions take, the platform's needs granted, and
which function may touch the bus, the table and the retry queue."""

from __future__ import annotations

import re

import pytest
from policy_sentry.querying.actions import get_action_data

from tests.conftest import TABLE_NAME
from tests.deploy.iam_policies import (
    RETRY_QUEUE,
    Need,
    allows,
    as_list,
    globs_overlap,
    raw_policy,
    resolved_policy,
    statements,
)
from tests.deploy.platform_needs import FUNCTIONS, PLATFORM_NEEDS, Grant

pytestmark = pytest.mark.deploy


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_platform_needs_are_granted(function: str) -> None:
    granted = {
        (action, resource)
        for statement in statements(raw_policy(function))
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
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


def sqs_grants(function: str) -> set[Grant]:
    return {
        (action, resource)
        for statement in statements(raw_policy(function))
        for action in as_list(statement["Action"])
        if action.startswith("sqs:")
        for resource in as_list(statement["Resource"])
    }


def test_the_retry_queue_is_sent_to_by_the_processor_and_retry_orders_and_read_by_retry_orders_alone() -> None:
    """Exactly the new grants: the two senders' sqs:SendMessage, the mapping's three reads
    for retry_orders, nothing on the retry DLQ (SQS itself moves messages there)."""
    on_retry_queue = {function: {a for a, r in sqs_grants(function) if r == RETRY_QUEUE} for function in FUNCTIONS}
    assert on_retry_queue == {
        "api": set(),
        "events": set(),
        "stream": {"sqs:SendMessage"},
        "retries": {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
    }
    assert all("retries_dead_letter" not in str(raw_policy(function)) for function in FUNCTIONS)
    assert sqs_grants("retries") <= {(action, RETRY_QUEUE) for action in on_retry_queue["retries"]}


def test_retry_orders_keeps_the_processors_table_grants_and_reads_no_stream() -> None:
    def table_grants(function: str) -> set[Grant]:
        return {
            (action, resource)
            for statement in statements(raw_policy(function))
            for action in as_list(statement["Action"])
            if action.startswith("dynamodb:")
            for resource in as_list(statement["Resource"])
        }

    assert table_grants("retries") == {
        grant for grant in table_grants("stream") if grant[1] == "${aws_dynamodb_table.orders.arn}"
    }
