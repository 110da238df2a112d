"""The retry path, driven on moto with its AWS calls recorded per function, for the IAM
test: process_orders meets a payments outage and schedules a retry on the retry queue;
retry_orders gets the message as its SQS mapping would hand it over, meets the outage
again and schedules the next; the outage ends and retry_orders settles the order (a
tok_flaky payment: the simulator's counter, as the stream handler meets it too).

The integration suite may not reach every call of the path (the processor's send, the
simulator's counter under retry_orders), so this drives it whole. Each handler runs under
its own name, recorded by a hook on the two clients the container is built with; the
suite-wide recording (tests/support/aws_calls) is left as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support import aws_calls
from tests.support.aws_calls import RETRIES, STREAM, AwsCall

REGION = "us-east-1"


class Recorder:
    def __init__(self) -> None:
        self.calls: set[AwsCall] = set()
        self._function: str | None = None

    def watch(self, client: Any) -> Any:
        client.meta.events.register("before-parameter-build.*.*", self._record)
        return client

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if self._function is not None:
            kinds = tuple(sorted({kind for item in params.get("TransactItems", []) for kind in item}))
            resources = aws_calls._resources(params)  # the same resources as the suite-wide recording
            self.calls.add(AwsCall(self._function, model.service_model.endpoint_prefix, model.name, resources, kinds))

    @contextmanager
    def running(self, function: str) -> Iterator[None]:
        self._function = function
        try:
            yield
        finally:
            self._function = None


def record_retry_path(table: str) -> set[AwsCall]:
    """The calls of one order's trip through the retry queue; `table` names the table and,
    with `-retries`, the queue (as terraform_references in iam_policies expects)."""
    from moto import mock_aws

    before = set(aws_calls.RECORDED)
    try:
        with mock_aws():
            return _drive(table)
    finally:
        aws_calls.RECORDED.clear()
        aws_calls.RECORDED.update(before)


def _drive(table: str) -> set[AwsCall]:
    import boto3

    import app
    from chalicelib import bootstrap
    from chalicelib.adapters.ledger import DynamoDBLedger
    from chalicelib.adapters.provider_outages import ProviderOutages
    from chalicelib.settings import Settings
    from devstack.provision import create_retry_queues, create_table

    recorder = Recorder()
    dynamodb, sqs = recorder.watch(boto3.client("dynamodb")), recorder.watch(boto3.client("sqs"))
    stream_arn = create_table(dynamodb, table)
    queue = create_retry_queues(sqs, f"{table}-retries", f"{table}-retries-dlq")
    settings = Settings(
        orders_table=table,
        retry_queue_url=queue["retry_queue_url"],
        gateway_retry_base_ms=0,
        retry_base_delay_ms=0,  # each retry is due at once
        simulator_outage_check_ms=0,  # the simulators see the switch at once
    )
    container = bootstrap.build_container(settings, dynamodb, sqs_client=sqs)
    outages = ProviderOutages(DynamoDBLedger(dynamodb, table, ttl_seconds=3600))
    earlier = bootstrap._current
    bootstrap.use_container(container)
    try:
        order_id = _place(container, "tok_flaky")
        outages.start("payments", 600)
        with recorder.running(STREAM):
            assert app.process_orders(_placed_records(stream_arn), None) == {"batchItemFailures": []}
        _retry(recorder, app, sqs, queue)  # still down: retry_orders schedules the next attempt
        outages.start("payments", 0)
        # Back up, but taken to be down after the outage's failures in a row: each retry is
        # one try, and tok_flaky's two transient failures cost one retry each.
        for _ in range(3):
            _retry(recorder, app, sqs, queue)
        order = container.processing.repository.get(order_id)
        assert order is not None and order.status.value == "CONFIRMED", order
        assert not sqs.receive_message(QueueUrl=queue["retry_queue_url"]).get("Messages"), "nothing left to retry"
    finally:
        bootstrap.use_container(earlier)
    return recorder.calls


def _place(container: Any, token: str) -> str:
    from chalicelib.domain.commands import PlaceOrder
    from chalicelib.entrypoints.api_models import CreateOrderRequest
    from chalicelib.service_layer import intake
    from tests.support.orders import order_body

    body = CreateOrderRequest.model_validate_json(json.dumps(order_body(token)))
    command = PlaceOrder(
        customer_id="retry-path",
        currency=body.currency,
        items=body.items,
        shipping_address=body.shipping_address,
        payment_token=body.payment_token,
    )
    return str(intake.place_order(command, container.intake).order.order_id)


def _placed_records(stream_arn: str) -> dict[str, Any]:
    """The stream records the processor's mapping filter passes, as Lambda hands them over."""
    import boto3

    from chalicelib.event_filter import matches
    from chalicelib.resources import load_resources
    from tests.support.stream_events import lambda_event, read_stream

    pattern = load_resources().stream_mapping.filter_pattern
    records = [r for r in read_stream(boto3.client("dynamodbstreams"), stream_arn) if matches(pattern, r)]
    assert len(records) == 1, records
    return lambda_event(records)


def _retry(recorder: Recorder, app: Any, sqs: Any, queue: dict[str, str]) -> None:
    """One poll of the mapping: receive, invoke retry_orders, delete what it did not report."""
    from devstack.lambda_shapes import sqs_record

    url = queue["retry_queue_url"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    event = {"Records": [sqs_record(message, queue["retry_queue_arn"], REGION) for message in messages]}
    with recorder.running(RETRIES):
        assert app.retry_orders(event, None) == {"batchItemFailures": []}
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
