"""The real flow on moto, in process: orders go in through the Chalice handler, the
table's stream is read back, and its records reach the stream handler as Lambda would
deliver them: filtered by the mapping's pattern, in batches, and retried from the first
failure the handler reports, up to the mapping's retry cap."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from benchmarks.common import TABLE_NAME, apply_environ

apply_environ()

import boto3  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

import app  # noqa: E402
from benchmarks.common import ROOT  # noqa: E402
from chalicelib import bootstrap  # noqa: E402
from chalicelib.event_filter import matches  # noqa: E402
from chalicelib.resources import load_resources  # noqa: E402
from chalicelib.settings import Settings  # noqa: E402
from devstack.provision import create_table  # noqa: E402
from tests.support.auth import bearer, verify_tokens  # noqa: E402
from tests.support.orders import order_body  # noqa: E402
from tests.support.stream_events import lambda_event, read_stream  # noqa: E402

HEADERS = {"Content-Type": "application/json", **bearer("cust-bench")}
Record = dict[str, Any]


@dataclass
class Deliveries:
    read: int = 0  # records read from the stream
    passed_filter: int = 0
    delivered: int = 0  # records handed to the handler, redeliveries included
    invocations: int = 0
    retry_messages: int = 0  # handed to the retry queue's consumer
    retry_invocations: int = 0
    dead_lettered: int = 0
    skipped_by_filter: Counter[str] = field(default_factory=Counter)


class MotoFlow:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []  # (operation, params) of every DynamoDB call
        self.deliveries = Deliveries()
        self._seen: set[str] = set()
        self._mapping = load_resources().stream_mapping

    def __enter__(self) -> MotoFlow:
        self._mock = mock_aws()
        self._mock.start()
        self.client = boto3.client("dynamodb")
        self.streams = boto3.client("dynamodbstreams")
        self.stream_arn = create_table(self.client, TABLE_NAME)
        self.client.meta.events.register("before-parameter-build.dynamodb", self._record_call)
        self.sqs = boto3.client("sqs")
        self.retry_queue_url = self.sqs.create_queue(QueueName=f"{TABLE_NAME}-retries")["QueueUrl"]
        # No waiting between attempts, and a budget of 3: a down provider fails its order at once.
        settings = Settings(
            orders_table=TABLE_NAME,
            gateway_retry_base_ms=0,
            retry_base_delay_ms=0,
            max_processing_attempts=3,
            retry_queue_url=self.retry_queue_url,
        )
        self.container = bootstrap.build_container(settings, self.client, sqs_client=self.sqs)
        bootstrap.use_container(self.container)
        self._http = verify_tokens(Client(app.app, project_dir=str(ROOT)), app.app)  # API Gateway's JWT check
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        bootstrap.use_container(None)
        self._mock.stop()

    def _record_call(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append((model.name, params))

    def post(self, token: str = "tok_visa", country: str = "GB", key: str | None = None) -> str:
        headers = {**HEADERS, **({"Idempotency-Key": key} if key else {})}
        response = self._http.http.post("/orders", headers=headers, body=json.dumps(order_body(token, country)))
        assert response.status_code == 201, response.body
        return str(response.json_body["order_id"])

    def cancel(self, order_id: str) -> None:
        response = self._http.http.post(f"/orders/{order_id}/cancel", headers=HEADERS)
        assert response.status_code == 200, response.body

    def drain(self) -> None:
        """Deliver the stream's new records and the retry queue's messages until neither has work."""
        while self._drain_stream() + self._drain_retries():
            pass

    def _drain_retries(self) -> int:
        messages = self.sqs.receive_message(QueueUrl=self.retry_queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return 0
        records = [{"messageId": m["MessageId"], "body": m["Body"], "attributes": {}} for m in messages]
        self.deliveries.retry_invocations += 1
        self.deliveries.retry_messages += len(records)
        failed = {
            failure["itemIdentifier"] for failure in app.retry_orders({"Records": records}, None)["batchItemFailures"]
        }
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.retry_queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def _drain_stream(self) -> int:
        """Deliver every new record that passes the filter; return how many."""
        delivered = 0
        while True:
            fresh = [r for r in read_stream(self.streams, self.stream_arn) if r["eventID"] not in self._seen]
            self._seen.update(record["eventID"] for record in fresh)
            self.deliveries.read += len(fresh)
            survivors = [record for record in fresh if self._passes(record)]
            if not survivors:
                return delivered
            delivered += len(survivors)
            self.deliveries.passed_filter += len(survivors)
            self._deliver(survivors)

    def _passes(self, record: Record) -> bool:
        if matches(self._mapping.filter_pattern, record):
            return True
        kind = record["dynamodb"]["Keys"]["pk"]["S"].split("#")[0]
        status = record["dynamodb"].get("NewImage", {}).get("status", {}).get("S", "")
        self.deliveries.skipped_by_filter[f"{record['eventName']} {kind} {status}".strip()] += 1
        return False

    def _deliver(self, queue: list[Record]) -> None:
        retries = 0
        while queue:
            batch = queue[: self._mapping.batch_size]
            self.deliveries.invocations += 1
            self.deliveries.delivered += len(batch)
            response = app.process_orders(lambda_event(batch), None)
            failed = {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
            numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
            if not failed:
                queue, retries = queue[len(batch) :], 0
                continue
            first_failed = min(numbers.index(number) for number in failed)
            queue = queue[first_failed:]
            retries = retries + 1 if first_failed == 0 else 1  # Lambda counts retries of the same record
            if retries > self._mapping.maximum_retry_attempts:  # the mapping sends it to the DLQ
                queue, retries = queue[1:], 0
                self.deliveries.dead_lettered += 1
