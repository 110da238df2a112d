"""The composition root: builds the adapters once per container and hands the
services their dependencies. Tests swap in fakes with `use_container`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb_repository import DynamoDBOrderRepository
from chalicelib.adapters.eventbridge import EventBridgeBus, InMemoryEventBus
from chalicelib.adapters.items import StreamImages
from chalicelib.adapters.ledger import DynamoDBLedger, InMemoryLedger
from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.adapters.provider_outages import ProviderOutages
from chalicelib.adapters.publisher import InMemoryEventPublisher, LoggingEventPublisher
from chalicelib.adapters.retry_queue import InMemoryRetryQueue, SqsRetryQueue
from chalicelib.adapters.simulator import SimulatedPaymentGateway, SimulatedShippingGateway
from chalicelib.domain.clock import utc_now
from chalicelib.observability import logger, metrics
from chalicelib.resources import load_resources
from chalicelib.service_layer.announcing import AnnouncingDeps
from chalicelib.service_layer.backoff import RetrySchedule
from chalicelib.service_layer.intake import IntakeDeps
from chalicelib.service_layer.ports import EventBus, EventPublisher, Ledger, OrderRepository, RetryQueue
from chalicelib.service_layer.processing_deps import ProcessingDeps
from chalicelib.service_layer.retry import RetryPolicy
from chalicelib.settings import Settings, load_settings


@dataclass(frozen=True)
class Container:
    settings: Settings
    intake: IntakeDeps
    processing: ProcessingDeps
    announcing: AnnouncingDeps


_current: Container | None = None


def container() -> Container:
    global _current
    if _current is None:
        _current = build_container(load_settings())
    return _current


def use_container(replacement: Container | None) -> None:
    global _current
    _current = replacement


Clock = Callable[[], datetime]


def _aws_client(service: str) -> Any:
    # botocore alone: boto3 on top of it adds 10-15 ms to every cold start.
    import botocore.session
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=2, read_timeout=5)
    return botocore.session.get_session().create_client(service, config=config)


def build_container(
    settings: Settings, client: Any = None, clock: Clock = utc_now, events_client: Any = None, sqs_client: Any = None
) -> Container:
    if client is None:
        client = _aws_client("dynamodb")
    table = settings.orders_table
    repository = DynamoDBOrderRepository(client, table, load_resources().table.customer_index.name, clock=clock)
    ledger = DynamoDBLedger(client, table, ttl_seconds=settings.ledger_ttl_days * 86_400)
    bus = EventBridgeBus(
        events_client or (lambda: _aws_client("events")), settings.event_bus_name, settings.event_source
    )
    retries = SqsRetryQueue(sqs_client or (lambda: _aws_client("sqs")), settings.retry_queue_url)
    return assemble(settings, repository, ledger, LoggingEventPublisher(logger, metrics), clock, bus, retries)


def in_memory_container(settings: Settings | None = None, clock: Clock = utc_now) -> Container:
    settings = settings or Settings(orders_table="in-memory", gateway_retry_base_ms=0)
    repository, bus = InMemoryOrderRepository(clock=clock), InMemoryEventBus()
    return assemble(settings, repository, InMemoryLedger(), InMemoryEventPublisher(), clock, bus, InMemoryRetryQueue())


def assemble(
    settings: Settings,
    repository: OrderRepository,
    ledger: Ledger,
    publisher: EventPublisher,
    clock: Clock = utc_now,
    bus: EventBus | None = None,
    retries: RetryQueue | None = None,
) -> Container:
    """Wire the services. `clock` must be the repository's clock too: idempotency-key
    expiry is computed by the service and checked by the repository."""
    latency_s = settings.simulator_latency_ms / 1000
    intake = IntakeDeps(repository, publisher, clock, timedelta(hours=settings.idempotency_ttl_hours))
    outages = ProviderOutages(ledger, check_every_s=settings.simulator_outage_check_ms / 1000)
    processing = ProcessingDeps(
        repository=repository,
        payments=SimulatedPaymentGateway(ledger, latency_s, outages=outages),
        shipping=SimulatedShippingGateway(ledger, latency_s, outages=outages),
        publisher=publisher,
        clock=clock,
        retry=RetryPolicy(attempts=settings.gateway_retry_attempts, base_delay_s=settings.gateway_retry_base_ms / 1000),
        retries=retries or InMemoryRetryQueue(),
        schedule=RetrySchedule(
            max_attempts=settings.max_processing_attempts,
            base_delay_s=settings.retry_base_delay_ms / 1000,
            horizon_s=settings.retry_horizon_seconds,
        ),
    )
    announcing = AnnouncingDeps(bus=bus or InMemoryEventBus(), images=StreamImages())
    return Container(settings, intake, processing, announcing)
