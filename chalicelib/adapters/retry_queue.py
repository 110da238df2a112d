"""The retry queue: Amazon SQS with a per-message delay, and an in-memory fake for tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from chalicelib.adapters.outages import LazyClient
from chalicelib.domain.commands import RetryOrder
from chalicelib.exceptions import DependencyUnavailable, SettingsError


def message_body(retry: RetryOrder) -> str:
    return retry.model_dump_json(include={"order_id", "attempt"})


class SqsRetryQueue:
    """`client` is an SQS client, or a function that makes one: most invocations never
    schedule a retry, so they never pay for the client."""

    def __init__(self, client: Any, queue_url: str) -> None:
        self._sqs = LazyClient(client)
        self._queue_url = queue_url

    def schedule(self, retry: RetryOrder, delay_s: int) -> None:
        if not self._queue_url:
            raise SettingsError("environment variable RETRY_QUEUE_URL is missing: no retry queue to schedule on")
        self._sqs().send_message(QueueUrl=self._queue_url, MessageBody=message_body(retry), DelaySeconds=delay_s)


class InMemoryRetryQueue:
    """Keeps what was scheduled, with its delay. `refuse` makes the queue fail, as an
    SQS outage does; `take` hands the scheduled retries over, as their delays ran out."""

    def __init__(self, refuse: Callable[[RetryOrder], bool] | None = None) -> None:
        self.scheduled: list[tuple[RetryOrder, int]] = []
        self.refuse = refuse
        self._lock = threading.Lock()

    def schedule(self, retry: RetryOrder, delay_s: int) -> None:
        assert 0 <= delay_s <= 900, "SQS delays a message by 0 to 900 seconds"
        if self.refuse and self.refuse(retry):
            raise DependencyUnavailable("send_message: the retry queue refused the message")
        with self._lock:  # what a message carries: the mark of a redelivery is not sent
            self.scheduled.append((retry.model_copy(update={"redelivered": False}), delay_s))

    def take(self) -> list[RetryOrder]:
        with self._lock:
            taken, self.scheduled = [retry for retry, _ in self.scheduled], []
        return taken
