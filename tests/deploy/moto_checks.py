"""Checks for test_apply_to_moto: read the applied resources back from moto and compare
them with resources.json, the app's routes and the local stack; plan the REST variant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from chalicelib.resources import load_resources
from infrastructure.package import route_keys
from tests.deploy.terraform_cli import Terraform

EXPECTED_ALARMS = 7  # iterator age, DLQ depth, API 5XX rate, errors and throttles of both functions


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def check_table(endpoint: str) -> None:
    dynamodb = client("dynamodb", endpoint)
    table = dynamodb.describe_table(TableName="orders-dev")["Table"]
    spec = load_resources().table
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": spec.stream_view_type}
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == [spec.customer_index.name]
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["DeletionProtectionEnabled"] is False  # dev; prod is checked in the plan below
    ttl = dynamodb.describe_time_to_live(TableName="orders-dev")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", spec.ttl_attribute)
    backups = dynamodb.describe_continuous_backups(TableName="orders-dev")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def check_stream_mapping(endpoint: str) -> None:
    spec = load_resources().stream_mapping
    queue_url = client("sqs", endpoint).get_queue_url(QueueName="orders-dev-stream-failures")["QueueUrl"]
    queue = client("sqs", endpoint).get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert (queue["MessageRetentionPeriod"], queue["SqsManagedSseEnabled"]) == ("1209600", "true")
    functions = client("lambda", endpoint)
    handler = functions.get_function(FunctionName="orders-dev-process_orders")["Configuration"]["FunctionArn"]
    (mapping,) = functions.list_event_source_mappings(FunctionName=handler)["EventSourceMappings"]
    assert mapping["BatchSize"] == spec.batch_size
    assert mapping["MaximumRetryAttempts"] == spec.maximum_retry_attempts
    assert mapping["BisectBatchOnFunctionError"] is spec.bisect_batch_on_function_error
    assert mapping["MaximumRecordAgeInSeconds"] == spec.maximum_record_age_seconds
    assert mapping["FunctionResponseTypes"] == spec.function_response_types
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == queue["QueueArn"]
    (pattern,) = mapping["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == spec.filter_pattern


def table_shape(dynamodb: Any, name: str) -> dict[str, Any]:
    table = dynamodb.describe_table(TableName=name)["Table"]
    kept = ("IndexName", "KeySchema", "Projection")
    indexes = [{key: index[key] for key in kept} for index in table["GlobalSecondaryIndexes"]]
    return {
        "key_schema": table["KeySchema"],
        "attributes": sorted(table["AttributeDefinitions"], key=lambda attribute: attribute["AttributeName"]),
        "indexes": indexes,
        "billing": table["BillingModeSummary"]["BillingMode"],
        "stream": table["StreamSpecification"],
        "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"],
    }


def check_local_stack_agrees(endpoint: str) -> None:
    """`make run` builds its table, DLQ and mapping from the same definitions: prove the
    local stack and the applied Terraform root agree, side by side in one moto."""
    from devstack.provision import create_dead_letter_queue, create_table
    from devstack.stream_worker import mapping_settings

    dynamodb, sqs = client("dynamodb", endpoint), client("sqs", endpoint)
    create_table(dynamodb, "orders-local")
    assert table_shape(dynamodb, "orders-local") == table_shape(dynamodb, "orders-dev")

    wanted = ["MessageRetentionPeriod", "SqsManagedSseEnabled"]
    local_queue = create_dead_letter_queue(sqs, "orders-local-dlq")
    deployed_queue = sqs.get_queue_url(QueueName="orders-dev-stream-failures")["QueueUrl"]
    local = sqs.get_queue_attributes(QueueUrl=local_queue, AttributeNames=wanted)["Attributes"]
    assert local == sqs.get_queue_attributes(QueueUrl=deployed_queue, AttributeNames=wanted)["Attributes"]

    functions = client("lambda", endpoint)
    handler = functions.get_function(FunctionName="orders-dev-process_orders")["Configuration"]["FunctionArn"]
    (deployed,) = functions.list_event_source_mappings(FunctionName=handler)["EventSourceMappings"]
    worker = mapping_settings(max_retry_attempts=None, retry_delay_s=0.1)
    assert (worker.batch_size, worker.max_retry_attempts, worker.bisect_on_error, worker.max_record_age_s) == (
        deployed["BatchSize"],
        deployed["MaximumRetryAttempts"],
        deployed["BisectBatchOnFunctionError"],
        deployed["MaximumRecordAgeInSeconds"],
    )
    assert worker.report_batch_item_failures == ("ReportBatchItemFailures" in deployed["FunctionResponseTypes"])
    (deployed_filter,) = deployed["FilterCriteria"]["Filters"]
    assert json.loads(deployed_filter["Pattern"]) == load_resources().stream_mapping.filter_pattern


def check_http_api(endpoint: str) -> None:
    import app

    apis = client("apigatewayv2", endpoint)
    (api,) = apis.get_apis()["Items"]
    routes = {route["RouteKey"] for route in apis.get_routes(ApiId=api["ApiId"])["Items"]}
    assert routes == set(route_keys(app.app))
    (integration,) = apis.get_integrations(ApiId=api["ApiId"])["Items"]
    assert integration["PayloadFormatVersion"] == "1.0"
    (stage,) = apis.get_stages(ApiId=api["ApiId"])["Items"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert json.loads(stage["AccessLogSettings"]["Format"])["requestId"] == "$context.requestId"


def check_functions_and_observability(endpoint: str) -> None:
    functions = client("lambda", endpoint)
    roles = set()
    for name in ("orders-dev", "orders-dev-process_orders"):
        configuration = functions.get_function(FunctionName=name)["Configuration"]
        assert (configuration["Runtime"], configuration["Architectures"]) == ("python3.13", ["arm64"])
        roles.add(configuration["Role"])
    assert len(roles) == 2, "each function has its own role"
    groups = client("logs", endpoint).describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]
    assert {group["logGroupName"]: group["retentionInDays"] for group in groups} == {
        "/aws/lambda/orders-dev": 30,
        "/aws/lambda/orders-dev-process_orders": 30,
        "/aws/apigateway/orders-dev-access": 30,
    }
    alarms = client("cloudwatch", endpoint).describe_alarms()["MetricAlarms"]
    assert len(alarms) == EXPECTED_ALARMS
    assert all(alarm["AlarmActions"] for alarm in alarms), "every alarm notifies the SNS topic"


def check_rest_and_prod_plan(terraform: Terraform, root: Path) -> None:
    """moto refuses Chalice's Swagger 2.0 body, so the REST variant is planned, not applied."""
    terraform.run(root, "plan", "-var=api_type=rest", "-var=stage=prod", "-out=rest.plan", "-no-color")
    plan = terraform.json(root, "show", "-json", "rest.plan")
    created = {change["address"] for change in plan["resource_changes"] if "create" in change["change"]["actions"]}
    assert {"aws_api_gateway_rest_api.rest_api[0]", "aws_api_gateway_stage.rest_api[0]"} <= created
    table = next(change for change in plan["resource_changes"] if change["address"] == "aws_dynamodb_table.orders")
    assert table["change"]["after"]["deletion_protection_enabled"] is True
