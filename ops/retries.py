"""The retry queue's part of the bill (docs/deploy.md "Retries").

Each retry is one SendMessage (by process_orders, or by retry_orders when a retry fails
again), then retry_orders' SQS mapping receives it (ReceiveMessage) and, once handled,
deletes it (DeleteMessageBatch); a receive and a delete each take up to `batch_size`
messages, so a message pays 1/`messages_per_receive` of each. Every started 64 KB of a
request's payload is billed as one request; a retry message is about 80 bytes.

In normal operation no order is retried (`retried_order_share` 0): only an outage of a
provider adds retries, up to MAX_PROCESSING_ATTEMPTS - 1 for an order it outlasts.

Retries or not, the mapping's pollers long-poll the queue (up to 20 s a request), and
each empty receive is a billed request. Lambda does not publish how many pollers an idle
mapping keeps; five, the number it starts with, is an assumption here: the queue's
NumberOfEmptyReceives metric gives the real count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chalicelib.resources import load_resources
from chalicelib.settings import Settings
from ops.prices import MonthlyCost

SQS_CHUNK_KIB = 64
RETRY_ITEMS = ("SQS retry queue: retries (send, receive, delete)", "SQS retry queue: idle long polls")
_ATTEMPTS = int(Settings.model_fields["max_processing_attempts"].default)


@dataclass(frozen=True)
class RetryProfile:
    retried_order_share: float = 0.0  # orders whose provider stayed down: 0 outside an outage
    retries_per_retried_order: float = _ATTEMPTS - 1  # an order that uses its whole attempt budget
    messages_per_receive: float = 1.0  # 1 (a trickle: the most requests) up to the mapping's batch size
    message_kib: float = 0.1  # a RetryOrder as JSON: about 80 bytes
    idle_pollers: float = 5.0  # an assumption, see above
    long_poll_seconds: float = 20.0  # Lambda's long-poll wait, SQS's maximum

    def __post_init__(self) -> None:
        batch = load_resources().retry_queue.batch_size
        if not (0 <= self.retried_order_share <= 1 and 1 <= self.messages_per_receive <= batch):
            raise ValueError(f"retried_order_share must be 0..1 and messages_per_receive 1..{batch}")


def requests_per_retry(retry: RetryProfile) -> float:
    """The send (one request per started 64 KB), plus this message's share of a receive and a delete."""
    return max(1, math.ceil(retry.message_kib / SQS_CHUNK_KIB)) + 2 / retry.messages_per_receive


def retries_per_order(retry: RetryProfile) -> float:
    return retry.retried_order_share * retry.retries_per_retried_order


def idle_polls_per_month(retry: RetryProfile, seconds_per_month: float) -> float:
    return retry.idle_pollers * seconds_per_month / retry.long_poll_seconds


def usage(orders: float, seconds_per_month: float, retry: RetryProfile) -> tuple[tuple[str, str, float], ...]:
    """(line item, price key, quantity) for the month's bill."""
    return (
        (RETRY_ITEMS[0], "sqs_requests", orders * retries_per_order(retry) * requests_per_retry(retry)),
        (RETRY_ITEMS[1], "sqs_requests", idle_polls_per_month(retry, seconds_per_month)),
    )


def retry_queue_usd(cost: MonthlyCost) -> float:
    return sum(line.usd for line in cost.lines if line.item in RETRY_ITEMS)


def retry_report(cost: MonthlyCost, retry: RetryProfile, usd_per_request: float) -> list[str]:
    """One line: the fixed polling, what retries add at this share, and what an outage would add."""
    retries, idle = (next(line.usd for line in cost.lines if line.item == item) for item in RETRY_ITEMS)
    per_million = 1e6 * retry.retries_per_retried_order * requests_per_retry(retry) * usd_per_request
    return [
        f"Retry queue: ${idle:,.2f} a month of idle long polls ({retry.idle_pollers:g} pollers, assumed);"
        f" retries ${retries:,.2f} at {retry.retried_order_share:.0%} of orders retried (0 outside outages);"
        f" in an outage, each million orders retried {retry.retries_per_retried_order:g} times add"
        f" ${per_million:,.2f} ({requests_per_retry(retry):g} requests a retry)"
    ]
