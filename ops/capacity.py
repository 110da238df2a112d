"""What one order asks of each service, and whether a steady order rate fits the default
us-east-1 quotas (an account's real values are in the Service Quotas console)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

SECONDS_PER_MONTH = 86_400 * 30.4
KIB_PER_GIB = 1024 * 1024
DYNAMODB_ITEM_OVERHEAD_KIB = 100 / 1024
MEASURABLE = (
    "writes_per_order",
    "writes_per_order_with_key",
    "table_write_units_per_order",
    "table_write_units_per_order_with_key",
    "index_write_units_per_order",
    "index_write_units_per_order_with_key",
    "intake_ms",
    "processing_ms_per_record",
    "lambda_memory_mb",
)

API_REQUESTS_PER_SECOND_QUOTA = 10_000  # per account and region, shared by every API Gateway API
PUT_EVENTS_PER_SECOND_QUOTA = 10_000  # EventBridge PutEvents requests, us-east-1 (2,400 or less elsewhere)
RULE_INVOCATIONS_PER_SECOND_QUOTA = 18_750  # EventBridge target invocations, us-east-1 (1,100 in many regions)
EVENTBRIDGE_CHUNK_KIB = 64  # PutEvents bills each started 64 KB of an entry as one event
LAMBDA_CONCURRENCY_QUOTA = 1_000  # per region, shared by every function
TABLE_UNITS_PER_SECOND_QUOTA = 40_000  # on-demand: for the table and for each GSI, reads and writes apiece
NEW_TABLE_WARM_WRITE_UNITS = 4_000  # a fresh on-demand table throttles above this until it has scaled
# Per partition; the 10 GB is older AWS guidance, approximate, but it is what splits big tables into many shards.
PARTITION_WRITE_UNITS, PARTITION_READ_UNITS, PARTITION_GIB = 1_000, 3_000, 10
MAX_PARALLELIZATION_FACTOR = 10


@dataclass(frozen=True)
class WorkloadProfile:
    """Per order: times in ms, sizes in KiB (DynamoDB's KB). writes_* count item writes, not units."""

    api_posts_per_order: float = 1.0
    api_gets_per_order: float = 0.5
    intake_ms: float = 15.0  # per API request, GET included: one Lambda serves the whole API
    processing_ms_per_record: float = 20.0
    records_per_processing_invocation: float = 10.0  # optimistic when each shard sees few records a second
    lambda_memory_mb: float = 256.0
    architecture: Literal["arm64", "x86_64"] = "arm64"
    order_item_kib: float = 0.8  # measured: the sample order is 0.52 KB placed, 0.69 KB confirmed; its key record 0.8
    writes_per_order: float = 3.0  # intake's put, then processing's PAID and CONFIRMED saves
    writes_per_order_with_key: float = 4.0  # adds the idempotency record, put in one transaction with the order
    idempotency_key_share: float = 1.0  # upper bound: every client sends an Idempotency-Key
    gsi_writes_per_order_write: float = 1.0  # modelled only: a GSI that projects the whole order
    # Measured by benchmarks/writes_per_order.py from the items written (None: model them
    # from the item size and counts above). An approved order, without and with a key.
    table_write_units_per_order: float | None = None
    table_write_units_per_order_with_key: float | None = None
    index_write_units_per_order: float | None = None
    index_write_units_per_order_with_key: float | None = None
    processing_reads_per_order: float = 1.0
    log_kib_per_order: float = 1.5
    order_retention_months: float = 1.0
    log_retention_months: float = 1.0
    failed_order_share: float = 0.0
    events_per_order: float = 3.0  # OrderPlaced, OrderPaid, OrderConfirmed: one per stored status change
    event_kib: float = 0.5  # an event's detail (the envelope adds ~0.3 KB); one 64 KB chunk
    event_archive_retention_months: float = 1.0  # var.event_archive_retention_days = 30
    example_rule_targets: int = 1  # the example rule's SQS queue: one SendMessage per event
    alarms: int = 16  # 7 before order events: + the publisher's errors, throttles and iterator age,
    #                   its on-failure queue depth, the example rule's failed deliveries; + retry_orders'
    #                   errors and throttles, the retry queue's oldest age and its DLQ's depth
    dashboards: int = 1
    alarm_topic_keys: int = 1  # CloudWatch cannot publish to a topic under the AWS-managed aws/sns key
    custom_metrics: int = 6
    retry_concurrency: int = 5  # resources.json retry_queue.maximum_concurrency: retry_orders' cap


def write_units(item_kib: float) -> int:
    return max(1, math.ceil(item_kib))


def read_units(item_kib: float) -> int:
    return max(1, math.ceil(item_kib / 4))


def api_requests_per_order(profile: WorkloadProfile) -> float:
    return profile.api_posts_per_order + profile.api_gets_per_order


def item_writes_per_order(profile: WorkloadProfile) -> float:
    extra_with_key = profile.writes_per_order_with_key - profile.writes_per_order
    return profile.writes_per_order + profile.idempotency_key_share * extra_with_key


def _measured_mix(without_key: float | None, with_key: float | None, key_share: float) -> float | None:
    if without_key is None or with_key is None:
        return None
    return without_key + key_share * (with_key - without_key)


def table_write_units_per_order(profile: WorkloadProfile) -> float:
    measured = _measured_mix(
        profile.table_write_units_per_order, profile.table_write_units_per_order_with_key, profile.idempotency_key_share
    )
    if measured is not None:
        return measured
    # A keyed POST puts the order and its idempotency record (which embeds the order, so is as large)
    # in one transaction, and transactional writes cost double.
    transactional_items = profile.writes_per_order_with_key - profile.writes_per_order + 1
    doubled = profile.idempotency_key_share * transactional_items
    return (item_writes_per_order(profile) + doubled) * write_units(profile.order_item_kib)


def gsi_write_units_per_order(profile: WorkloadProfile) -> float:
    measured = _measured_mix(
        profile.index_write_units_per_order, profile.index_write_units_per_order_with_key, profile.idempotency_key_share
    )
    if measured is not None:
        return measured
    return profile.writes_per_order * profile.gsi_writes_per_order_write * write_units(profile.order_item_kib)


def read_units_per_order(profile: WorkloadProfile) -> float:
    # Processing's GetItem, the key lookup before a keyed POST (a miss costs a unit too), and GETs by id.
    reads = profile.processing_reads_per_order + profile.idempotency_key_share + profile.api_gets_per_order
    return reads * read_units(profile.order_item_kib)


def lambda_invocations_per_order(profile: WorkloadProfile) -> float:
    return api_requests_per_order(profile) + 1 / profile.records_per_processing_invocation


def lambda_gb_seconds_per_order(profile: WorkloadProfile) -> float:
    busy_ms = api_requests_per_order(profile) * profile.intake_ms + profile.processing_ms_per_record
    return busy_ms / 1000 * profile.lambda_memory_mb / 1024


def publisher_records_per_order(profile: WorkloadProfile) -> float:
    """Every write of an order item passes the publisher's filter (entity = order); whether
    it changed the status, and so makes an event, is decided in code."""
    return profile.writes_per_order


def publisher_invocations_per_order(profile: WorkloadProfile) -> float:
    # One invocation per batch, batched as the processor's are.
    return publisher_records_per_order(profile) / profile.records_per_processing_invocation


def publisher_gb_seconds_per_order(profile: WorkloadProfile) -> float:
    # The processor's measured time per record stands in for a record's PutEvents round trip.
    busy_ms = publisher_records_per_order(profile) * profile.processing_ms_per_record
    return busy_ms / 1000 * profile.lambda_memory_mb / 1024


def put_events_chunks_per_order(profile: WorkloadProfile) -> float:
    """Billed custom events: each entry counts once per started 64 KB."""
    return profile.events_per_order * max(1, math.ceil(profile.event_kib / EVENTBRIDGE_CHUNK_KIB))


def archived_gib_per_order(profile: WorkloadProfile) -> float:
    return profile.events_per_order * profile.event_kib / KIB_PER_GIB


def stored_gib_per_order(profile: WorkloadProfile, with_index: bool = True) -> float:
    copies = 1 + (profile.gsi_writes_per_order_write if with_index else 0)
    return (profile.order_item_kib + DYNAMODB_ITEM_OVERHEAD_KIB) * copies / KIB_PER_GIB


@dataclass(frozen=True)
class QuotaCheck:
    resource: str
    needed: float
    quota: float
    action: str
    reached_at_orders_per_second: float | None  # None for limits that are not quotas or not linear in the rate

    @property
    def ratio(self) -> float:
        return self.needed / self.quota


@dataclass(frozen=True)
class Capacity:
    orders_per_second: float
    checks: tuple[QuotaCheck, ...]
    partitions_for_throughput: int
    partitions_for_storage: int
    stream_shards: int
    parallelization_factor: int

    @property
    def first_limit(self) -> QuotaCheck:
        return max((check for check in self.checks if check.reached_at_orders_per_second), key=lambda c: c.ratio)


def capacity(orders_per_second: float, profile: WorkloadProfile) -> Capacity:
    api_rps = orders_per_second * api_requests_per_order(profile)
    intake_concurrency = api_rps * profile.intake_ms / 1000
    processing_concurrency = orders_per_second * profile.processing_ms_per_record / 1000  # Little's law
    publisher_records = orders_per_second * publisher_records_per_order(profile)
    publisher_concurrency = publisher_records * profile.processing_ms_per_record / 1000
    events_per_second = orders_per_second * profile.events_per_order
    table_wru = orders_per_second * table_write_units_per_order(profile)
    table_rru = orders_per_second * read_units_per_order(profile)
    gsi_wru = orders_per_second * gsi_write_units_per_order(profile)
    by_throughput = max(1, math.ceil(table_wru / PARTITION_WRITE_UNITS), math.ceil(table_rru / PARTITION_READ_UNITS))
    stored_orders = orders_per_second * SECONDS_PER_MONTH * profile.order_retention_months
    by_storage = math.ceil(stored_orders * stored_gib_per_order(profile, with_index=False) / PARTITION_GIB)
    shards = max(by_throughput, by_storage)  # DynamoDB Streams keeps about one shard per partition
    factor = max(1, math.ceil(orders_per_second / shards * profile.processing_ms_per_record / 1000))
    publisher_factor = max(1, math.ceil(publisher_records / shards * profile.processing_ms_per_record / 1000))
    # After an outage every shard runs min(factor, 10) batches at once for each of the two
    # mappings (the processor's and the publisher's), and the retry queue drains at its cap,
    # all drawing on the same regional pool.
    backlog_concurrency = (
        shards * (min(factor, MAX_PARALLELIZATION_FACTOR) + min(publisher_factor, MAX_PARALLELIZATION_FACTOR))
        + intake_concurrency
        + profile.retry_concurrency
    )

    def check(resource: str, needed: float, quota: float, ranked: bool = True, over: str = "yes") -> QuotaCheck:
        reached_at = orders_per_second * quota / needed if ranked and needed else None
        return QuotaCheck(resource, needed, quota, over if needed > quota else "no", reached_at)

    checks = (
        check("API Gateway requests/s (account, all APIs)", api_rps, API_REQUESTS_PER_SECOND_QUOTA),
        check(
            "Lambda concurrency, steady",
            intake_concurrency + processing_concurrency + publisher_concurrency,
            LAMBDA_CONCURRENCY_QUOTA,
        ),
        check("Lambda concurrency, stream backlog catch-up", backlog_concurrency, LAMBDA_CONCURRENCY_QUOTA, False),
        check("DynamoDB table WRU/s", table_wru, TABLE_UNITS_PER_SECOND_QUOTA),
        check("DynamoDB GSI by-customer WRU/s", gsi_wru, TABLE_UNITS_PER_SECOND_QUOTA),
        check("DynamoDB table RRU/s", table_rru, TABLE_UNITS_PER_SECOND_QUOTA),
        check("DynamoDB new-table warm WRU/s", table_wru, NEW_TABLE_WARM_WRITE_UNITS, False, over="pre-warm"),
        check("Stream parallelization factor per shard", factor, MAX_PARALLELIZATION_FACTOR, False, over="hard max"),
        # At most one PutEvents call per event (up to 10 entries of different orders share one).
        check("EventBridge PutEvents requests/s (account)", events_per_second, PUT_EVENTS_PER_SECOND_QUOTA),
        check(
            "EventBridge rule invocations/s (account)",
            events_per_second * profile.example_rule_targets,
            RULE_INVOCATIONS_PER_SECOND_QUOTA,
        ),
    )
    return Capacity(orders_per_second, checks, by_throughput, by_storage, shards, factor)
