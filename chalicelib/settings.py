"""Settings, read from the environment once per container and validated with pydantic.

A missing or malformed variable fails at start with a message naming the variable,
instead of failing later inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.exceptions import SettingsError


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    orders_table: str = Field(min_length=1, max_length=255)
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Attempts and horizon together bound how long a provider outage is ridden out; with
    # a 2 s base, 16 jittered attempts last about 40 minutes, and the horizon caps them.
    max_processing_attempts: int = Field(default=16, ge=1, le=100)
    retry_base_delay_ms: int = Field(default=2000, ge=0, le=900_000)
    retry_horizon_seconds: int = Field(default=3600, ge=1, le=14 * 86_400)
    retry_queue_url: str = Field(default="", max_length=1024)
    gateway_retry_attempts: int = Field(default=3, ge=1, le=10)
    gateway_retry_base_ms: int = Field(default=50, ge=0, le=10_000)
    simulator_latency_ms: int = Field(default=0, ge=0, le=60_000)
    simulator_outage_check_ms: int = Field(default=1000, ge=0, le=60_000)  # how stale `make outage` may be seen
    ledger_ttl_days: int = Field(default=30, ge=1, le=3650)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=1024 * 1024)
    event_bus_name: str = Field(default="orders-dev-events", min_length=1, max_length=256)
    event_source: str = Field(default="orders", pattern=r"^[A-Za-z0-9._-]{1,256}$")


def settings_from(environ: Mapping[str, str]) -> Settings:
    values = {name: environ[name.upper()] for name in Settings.model_fields if name.upper() in environ}
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            variable = str(detail["loc"][0]).upper()
            problem = "is missing" if detail["type"] == "missing" else f"is invalid: {detail['msg']}"
            problems.append(f"environment variable {variable} {problem}")
        raise SettingsError("; ".join(problems)) from None


@cache
def load_settings() -> Settings:
    return settings_from(os.environ)
