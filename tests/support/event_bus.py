"""An EventBridge bus on moto with a rule that delivers every order event to an SQS
queue, as the example rule does in AWS: how the tests read what the publisher sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Received = Callable[[], list[dict[str, Any]]]


def bus_to_queue(bus: str) -> Received:
    """Create the bus, rule and queue (inside mock_aws); return a reader that drains the
    queue and gives the EventBridge envelopes in arrival order."""
    import boto3

    events, sqs = boto3.client("events"), boto3.client("sqs")
    events.create_event_bus(Name=bus)
    queue = sqs.create_queue(QueueName=f"{bus}-downstream")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all-order-events", EventBusName=bus, EventPattern=json.dumps({"source": ["orders"]}))
    events.put_targets(Rule="all-order-events", EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])

    def received() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            found += [json.loads(message["Body"]) for message in messages]
            for message in messages:
                sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        return found

    return received
