"""Lambda's SQS event-source mapping, for one function in this process (the local stack
runs it for `retry_orders` on the retry queue).

It long-polls ReceiveMessage, batches by size and window, invokes the handler with
Lambda-shaped SQS events and reads the partial batch response (ReportBatchItemFailures).
Messages that succeeded are deleted (DeleteMessageBatch); the others stay on the queue
and come back after its visibility timeout. No redrive here: moto 5.2.5 applies the
queue's RedrivePolicy itself, moving a message to the dead-letter queue on the first
ReceiveMessage after it was received maxReceiveCount times, as SQS does (checked by
tests/e2e/test_retry_queue.py). One JSON line per invocation.
"""

from __future__ import annotations

import copy
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from devstack.lambda_shapes import LambdaContext, Record, sqs_record
from devstack.worker_process import Handler, JsonLog

MAX_RECEIVE = 10  # ReceiveMessage's own limit per call
log = JsonLog("devstack.queue_worker")


@dataclass(frozen=True)
class QueueSettings:
    batch_size: int = 10
    batching_window_s: float = 0.0
    report_batch_item_failures: bool = True
    visibility_timeout_s: int | None = None  # None: the queue's own, as Lambda uses
    wait_s: int = 1  # per long poll; short, so that SIGTERM is answered within about a second


def failed_ids(response: Any, records: list[Record], report_failures: bool) -> list[str]:
    """The messageIds to leave on the queue. Without ReportBatchItemFailures any return
    is a success. With it, as Lambda documents: a null or empty response or
    batchItemFailures is a full success; an invalid one (not an object, or an item whose
    itemIdentifier is missing, empty or not in the batch) fails the whole batch."""
    every = [str(record["messageId"]) for record in records]
    if not report_failures or not response:
        return []
    failures = response.get("batchItemFailures") if isinstance(response, dict) else "invalid"
    if failures is None or failures == []:
        return []
    if not isinstance(failures, list):
        return every
    identifiers = [failure.get("itemIdentifier") if isinstance(failure, dict) else None for failure in failures]
    if not all(isinstance(identifier, str) and identifier in every for identifier in identifiers):
        return every
    return [message_id for message_id in every if message_id in identifiers]


class QueueWorker:
    def __init__(
        self, sqs: Any, handler: Handler, settings: QueueSettings, queue_url: str, function_name: str, region: str
    ) -> None:
        self.sqs, self.handler, self.settings, self.queue_url = sqs, handler, settings, queue_url
        self.function_name, self.region = function_name, region
        self.queue_arn = ""
        self.stop = threading.Event()

    def connect(self) -> dict[str, str]:
        """The queue's attributes; its ARN becomes the records' eventSourceARN."""
        attributes: dict[str, str] = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["All"])[
            "Attributes"
        ]
        self.queue_arn = attributes["QueueArn"]
        return attributes

    def run(self) -> None:
        while not self.stop.is_set():
            self.attempt(self.poll_once)

    def attempt(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except (ClientError, BotoCoreError) as error:
            if not self.stop.is_set():  # while stopping, moto may already be gone
                log("queue call failed; polling again", "WARNING", function=self.function_name, error=repr(error))
                self.stop.wait(0.5)
            return False
        return True

    def poll_once(self) -> None:
        messages = self._receive(self.settings.wait_s)
        deadline = time.monotonic() + self.settings.batching_window_s
        while messages and len(messages) < self.settings.batch_size and not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            messages += self._receive(min(20, math.ceil(left)))
        if messages:
            self._invoke([sqs_record(message, self.queue_arn, self.region) for message in messages])

    def _receive(self, wait_s: int) -> list[Record]:
        options: dict[str, Any] = {}
        if self.settings.visibility_timeout_s is not None:
            options["VisibilityTimeout"] = self.settings.visibility_timeout_s
        reply = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(MAX_RECEIVE, self.settings.batch_size),
            WaitTimeSeconds=wait_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            **options,
        )
        messages: list[Record] = reply.get("Messages", [])
        return messages

    def _invoke(self, records: list[Record]) -> None:
        context = LambdaContext(self.function_name, self.region)
        started = time.perf_counter()
        error: str | None = None
        try:
            response = self.handler({"Records": copy.deepcopy(records)}, context)
            failed = failed_ids(response, records, self.settings.report_batch_item_failures)
        except Exception as exception:  # a function error: the whole batch stays on the queue
            failed, error = [str(record["messageId"]) for record in records], repr(exception)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        done = [record for record in records if record["messageId"] not in failed]
        delete_error: str | None = None
        try:
            not_deleted = self._delete(done)
        except (ClientError, BotoCoreError) as problem:  # they come back after the visibility timeout
            not_deleted, delete_error = [record["messageId"] for record in done], repr(problem)
        log(
            "invoked",
            function=self.function_name,
            request_id=context.aws_request_id,
            queue_arn=self.queue_arn,
            batch_size=len(records),
            message_ids=[record["messageId"] for record in records],
            receive_counts=[int(record["attributes"].get("ApproximateReceiveCount", 0)) for record in records],
            failures=len(failed),
            failed_message_ids=failed,
            function_error=error,
            not_deleted=not_deleted,
            delete_error=delete_error,
            duration_ms=duration_ms,
        )

    def _delete(self, records: list[Record]) -> list[str]:
        """Delete what succeeded; return the messageIds SQS did not delete (they come back)."""
        refused: list[str] = []
        for start in range(0, len(records), MAX_RECEIVE):
            chunk = records[start : start + MAX_RECEIVE]
            entries = [{"Id": str(index), "ReceiptHandle": r["receiptHandle"]} for index, r in enumerate(chunk)]
            reply = self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
            refused += [chunk[int(failure["Id"])]["messageId"] for failure in reply.get("Failed", [])]
        return refused
