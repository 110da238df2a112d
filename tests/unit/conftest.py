"""Fixtures for the intake use-case tests: in-memory repository and publisher, a settable
clock, and the IntakeDeps that wire them with a 24-hour idempotency TTL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.adapters.publisher import InMemoryEventPublisher
from chalicelib.service_layer.intake import IntakeDeps
from tests.unit.intake_doubles import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def repository() -> InMemoryOrderRepository:
    return InMemoryOrderRepository()


@pytest.fixture
def publisher() -> InMemoryEventPublisher:
    return InMemoryEventPublisher()


@pytest.fixture
def deps(repository: InMemoryOrderRepository, publisher: InMemoryEventPublisher, clock: Clock) -> IntakeDeps:
    return IntakeDeps(repository, publisher, clock, timedelta(hours=24))
