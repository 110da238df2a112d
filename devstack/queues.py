"""The local stack's SQS queues as chalicelib/resources.json describes them: the stream
consumers' dead-letter queues, and the processor's retry queue with its own."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.resources import load_resources


def create_dead_letter_queue(sqs: Any, queue_name: str) -> str:
    """Create the stream's on-failure destination; return its URL."""
    spec = load_resources().dead_letter_queue
    attributes = {
        "MessageRetentionPeriod": str(spec.message_retention_seconds),
        "SqsManagedSseEnabled": str(spec.sqs_managed_sse_enabled).lower(),
    }
    return str(sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"])


def create_retry_queues(sqs: Any, queue_name: str, dead_letter_queue: str) -> dict[str, str]:
    """The processor's retry queue, as resources.json's `retry_queue` describes it
    (visibility timeout, retention, SSE), with a redrive policy to its dead-letter queue
    after `max_receive_count` receives. moto applies the redrive policy on receive."""
    spec = load_resources().retry_queue
    dlq_url = create_dead_letter_queue(sqs, dead_letter_queue)
    dlq_arn = queue_arn_of(sqs, dlq_url)
    attributes = {
        "VisibilityTimeout": str(spec.visibility_timeout_seconds),
        "MessageRetentionPeriod": str(spec.message_retention_seconds),
        "SqsManagedSseEnabled": str(spec.sqs_managed_sse_enabled).lower(),
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count}),
    }
    queue_url = str(sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"])
    return {
        "retry_queue_url": queue_url,
        "retry_queue_arn": queue_arn_of(sqs, queue_url),
        "retry_dlq_url": dlq_url,
        "retry_dlq_arn": dlq_arn,
    }


def queue_arn_of(sqs: Any, queue_url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
