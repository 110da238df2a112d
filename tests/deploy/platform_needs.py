"""What the Lambda service does with a function's role, not our code: each an action
on one resource, as the policy file writes it, with the reason. The IAM tests accept a
grant no recorded call uses only when it is one of these; keyed by resource too, so a
grant of the same action on another resource (the retry queue's sqs:SendMessage beside
a DLQ's) must still be used by the code."""

from __future__ import annotations

from tests.deploy.iam_policies import RETRY_QUEUE

FUNCTIONS = ("api", "stream", "events", "retries")
Grant = tuple[str, str]  # an action and a resource as the policy file writes it


def _logs(group: str) -> dict[Grant, str]:
    resource = f"${{aws_cloudwatch_log_group.{group}.arn}}:*"
    return {
        ("logs:CreateLogStream", resource): "Lambda creates the log stream of each execution environment",
        ("logs:PutLogEvents", resource): "Lambda ships the function's stdout (Powertools' JSON logs and EMF metrics)",
    }


def _stream_mapping(on_failure: str) -> dict[Grant, str]:
    stream = "${aws_dynamodb_table.orders.arn}/stream/*"
    return {
        ("dynamodb:DescribeStream", stream): "the event source mapping finds the stream's shards",
        ("dynamodb:GetShardIterator", stream): "the event source mapping starts reading each shard",
        ("dynamodb:GetRecords", stream): "the event source mapping polls the stream for batches",
        ("dynamodb:ListStreams", "*"): "Lambda checks the stream when the mapping is created",
        ("sqs:SendMessage", f"${{aws_sqs_queue.{on_failure}.arn}}"): "the mapping sends exhausted records there",
    }


def _queue_mapping(queue: str) -> dict[Grant, str]:
    return {
        ("sqs:ReceiveMessage", queue): "the SQS mapping long-polls the queue for batches",
        ("sqs:DeleteMessage", queue): "the SQS mapping deletes the messages the function did not report as failed",
        ("sqs:GetQueueAttributes", queue): "Lambda reads the queue's attributes when the mapping is created",
    }


PLATFORM_NEEDS = {
    "api": _logs("api_handler"),
    "stream": _logs("process_orders") | _stream_mapping("stream_failures"),
    "events": _logs("publish_order_events") | _stream_mapping("event_failures"),
    "retries": _logs("retry_orders") | _queue_mapping(RETRY_QUEUE),
}
