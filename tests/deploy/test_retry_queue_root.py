"""The retry queue in both packaged templates: the queue and its dead-letter queue take
their settings from resources.json, retry_orders' SQS mapping reports failed messages
one by one (ReportBatchItemFailures) with a concurrency cap, and only the two functions
that send to the queue are told its URL."""

from __future__ import annotations

import json
from pathlib import Path

import hcl2
import pytest

from chalicelib.resources import load_resources
from infrastructure.chalice_patches import FUNCTIONS
from infrastructure.mapping_patches import RETRY_MAPPING
from tests.deploy.conftest import Packaged
from tests.deploy.test_cloudformation import resources as sam_resources
from tests.deploy.test_terraform_root import resource_blocks

pytestmark = pytest.mark.deploy

CONFIG = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "config.json").read_text())
SENDERS = {"process_orders", "retry_orders"}  # the functions that put retries on the queue


def test_the_retry_mapping_reports_failed_messages_and_caps_its_concurrency(packaged: Packaged) -> None:
    spec = load_resources().retry_queue
    body = resource_blocks(packaged.terraform_root, "aws_lambda_event_source_mapping")[RETRY_MAPPING]
    assert body["event_source_arn"] == ["${aws_sqs_queue.retries.arn}"]
    assert body["function_name"] == ["${aws_lambda_function.retry_orders.arn}"]
    assert (body["batch_size"], body["maximum_batching_window_in_seconds"]) == (
        [spec.batch_size],
        [spec.maximum_batching_window_seconds],
    )
    assert body["function_response_types"] == [spec.function_response_types] == [["ReportBatchItemFailures"]]
    assert body["scaling_config"] == [{"maximum_concurrency": [spec.maximum_concurrency]}]
    assert spec.maximum_concurrency >= 2, "Lambda refuses a maximum concurrency below 2"
    for stream_only in ("starting_position", "destination_config", "maximum_retry_attempts"):
        assert stream_only not in body, f"{stream_only}: an SQS mapping takes none; the queue's redrive policy caps"


def test_the_retry_queue_and_its_dead_letter_queue_take_their_settings_from_resources_json(
    packaged: Packaged,
) -> None:
    queues = resource_blocks(packaged.terraform_root, "aws_sqs_queue")
    retries, dead = queues["retries"], queues["retries_dead_letter"]
    assert (retries["name"], dead["name"]) == (["orders-${var.stage}-retries"], ["orders-${var.stage}-retries-dlq"])
    for setting in ("visibility_timeout_seconds", "message_retention_seconds", "sqs_managed_sse_enabled"):
        assert retries[setting] == [f"${{local.retry_queue.{setting}}}"], setting
    for setting in ("message_retention_seconds", "sqs_managed_sse_enabled"):
        assert dead[setting] == [f"${{local.dead_letter_queue.{setting}}}"], setting
    (redrive,) = retries["redrive_policy"]
    assert "'deadLetterTargetArn': '${aws_sqs_queue.retries_dead_letter.arn}'" in redrive
    assert "'maxReceiveCount': '${local.retry_queue.max_receive_count}'" in redrive
    (generated,) = hcl2.loads((packaged.terraform_root / "generated.tf").read_text())["locals"]
    assert generated["retry_queue"] == [load_resources().retry_queue.model_dump()]


def test_a_retry_outlives_its_handling_and_its_longest_delay() -> None:
    """AWS advises a visibility timeout of six times the function's timeout (a message must
    not come back while a batch is still being handled); the queue keeps a message far
    longer than SQS's 900 s delay, and the dead-letter queue at least as long."""
    spec, dead = load_resources().retry_queue, load_resources().dead_letter_queue
    assert spec.visibility_timeout_seconds >= 6 * CONFIG["lambda_functions"]["retry_orders"]["lambda_timeout"]
    assert spec.message_retention_seconds > 900 + spec.max_receive_count * spec.visibility_timeout_seconds
    assert dead.message_retention_seconds >= spec.message_retention_seconds


def test_only_the_senders_are_told_the_retry_queue_url(packaged: Packaged) -> None:
    functions = resource_blocks(packaged.terraform_root, "aws_lambda_function")
    assert set(functions) == set(FUNCTIONS) and "retry_orders" in functions
    told = {name for name, body in functions.items() if "RETRY_QUEUE_URL" in body["environment"][0]["variables"][0]}
    assert told == SENDERS
    for name in SENDERS:
        assert functions[name]["environment"][0]["variables"][0]["RETRY_QUEUE_URL"] == "${aws_sqs_queue.retries.url}"
    retry = functions["retry_orders"]
    assert (retry["handler"], retry["memory_size"], retry["timeout"]) == (["app.retry_orders"], [256], [60])
    assert retry["logging_config"][0]["log_group"] == ["${aws_cloudwatch_log_group.retry_orders.name}"]


def test_the_alarms_watch_the_dead_letter_queue_and_the_age_of_the_oldest_retry(packaged: Packaged) -> None:
    alarms = resource_blocks(packaged.terraform_root, "aws_cloudwatch_metric_alarm")
    depth, age = alarms["retry_dead_letter_queue_depth"], alarms["retry_queue_oldest_message_age"]
    assert (depth["metric_name"], depth["threshold"]) == (["ApproximateNumberOfMessagesVisible"], [0])
    assert depth["dimensions"] == [{"QueueName": "${aws_sqs_queue.retries_dead_letter.name}"}]
    assert (age["metric_name"], age["threshold"]) == (
        ["ApproximateAgeOfOldestMessage"],
        ["${var.retry_age_alarm_seconds}"],
    )
    assert age["dimensions"] == [{"QueueName": "${aws_sqs_queue.retries.name}"}]
    for alarm in (depth, age):
        assert alarm["count"] == ["${local.alarms_enabled ? 1 : 0}"]
        assert alarm["alarm_actions"] == ["${local.alarm_actions}"]


def test_the_cloudformation_twin_has_the_queue_its_redrive_and_the_mapping(packaged: Packaged) -> None:
    spec, dead = load_resources().retry_queue, load_resources().dead_letter_queue
    found = sam_resources(packaged)
    queue, dlq = found["Retries"]["Properties"], found["RetriesDeadLetter"]["Properties"]
    assert (queue["VisibilityTimeout"], queue["MessageRetentionPeriod"], queue["SqsManagedSseEnabled"]) == (
        spec.visibility_timeout_seconds,
        spec.message_retention_seconds,
        spec.sqs_managed_sse_enabled,
    )
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["RetriesDeadLetter", "Arn"]},
        "maxReceiveCount": spec.max_receive_count,
    }
    assert (dlq["MessageRetentionPeriod"], dlq["SqsManagedSseEnabled"]) == (
        dead.message_retention_seconds,
        dead.sqs_managed_sse_enabled,
    )
    function = found["RetryOrders"]["Properties"]
    (event,) = function["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"] == {
        "Queue": {"Fn::GetAtt": ["Retries", "Arn"]},
        "BatchSize": spec.batch_size,
        "MaximumBatchingWindowInSeconds": spec.maximum_batching_window_seconds,
        "FunctionResponseTypes": spec.function_response_types,
        "ScalingConfig": {"MaximumConcurrency": spec.maximum_concurrency},
    }
    told = {
        name
        for name, resource in found.items()
        if "RETRY_QUEUE_URL" in resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
    }
    assert told == {"ProcessOrders", "RetryOrders"}
    for name in told:
        assert found[name]["Properties"]["Environment"]["Variables"]["RETRY_QUEUE_URL"] == {"Ref": "Retries"}
