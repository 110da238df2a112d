"""What each route of app.py is, for the OpenAPI document: its summary, parameters,
body, success answer and the exceptions it may raise. Statuses, titles and problem types
come from ERROR_TABLE (chalicelib/entrypoints/errors.py), never from here.

A route of the app missing here, or an entry here that is no route, fails the build of
the document (chalicelib/entrypoints/openapi.py): nothing is published by guesswork.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.ids import ULID_PATTERN
from chalicelib.domain.values import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE
from chalicelib.entrypoints.cursor import CURSOR_PATTERN
from chalicelib.entrypoints.problems import PROBLEM_TYPES
from chalicelib.exceptions import (
    DependencyUnavailable,
    IdempotencyKeyReused,
    InputTooLarge,
    InvalidInput,
    InvalidTransition,
    MalformedInput,
    OrderNotFound,
    ProblemTypeNotFound,
    SettingsError,
    StaleOrder,
    UnsupportedMediaType,
)

# http.py's rule (1-255 printable ASCII) as it reaches the function: HTTP strips a field
# value's outer spaces (RFC 9110, 5.5), so a key that arrives starts and ends visibly.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~](?:[ -~]{0,253}[!-~])?$"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


@dataclass(frozen=True)
class Operation:
    operation_id: str
    tag: str
    summary: str
    status: int  # the success status
    result: dict[str, Any]  # its JSON Schema
    raises: tuple[type[Exception], ...] = ()
    parameters: tuple[dict[str, Any], ...] = ()
    body: str | None = None  # the request body's schema in components
    headers: tuple[str, ...] = ()  # response headers of the success, from components
    links: dict[str, Any] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)  # what a status means on this route
    uses_error_table: bool = True  # app.answers_problems wraps it, so any bug is a 500


def _in(where: str, name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


ORDER_ID = _in("path", "order_id", {"type": "string", "pattern": f"^{ULID_PATTERN.pattern}$"}, "a ULID", True)
LIMIT = _in(
    "query",
    "limit",
    {"type": "integer", "minimum": MIN_PAGE_SIZE, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE},
    "orders per page",
)
CURSOR = _in("query", "cursor", {"type": "string", "pattern": CURSOR_PATTERN}, "a `next_cursor`, unchanged")
IDEMPOTENCY_KEY = _in(
    "header",
    "Idempotency-Key",
    {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
    "makes the POST safe to retry: the same key and body answer the first 201 again (kept 24 h)",
)
KIND = _in("path", "kind", {"type": "string", "enum": sorted(PROBLEM_TYPES)}, "a problem kind", True)
# Any route that reads or writes the table: an outage is a 503, a missing setting a 500.
STORE = (DependencyUnavailable, SettingsError)
BY_ORDER_ID = {"order_id": "$response.body#/order_id"}

OPERATIONS: dict[str, Operation] = {
    "GET /health": Operation(
        "health", "service", "Liveness; checks nothing expensive", 200, ref("Health"), uses_error_table=False
    ),
    "GET /openapi.json": Operation("openApiDocument", "service", "This document", 200, {"type": "object"}),
    "GET /problems/{kind}": Operation(
        "describeProblemType",
        "service",
        "Describe a problem type (the `type` of an error)",
        200,
        ref("ProblemType"),
        raises=(ProblemTypeNotFound,),
        parameters=(KIND,),
    ),
    "POST /orders": Operation(
        "placeOrder",
        "orders",
        "Place an order (stored PENDING)",
        201,
        ref("OrderResponse"),
        raises=(MalformedInput, InputTooLarge, UnsupportedMediaType, InvalidInput, IdempotencyKeyReused, *STORE),
        parameters=(IDEMPOTENCY_KEY,),
        body="CreateOrderRequest",
        headers=("Location", "Idempotent-Replayed"),
        links={
            "GetOrder": {"operationId": "getOrder", "parameters": BY_ORDER_ID, "description": "read it back"},
            "CancelOrder": {"operationId": "cancelOrder", "parameters": BY_ORDER_ID, "description": "cancel it"},
        },
        notes={
            400: "malformed JSON, a body that is not an object, or a malformed `Idempotency-Key`",
            422: "the order breaks a rule (`errors` names each field), or the key was used with another body",
        },
    ),
    "GET /orders": Operation(
        "listOrders",
        "orders",
        "List your orders, newest first",
        200,
        ref("OrderListResponse"),
        raises=(MalformedInput, *STORE),
        parameters=(LIMIT, CURSOR),
        links={
            "NextPage": {
                "operationId": "listOrders",
                "parameters": {"cursor": "$response.body#/next_cursor"},
                "description": "the next page, while `next_cursor` is not null",
            }
        },
        notes={400: "a malformed `limit` or `cursor`, or an unknown query parameter"},
    ),
    "GET /orders/{order_id}": Operation(
        "getOrder",
        "orders",
        "Read one order, with its status history",
        200,
        ref("OrderResponse"),
        raises=(MalformedInput, OrderNotFound, *STORE),
        parameters=(ORDER_ID,),
        notes={400: "a malformed order id", 404: "no such order, or another customer's"},
    ),
    "POST /orders/{order_id}/cancel": Operation(
        "cancelOrder",
        "orders",
        "Cancel a PENDING order",
        200,
        ref("OrderResponse"),
        raises=(MalformedInput, OrderNotFound, InvalidTransition, StaleOrder, *STORE),
        parameters=(ORDER_ID,),
        notes={
            400: "a malformed order id",
            404: "no such order, or another customer's",
            409: "the order is no longer PENDING (`current_status` says where it is), or it kept changing",
        },
    ),
}
