"""Fixtures shared by every test layer: moto-backed AWS, the orders table, and the
Chalice app wired either to fakes or to moto."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# Set before boto3 is imported anywhere, so no test can reach a real AWS account.
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    AWS_EC2_METADATA_DISABLED="true",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="WARNING",
)

from chalicelib import bootstrap
from chalicelib.bootstrap import Container
from chalicelib.settings import Settings
from tests.support import aws_calls
from tests.support.auth import verify_tokens

TABLE_NAME = "orders-dev"


def pytest_configure(config: pytest.Config) -> None:
    aws_calls.install()


@pytest.fixture
def settings() -> Settings:
    return Settings(orders_table=TABLE_NAME, gateway_retry_base_ms=0)


@pytest.fixture
def fake_container(settings: Settings) -> Iterator[Container]:
    """The app wired to in-memory fakes."""
    container = bootstrap.in_memory_container(settings)
    bootstrap.use_container(container)
    yield container
    bootstrap.use_container(None)


@pytest.fixture
def moto_aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


@pytest.fixture
def dynamodb(moto_aws: None) -> Any:
    import boto3

    return boto3.client("dynamodb")


@pytest.fixture
def stream_arn(dynamodb: Any) -> str:
    from devstack.provision import create_table

    return create_table(dynamodb, TABLE_NAME)


RETRY_QUEUE = "orders-dev-retries"


@pytest.fixture
def retry_queue_url(moto_aws: None) -> str:
    """The retry queue in moto, with its dead-letter queue and redrive, as provisioned."""
    import boto3

    sqs = boto3.client("sqs")
    dead = sqs.create_queue(QueueName=f"{RETRY_QUEUE}-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = f'{{"deadLetterTargetArn": "{dead_arn}", "maxReceiveCount": "5"}}'
    return str(sqs.create_queue(QueueName=RETRY_QUEUE, Attributes={"RedrivePolicy": redrive})["QueueUrl"])


@pytest.fixture
def moto_container(settings: Settings, dynamodb: Any, stream_arn: str, retry_queue_url: str) -> Iterator[Container]:
    """The app wired to the moto-backed table and retry queue."""
    import boto3

    settings = settings.model_copy(update={"retry_queue_url": retry_queue_url})
    container = bootstrap.build_container(settings, dynamodb, sqs_client=boto3.client("sqs"))
    bootstrap.use_container(container)
    yield container
    bootstrap.use_container(None)


@pytest.fixture
def api(fake_container: Container) -> Iterator[Any]:
    """A Chalice test client for the app on fakes."""
    from chalice.test import Client

    import app

    with Client(app.app) as client:
        yield verify_tokens(client, app.app)


@pytest.fixture
def moto_api(moto_container: Container) -> Iterator[Any]:
    """A Chalice test client for the app on moto."""
    from chalice.test import Client

    import app

    with Client(app.app) as client:
        yield verify_tokens(client, app.app)
