"""Tells a dependency outage from a bug at the edge of the AWS SDK.

Throttling, timeouts, lost connections and 5xx answers become DependencyUnavailable
(503 + Retry-After, or a retried stream record); every other SDK error stays as it is
and is treated as a bug (500). Only adapters know botocore, so the translation lives here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as SdkConnectionError

from chalicelib.exceptions import DependencyUnavailable

OUTAGE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


def is_outage(error: Exception) -> bool:
    if isinstance(error, SdkConnectionError | HTTPClientError):
        return True  # connect and read timeouts, refused or dropped connections
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return code in OUTAGE_CODES or status >= 500
    return False


class OutageTranslatingClient:
    """Wraps a botocore client: same methods and `exceptions`, outages translated."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        return _translating(name, attribute) if callable(attribute) and not name.startswith("_") else attribute


class LazyClient:
    """A botocore client, or a function that makes one, made (and wrapped) on first use:
    functions that never call the service never pay for its client at cold start."""

    def __init__(self, client_or_factory: Any) -> None:
        self._client_or_factory = client_or_factory
        self._client: OutageTranslatingClient | None = None

    def __call__(self) -> OutageTranslatingClient:
        if self._client is None:
            made = self._client_or_factory
            self._client = OutageTranslatingClient(made() if callable(made) else made)
        return self._client


def _translating(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def translated(*args: Any, **kwargs: Any) -> Any:
        try:
            return call(*args, **kwargs)
        except Exception as error:
            if is_outage(error):
                raise DependencyUnavailable(f"{name}: {type(error).__name__}") from error
            raise

    return translated
