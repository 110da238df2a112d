"""The AWS SDK's signs of an outage become DependencyUnavailable; everything else stays
what it is, so the HTTP layer answers 503 for the first and 500 for a bug."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError, ReadTimeoutError

from chalicelib.adapters.outages import OutageTranslatingClient
from chalicelib.exceptions import DependencyUnavailable


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


class RaisingClient:
    exceptions = "the client's exception classes"

    def __init__(self, error: Exception) -> None:
        self.error = error

    def get_item(self, **_: Any) -> dict[str, Any]:
        raise self.error


OUTAGES = [
    client_error("ProvisionedThroughputExceededException"),
    client_error("ThrottlingException"),
    client_error("RequestLimitExceeded"),
    client_error("InternalServerError", 500),
    client_error("ServiceUnavailable", 503),
    client_error("SomethingNew", 502),
    ReadTimeoutError(endpoint_url="http://dynamodb"),
    EndpointConnectionError(endpoint_url="http://dynamodb"),
]
BUGS = [
    client_error("ValidationException"),
    client_error("ResourceNotFoundException"),
    client_error("AccessDeniedException"),
    ParamValidationError(report="bad parameter"),
    KeyError("Item"),
]


@pytest.mark.parametrize("error", OUTAGES, ids=lambda e: type(e).__name__ + ":" + str(e)[:40])
def test_throttling_timeouts_lost_connections_and_5xx_are_outages(error: Exception) -> None:
    with pytest.raises(DependencyUnavailable, match="get_item") as raised:
        OutageTranslatingClient(RaisingClient(error)).get_item(TableName="t")
    assert raised.value.__cause__ is error


@pytest.mark.parametrize("error", BUGS, ids=lambda e: type(e).__name__ + ":" + str(e)[:40])
def test_every_other_error_passes_through_unchanged(error: Exception) -> None:
    with pytest.raises(type(error)) as raised:
        OutageTranslatingClient(RaisingClient(error)).get_item(TableName="t")
    assert raised.value is error


def test_the_wrapper_keeps_the_clients_attributes() -> None:
    client = RaisingClient(KeyError())
    assert OutageTranslatingClient(client).exceptions is client.exceptions
