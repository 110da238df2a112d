"""Creates what the local stack needs in moto: the orders table, the stream consumers'
dead-letter queues and the retry queue with its own from chalicelib/resources.json (the
same definitions the Terraform root is generated from; the queues in
devstack/queues.py), and the event bus with an example rule that routes every order
event to an SQS queue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.resources import load_resources
from devstack.queues import create_dead_letter_queue, create_retry_queues, queue_arn_of

__all__ = [  # the queue helpers are used from here too (tests/deploy)
    "EventRouting",
    "create_dead_letter_queue",
    "create_event_routing",
    "create_retry_queues",
    "create_table",
    "provision_stack",
    "queue_arn_of",
    "table_definition",
]


def table_definition(table_name: str) -> dict[str, Any]:
    spec = load_resources().table
    index = spec.customer_index
    return {
        "TableName": table_name,
        "BillingMode": spec.billing_mode,
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind} for name, kind in spec.attributes.items()
        ],
        "KeySchema": [
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": index.projection},
            }
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": spec.stream_view_type},
    }


def create_table(client: Any, table_name: str) -> str:
    """Create the table with its TTL; return its stream ARN."""
    description = client.create_table(**table_definition(table_name))["TableDescription"]
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    client.update_time_to_live(
        TableName=table_name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": load_resources().table.ttl_attribute},
    )
    return str(description["LatestStreamArn"])


EVENTS_QUEUE_RETENTION_S = 1_209_600  # 14 days, as in infrastructure/terraform/events.tf
EVENTS_TARGET_ID = "order-events-queue"


@dataclass(frozen=True)
class EventRouting:
    """The bus the outbox publisher puts to, and the example subscription on it."""

    bus: str  # the stage's EVENT_BUS_NAME
    source: str  # the stage's EVENT_SOURCE: what the rule matches
    rule: str
    queue: str  # the rule's target
    dead_letter_queue: str  # the publisher's on-failure destination


def create_event_routing(events: Any, sqs: Any, routing: EventRouting) -> dict[str, str]:
    """The custom bus, a rule on it matching every order event (by source), and an SQS
    queue as the rule's target, with the queue policy AWS needs for EventBridge to send
    to it (moto does not check it): as infrastructure/terraform/events.tf declares them,
    without the archive (moto's is not needed locally). Returns their names, ARNs and
    the queue's URL."""
    bus_arn = str(events.create_event_bus(Name=routing.bus)["EventBusArn"])
    attributes = {"MessageRetentionPeriod": str(EVENTS_QUEUE_RETENTION_S), "SqsManagedSseEnabled": "true"}
    queue_url = str(sqs.create_queue(QueueName=routing.queue, Attributes=attributes)["QueueUrl"])
    queue_arn = queue_arn_of(sqs, queue_url)
    pattern = {"source": [routing.source]}
    rule_arn = str(
        events.put_rule(
            Name=routing.rule,
            EventBusName=routing.bus,
            EventPattern=json.dumps(pattern),
            State="ENABLED",
            Description=f"Every order event, to the {routing.queue} queue.",
        )["RuleArn"]
    )
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TheExampleRuleDelivers",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    target = {"Id": EVENTS_TARGET_ID, "Arn": queue_arn}
    events.put_targets(Rule=routing.rule, EventBusName=routing.bus, Targets=[target])
    return {
        "event_bus_name": routing.bus,
        "event_bus_arn": bus_arn,
        "event_source": routing.source,
        "events_rule": routing.rule,
        "events_rule_pattern": json.dumps(pattern),
        "events_queue_url": queue_url,
        "events_queue_arn": queue_arn,
    }


def provision_stack(
    endpoint_url: str,
    table_name: str,
    queue_name: str,
    region: str,
    routing: EventRouting,
    retry_queues: tuple[str, str] = ("orders-dev-retries", "orders-dev-retries-dlq"),
) -> dict[str, str]:
    """Create everything the local stack needs in the moto server at `endpoint_url`:
    the table (with TTL and stream), the processor's dead-letter queue, the retry queue
    and its dead-letter queue (`retry_queues`: their names), the event bus with its
    example rule and queue, and the publisher's dead-letter queue. (Each stream worker
    creates its own checkpoint table.) Returns the stream ARN and the names, URLs and
    ARNs of the rest, for stack.json."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)  # noqa: S106
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    events = session.client("events", endpoint_url=endpoint_url)
    stream_arn = create_table(dynamodb, table_name)
    queue_url = create_dead_letter_queue(sqs, queue_name)
    events_dlq_url = create_dead_letter_queue(sqs, routing.dead_letter_queue)
    return {
        "stream_arn": stream_arn,
        "dlq_url": queue_url,
        "dlq_arn": queue_arn_of(sqs, queue_url),
        **create_retry_queues(sqs, *retry_queues),
        **create_event_routing(events, sqs, routing),
        "events_dlq_url": events_dlq_url,
        "events_dlq_arn": queue_arn_of(sqs, events_dlq_url),
    }
