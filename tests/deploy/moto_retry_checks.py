"""Checks for test_apply_to_moto: the retry queue as applied, read back from moto. The
queue, its dead-letter queue and the redrive between them; retry_orders' SQS mapping with
ReportBatchItemFailures and its concurrency cap; the URL given to the two senders alone;
the alarms; and the redrive at work on the local stack's twin of the queues."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.resources import load_resources
from tests.deploy.moto_checks import FUNCTIONS, client
from tests.deploy.terraform_cli import Terraform

QUEUE, DEAD_LETTER_QUEUE = "orders-dev-retries", "orders-dev-retries-dlq"
SENDERS = {"orders-dev-process_orders", "orders-dev-retry_orders"}
SETTINGS = ["VisibilityTimeout", "MessageRetentionPeriod", "SqsManagedSseEnabled", "RedrivePolicy"]


def attributes(sqs: Any, name: str) -> dict[str, str]:
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    found: dict[str, str] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return found | {"QueueUrl": url}


def check_retry_queue(endpoint: str, terraform: Terraform, root: Path) -> None:
    spec, dead = load_resources().retry_queue, load_resources().dead_letter_queue
    sqs = client("sqs", endpoint)
    queue, dlq = attributes(sqs, QUEUE), attributes(sqs, DEAD_LETTER_QUEUE)
    assert (queue["VisibilityTimeout"], queue["MessageRetentionPeriod"], queue["SqsManagedSseEnabled"]) == (
        str(spec.visibility_timeout_seconds),
        str(spec.message_retention_seconds),
        str(spec.sqs_managed_sse_enabled).lower(),
    )
    assert json.loads(queue["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq["QueueArn"],
        "maxReceiveCount": spec.max_receive_count,
    }
    assert (dlq["MessageRetentionPeriod"], dlq["SqsManagedSseEnabled"]) == (
        str(dead.message_retention_seconds),
        str(dead.sqs_managed_sse_enabled).lower(),
    )
    assert "RedrivePolicy" not in dlq, "the dead-letter queue is the end of the line"
    outputs = terraform.json(root, "output", "-json")
    assert outputs["retry_queue_url"]["value"] == queue["QueueUrl"]
    assert outputs["retry_dead_letter_queue_url"]["value"] == dlq["QueueUrl"]

    functions = client("lambda", endpoint)
    handler = functions.get_function(FunctionName="orders-dev-retry_orders")["Configuration"]
    (mapping,) = functions.list_event_source_mappings(FunctionName=handler["FunctionArn"])["EventSourceMappings"]
    assert (mapping["EventSourceArn"], mapping["State"]) == (queue["QueueArn"], "Enabled")
    # A 0 window is not sent by the provider, and moto then reports none: 0 is AWS's default for SQS.
    assert (mapping["BatchSize"], mapping.get("MaximumBatchingWindowInSeconds", 0)) == (
        spec.batch_size,
        spec.maximum_batching_window_seconds,
    )
    assert mapping["FunctionResponseTypes"] == spec.function_response_types == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": spec.maximum_concurrency}
    assert handler["Timeout"] * 6 <= spec.visibility_timeout_seconds

    told = {}
    for name in FUNCTIONS:
        variables = functions.get_function(FunctionName=name)["Configuration"]["Environment"]["Variables"]
        if "RETRY_QUEUE_URL" in variables:
            told[name] = variables["RETRY_QUEUE_URL"]
    assert told == dict.fromkeys(SENDERS, queue["QueueUrl"])
    check_retry_alarms(endpoint)


def check_retry_alarms(endpoint: str) -> None:
    alarms = {alarm["AlarmName"]: alarm for alarm in client("cloudwatch", endpoint).describe_alarms()["MetricAlarms"]}
    depth = alarms["orders-dev-retry-dead-letter-queue-depth"]
    age = alarms["orders-dev-retry-queue-oldest-message-age"]
    assert (depth["MetricName"], depth["Threshold"], depth["Dimensions"]) == (
        "ApproximateNumberOfMessagesVisible",
        0,
        [{"Name": "QueueName", "Value": DEAD_LETTER_QUEUE}],
    )
    assert (age["MetricName"], age["Threshold"], age["Dimensions"]) == (
        "ApproximateAgeOfOldestMessage",
        1800,  # var.retry_age_alarm_seconds: above SQS's longest delay (900 s), with a margin
        [{"Name": "QueueName", "Value": QUEUE}],
    )
    assert {"orders-dev-retry_orders-errors", "orders-dev-retry_orders-throttles"} <= set(alarms)


def check_local_retry_queues_agree_and_redrive(endpoint: str) -> None:
    """`make run` makes its retry queues from the same resources.json: they agree with the
    applied ones (the DLQ's ARN aside). On that twin (sending to the applied queue would make
    moto invoke retry_orders, which it cannot run here), a message received max_receive_count
    times and never deleted is moved to the dead-letter queue by the next receive."""
    from devstack.provision import create_retry_queues

    sqs = client("sqs", endpoint)
    local = create_retry_queues(sqs, "orders-local-retries", "orders-local-retries-dlq")

    def comparable(name: str) -> dict[str, Any]:
        found = {key: value for key, value in attributes(sqs, name).items() if key in SETTINGS}
        redrive = json.loads(found.pop("RedrivePolicy"))
        return found | {"maxReceiveCount": int(redrive["maxReceiveCount"])}

    assert comparable("orders-local-retries") == comparable(QUEUE)

    url, spec = local["retry_queue_url"], load_resources().retry_queue
    sqs.send_message(QueueUrl=url, MessageBody='{"order_id": "poison", "attempt": 1}')
    for _ in range(spec.max_receive_count):
        (message,) = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, AttributeNames=["All"])["Messages"]
    assert message["Attributes"]["ApproximateReceiveCount"] == str(spec.max_receive_count)
    assert not sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages")
    (dead,) = sqs.receive_message(QueueUrl=local["retry_dlq_url"])["Messages"]
    assert dead["Body"] == '{"order_id": "poison", "attempt": 1}'
