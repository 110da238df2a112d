"""Through the app on moto: a throttled or unreachable table answers 503 with
Retry-After, a misdeployed one (a bug, not an outage) 500, and neither leaks internals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse

from chalicelib.domain.ids import new_order_id
from tests.support.auth import authorization

CUSTOMER = {"Authorization": authorization("cust-42")}


@contextmanager
def answering(dynamodb: Any, operation: str, code: str, status: int) -> Iterator[None]:
    """Make every `operation` call answer with an AWS error, as DynamoDB would."""

    def fail(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        parsed = {
            "Error": {"Code": code, "Message": "internal detail xyz"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return AWSResponse("https://dynamodb", status, {}, None), parsed

    event = f"before-call.dynamodb.{operation}"
    dynamodb.meta.events.register(event, fail)
    try:
        yield
    finally:
        dynamodb.meta.events.unregister(event, fail)


def test_a_throttled_table_is_a_503_with_retry_after(moto_api: Any, dynamodb: Any) -> None:
    with answering(dynamodb, "GetItem", "ProvisionedThroughputExceededException", 400):
        response = moto_api.http.get(f"/orders/{new_order_id()}", headers=CUSTOMER)
    document = json.loads(response.body)
    assert (response.status_code, response.headers.get("Retry-After")) == (503, "1")
    assert document["type"] == "/problems/unavailable" and "xyz" not in response.body.decode()


def test_a_table_error_on_its_side_is_a_503(moto_api: Any, dynamodb: Any) -> None:
    with answering(dynamodb, "Query", "InternalServerError", 500):
        response = moto_api.http.get("/orders", headers=CUSTOMER)
    assert response.status_code == 503


def test_a_missing_table_is_a_bug_answered_500_without_retry_after(moto_api: Any, dynamodb: Any) -> None:
    with answering(dynamodb, "GetItem", "ResourceNotFoundException", 400):
        response = moto_api.http.get(f"/orders/{new_order_id()}", headers=CUSTOMER)
    document = json.loads(response.body)
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert document["type"] == "/problems/internal"
    assert "ResourceNotFound" not in response.body.decode() and "xyz" not in response.body.decode()
