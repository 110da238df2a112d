"""The HTTP API hands Chalice's handler payload-format-1.0 events: every route the
Terraform root creates is driven through `app.app(event, context)` with such an event
(lowercase header names, stage `$default`, the route in requestContext.resourcePath).

Where the JWT authorizer's verified claims arrive is pinned by a recorded event
(tests/support/events/http_api_v1_jwt_get_orders.json): for payload format 1.0 they are
requestContext.authorizer.claims, every value a string, with `scopes` beside them
(format 2.0 would nest them under authorizer.jwt). AWS's developer guide shows the 1.0
event with "authorizer": {"claims": ..., "scopes": ...} (Create AWS Lambda proxy
integrations for HTTP APIs, payload format 1.0)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import app
from chalicelib import bootstrap
from chalicelib.adapters.memory_repository import InMemoryOrderRepository
from chalicelib.resources import load_resources
from infrastructure.package import route_keys
from tests.support.orders import order_body

pytestmark = pytest.mark.deploy

CUSTOMER = "cust-http-api"


class LambdaContext:
    function_name = "orders-dev"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-dev"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def http_api_event(route_key: str, path: str, body: dict[str, Any] | None = None, **query: str) -> dict[str, Any]:
    """An API Gateway HTTP API event, payload format 1.0, for one route."""
    method, resource = route_key.split(" ", 1)
    headers = {"host": "a1b2c3.execute-api.us-east-1.amazonaws.com", "user-agent": "test"}
    public = route_key in load_resources().api.public_routes
    claims = None if public else {"sub": CUSTOMER, "iss": "https://issuer.example", "exp": "1795629590"}
    if not public:
        headers["authorization"] = "Bearer eyJ.signed.token"  # API Gateway passes the header on
    if body is not None:
        headers["content-type"] = "application/json"
    names, values = resource.strip("/").split("/"), path.strip("/").split("/")
    parameters = {name[1:-1]: value for name, value in zip(names, values, strict=True) if name.startswith("{")}
    request_id = str(uuid.uuid4())
    return {
        "version": "1.0",
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {name: [value] for name, value in query.items()} or None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3",
            "domainName": headers["host"],
            "domainPrefix": "a1b2c3",
            "extendedRequestId": request_id,
            "httpMethod": method,
            "authorizer": {"claims": claims, "scopes": None},
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "test", "accessKey": None, "caller": None},
            "path": path,
            "protocol": "HTTP/1.1",
            "requestId": request_id,
            "requestTime": "25/Nov/2026:17:00:00 +0000",
            "requestTimeEpoch": 1795626000000,
            "resourceId": route_key,
            "resourcePath": resource,
            "stage": "$default",
        },
        "pathParameters": parameters or None,
        "stageVariables": None,
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def call(event: dict[str, Any]) -> tuple[int, Any]:
    response = app.app(event, LambdaContext())
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def in_memory() -> Iterator[None]:
    bootstrap.use_container(bootstrap.in_memory_container())
    yield
    bootstrap.use_container(None)


def test_every_route_answers_an_http_api_v1_event(in_memory: None) -> None:
    answered: set[str] = set()

    def answer(route_key: str, path: str, body: dict[str, Any] | None = None, **query: str) -> Any:
        status, payload = call(http_api_event(route_key, path, body, **query))
        assert status < 400, (route_key, status, payload)
        answered.add(route_key)
        return payload

    assert answer("GET /health", "/health") == {"status": "ok"}
    placed = answer("POST /orders", "/orders", order_body())
    order_id = placed["order_id"]
    listed = answer("GET /orders", "/orders", limit="10")
    assert [order["order_id"] for order in listed["orders"]] == [order_id]
    assert answer("GET /orders/{order_id}", f"/orders/{order_id}")["order_id"] == order_id
    assert answer("POST /orders/{order_id}/cancel", f"/orders/{order_id}/cancel")["status"] == "CANCELLED"
    assert answer("GET /problems/{kind}", "/problems/unavailable")["type"] == "/problems/unavailable"
    assert answer("GET /openapi.json", "/openapi.json")["openapi"] == "3.1.0"
    assert answered == set(route_keys(app.app)), "a route of the app has no HTTP API event case here"


def test_an_unknown_path_param_reaches_the_route_and_is_refused_by_it(in_memory: None) -> None:
    status, problem = call(http_api_event("GET /orders/{order_id}", "/orders/not-a-ulid"))
    assert status == 400
    assert problem["errors"][0]["field"] == "order_id"


RECORDED = Path(__file__).resolve().parents[1] / "support" / "events" / "http_api_v1_jwt_get_orders.json"


def test_the_customer_is_the_sub_of_the_claims_where_the_http_api_puts_them(in_memory: None) -> None:
    recorded = json.loads(RECORDED.read_text())
    subject = recorded["requestContext"]["authorizer"]["claims"]["sub"]
    placed = http_api_event("POST /orders", "/orders", order_body())
    placed["requestContext"]["authorizer"]["claims"] = recorded["requestContext"]["authorizer"]["claims"]
    status, order = call(placed)
    assert status == 201 and order["customer_id"] == subject

    status, page = call(recorded)
    assert status == 200 and [o["order_id"] for o in page["orders"]] == [order["order_id"]]


@pytest.mark.parametrize("authorizer", [None, {"claims": None, "scopes": None}, {"jwt": {"claims": {"sub": "x"}}}])
def test_without_claims_in_that_place_the_function_answers_401_and_does_nothing(
    in_memory: None, authorizer: dict[str, Any] | None
) -> None:
    recorded = json.loads(RECORDED.read_text())
    recorded["requestContext"]["authorizer"] = authorizer
    post = http_api_event("POST /orders", "/orders", order_body())
    post["requestContext"]["authorizer"] = authorizer

    assert call(recorded)[0] == 401
    status, problem = call(post)
    assert status == 401 and problem["type"] == "/problems/unauthenticated"
    repository = bootstrap.container().intake.repository
    assert isinstance(repository, InMemoryOrderRepository) and repository.orders == {}
