"""The table and stream-mapping definitions shared by the Lambda code, the local stack
and the Terraform generator: one source, so the three cannot drift apart."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

RESOURCES_FILE = Path(__file__).with_name("resources.json")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ApiSpec(_Frozen):
    public_routes: list[str]  # route keys API Gateway serves without a token; every other needs one


class IndexSpec(_Frozen):
    name: str
    partition_key: str
    sort_key: str
    # KEYS_ONLY: the index is written once per order (at create), not on every status
    # change; a page is then read from the table by key (see DynamoDBOrderRepository).
    projection: Literal["KEYS_ONLY", "ALL"]


class TableSpec(_Frozen):
    partition_key: str
    sort_key: str
    attributes: dict[str, str]
    customer_index: IndexSpec
    stream_view_type: str
    ttl_attribute: str
    billing_mode: str


class StreamMappingSpec(_Frozen):
    batch_size: int
    maximum_batching_window_seconds: int
    starting_position: str
    maximum_retry_attempts: int
    bisect_batch_on_function_error: bool
    maximum_record_age_seconds: int
    function_response_types: list[str]
    filter_pattern: dict[str, Any]


class RetryQueueSpec(_Frozen):
    """The retry queue and its SQS event-source mapping. A message the function fails
    `max_receive_count` times is a poison message and moves to its dead-letter queue."""

    batch_size: int
    maximum_batching_window_seconds: int
    maximum_concurrency: int  # at least 2 in Lambda; caps what a backlog draining at once can take
    function_response_types: list[str]
    visibility_timeout_seconds: int  # six times the function's timeout, as AWS advises
    message_retention_seconds: int
    max_receive_count: int
    sqs_managed_sse_enabled: bool


class DeadLetterQueueSpec(_Frozen):
    message_retention_seconds: int
    sqs_managed_sse_enabled: bool


class Resources(_Frozen):
    api: ApiSpec
    table: TableSpec
    stream_mapping: StreamMappingSpec  # the processor's
    events_mapping: StreamMappingSpec  # the outbox publisher's, on the same stream
    retry_queue: RetryQueueSpec  # the processor's retries after a provider outage
    dead_letter_queue: DeadLetterQueueSpec


@cache
def load_resources() -> Resources:
    return Resources.model_validate(json.loads(RESOURCES_FILE.read_text()))
