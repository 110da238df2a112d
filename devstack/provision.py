"""Creates the orders table and the dead-letter queue from chalicelib/resources.json,
the same definitions the Terraform root is generated from."""

from __future__ import annotations

from typing import Any

from chalicelib.resources import load_resources


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
                "Projection": {"ProjectionType": "ALL"},
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


def create_dead_letter_queue(sqs: Any, queue_name: str) -> str:
    """Create the stream's on-failure destination; return its URL."""
    spec = load_resources().dead_letter_queue
    attributes = {
        "MessageRetentionPeriod": str(spec.message_retention_seconds),
        "SqsManagedSseEnabled": str(spec.sqs_managed_sse_enabled).lower(),
    }
    return str(sqs.create_queue(QueueName=queue_name, Attributes=attributes)["QueueUrl"])


def provision_stack(endpoint_url: str, table_name: str, queue_name: str, region: str) -> dict[str, str]:
    """Create everything the local stack needs in the moto server at `endpoint_url`:
    the table (with TTL and stream), the stream's dead-letter queue, and the stream
    worker's checkpoint table. Returns the stream ARN and the queue's URL and ARN."""
    import boto3

    from devstack.checkpoints import create_checkpoint_table

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)  # noqa: S106
    dynamodb = session.client("dynamodb", endpoint_url=endpoint_url)
    sqs = session.client("sqs", endpoint_url=endpoint_url)
    stream_arn = create_table(dynamodb, table_name)
    queue_url = create_dead_letter_queue(sqs, queue_name)
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    create_checkpoint_table(dynamodb)
    return {"stream_arn": stream_arn, "dlq_url": queue_url, "dlq_arn": str(queue_arn)}
