"""The parts of the OpenAPI document that are not a route: the schemas of the models and
of RFC 9457 problem documents, the response headers and the bearer scheme."""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from chalicelib.domain.ids import ULID_PATTERN
from chalicelib.entrypoints.api_models import CreateOrderRequest, OrderListResponse, OrderResponse
from chalicelib.entrypoints.problems import PROBLEM_JSON, PROBLEM_TYPES, TYPE_BASE

BEARER = "bearer"
_TEXT = {"type": "string"}
_PROBLEM_TYPE_URI = {"type": "string", "enum": [TYPE_BASE + kind for kind in PROBLEM_TYPES]}

FIELD_ERROR = {
    "type": "object",
    "description": "One thing wrong with the request.",
    "required": ["field", "pointer", "detail"],
    "properties": {
        "field": {**_TEXT, "description": 'a path such as `items[2].sku`, or a header such as "Idempotency-Key"'},
        "pointer": {
            **_TEXT,
            "pattern": "^#(?:/(?:[^~/]|~[01])*)*$",
            "description": "the same place as an RFC 6901 JSON Pointer, in URI fragment form",
        },
        "detail": _TEXT,
    },
}
PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem document; `type` resolves against the API's base URL.",
    "required": ["type", "title", "status", "detail", "errors"],
    "properties": {
        "type": _PROBLEM_TYPE_URI,
        "title": _TEXT,
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": _TEXT,
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
        "current_status": {
            "$ref": "#/components/schemas/OrderStatus",
            "description": "on `invalid-transition` only: the order's status now",
        },
    },
}
GATEWAY_MESSAGE = {
    "type": "object",
    "description": "What API Gateway answers itself in AWS, before the function runs.",
    "required": ["message"],
    "properties": {"message": _TEXT},
}
HEALTH = {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}
PROBLEM_TYPE = {
    "type": "object",
    "required": ["type", "description"],
    "properties": {"type": _PROBLEM_TYPE_URI, "description": _TEXT},
}

HEADERS: dict[str, dict[str, Any]] = {
    "Location": {
        "description": "the new order's path, `/orders/{order_id}`",
        "required": True,
        "schema": {"type": "string", "pattern": f"^/orders/{ULID_PATTERN.pattern}$"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this answers an earlier request with the same `Idempotency-Key`",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "seconds to wait before retrying (with the same `Idempotency-Key`)",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
    "WWW-Authenticate": {
        "description": 'the scheme to use: `Bearer`, with `error="invalid_token"` when a token was refused',
        "required": True,
        "schema": {"type": "string", "pattern": "^Bearer"},
    },
}


def components() -> dict[str, Any]:
    _, models = models_json_schema(
        [(CreateOrderRequest, "validation"), (OrderResponse, "serialization"), (OrderListResponse, "serialization")],
        ref_template="#/components/schemas/{model}",
    )
    schemas = {
        **models["$defs"],
        "FieldError": FIELD_ERROR,
        "Problem": PROBLEM,
        "GatewayMessage": GATEWAY_MESSAGE,
        "Health": HEALTH,
        "ProblemType": PROBLEM_TYPE,
    }
    return {
        "schemas": dict(sorted(schemas.items())),
        "headers": HEADERS,
        "securitySchemes": {
            BEARER: {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": "a JWT from the API's issuer (Cognito by default; locally `make token`); "
                "the customer is its `sub`",
            }
        },
    }


def problem_content(status: int, kinds: list[str]) -> dict[str, Any]:
    """A problem of one of `kinds`, answered with `status`."""
    only = {"properties": {"type": {"enum": [TYPE_BASE + kind for kind in kinds]}, "status": {"const": status}}}
    return {PROBLEM_JSON: {"schema": {"allOf": [{"$ref": "#/components/schemas/Problem"}, only]}}}
