"""The API's OpenAPI 3.1 document, built from the code: the app's routes, the pydantic
models, ERROR_TABLE and resources.json's public routes. GET /openapi.json serves it, and
`make openapi` writes the same document to docs/openapi.json.

app.py imports this module inside that route only, so no other request pays for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from chalicelib.entrypoints.errors import ERROR_TABLE, UNEXPECTED, ProblemMapping, mapping_of
from chalicelib.entrypoints.openapi_components import BEARER, components, problem_content
from chalicelib.entrypoints.openapi_examples import examples
from chalicelib.entrypoints.openapi_operations import OPERATIONS, Operation, ref
from chalicelib.exceptions import Unauthenticated
from chalicelib.resources import load_resources

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"  # the contract's own version: a breaking change bumps the major
DESCRIPTION = """Serverless order processing. Amounts are integers in minor units (cents).

Every order route needs `Authorization: Bearer <JWT>`; the customer is the token's `sub`,
and another customer's order is a 404. Every error is an RFC 9457 problem document
(`application/problem+json`) whose `type` is a path this API serves (`GET /problems/{kind}`).
Send `Idempotency-Key` to make `POST /orders` safe to retry."""
# Headers a problem status always carries (chalicelib/entrypoints/errors.py sets them).
PROBLEM_HEADERS = {401: ("WWW-Authenticate",), 503: ("Retry-After",)}


class UndocumentedRoute(Exception):
    """The app and OPERATIONS disagree: a route to describe, or an entry that is no route."""


def document(routes: Mapping[str, Mapping[str, object]]) -> dict[str, Any]:
    """The document for an app's routes (Chalice's `app.routes`: path -> method -> entry).
    Built once per set of routes; callers must not change it."""
    return _build(frozenset(f"{method} {path}" for path, methods in routes.items() for method in methods))


@cache
def _build(route_keys: frozenset[str]) -> dict[str, Any]:
    unknown, stale = sorted(route_keys - OPERATIONS.keys()), sorted(OPERATIONS.keys() - route_keys)
    if unknown or stale:
        raise UndocumentedRoute(
            f"routes with no entry in chalicelib/entrypoints/openapi_operations.py: {unknown or 'none'}; "
            f"entries there that are no route of the app: {stale or 'none'}"
        )
    public, shown = set(load_resources().api.public_routes), examples()
    paths: dict[str, dict[str, Any]] = {}
    for key in sorted(route_keys, key=lambda k: (k.split(" ")[1], k)):
        method, path = key.split(" ", 1)
        paths.setdefault(path, {})[method.lower()] = _operation(OPERATIONS[key], key not in public, shown)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Orders API", "version": API_VERSION, "description": DESCRIPTION},
        # Relative to where the document is served: the API's base URL on every stage.
        "servers": [{"url": ".", "description": "this API (where this document is served)"}],
        "tags": [
            {"name": "orders", "description": "a customer's orders (bearer token)"},
            {"name": "service", "description": "public: no token"},
        ],
        "paths": paths,
        "components": components(),
    }


def _operation(operation: Operation, protected: bool, shown: dict[str, Any]) -> dict[str, Any]:
    described: dict[str, Any] = {
        "operationId": operation.operation_id,
        "tags": [operation.tag],
        "summary": operation.summary,
    }
    if operation.parameters:
        described["parameters"] = list(operation.parameters)
    if operation.body:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": _media(ref(operation.body), shown)},
        }
    if protected:
        described["security"] = [{BEARER: []}]
    described["responses"] = {str(operation.status): _success(operation, shown)} | _problems(operation, protected)
    return described


def _media(schema: dict[str, Any], shown: dict[str, Any]) -> dict[str, Any]:
    name = schema.get("$ref", "").rpartition("/")[2]
    return {"schema": schema, "example": shown[name]} if name in shown else {"schema": schema}


def _success(operation: Operation, shown: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": operation.summary,
        "content": {"application/json": _media(operation.result, shown)},
    }
    if operation.headers:
        answer["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in operation.headers}
    if operation.links:
        answer["links"] = operation.links
    return answer


def _problems(operation: Operation, protected: bool) -> dict[str, Any]:
    """One response per status the route can answer with a problem, from ERROR_TABLE."""
    mappings = [mapping_of(error) for error in operation.raises]
    if protected:
        mappings.append(ERROR_TABLE[Unauthenticated])
    if operation.uses_error_table:
        mappings.append(UNEXPECTED)  # anything the table does not name
    by_status: dict[int, list[ProblemMapping]] = {}
    for mapping in mappings:
        if mapping not in by_status.setdefault(mapping.status, []):
            by_status[mapping.status].append(mapping)
    answers: dict[str, Any] = {}
    for status, found in sorted(by_status.items()):
        titles = "; ".join(f"{m.title} (`{m.kind}`)" for m in found)
        note = operation.notes.get(status)
        answer: dict[str, Any] = {
            "description": f"{titles}: {note}" if note else titles,
            "content": problem_content(status, sorted({m.kind for m in found})),
        }
        if status in PROBLEM_HEADERS:
            answer["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in PROBLEM_HEADERS[status]}
        if status == 401:
            # In AWS the JWT authorizer refuses a token itself, in API Gateway's own shape.
            answer["content"]["application/json"] = {"schema": ref("GatewayMessage")}
            answer["description"] += '. In AWS, API Gateway refuses a bad token itself: `{"message": "Unauthorized"}`'
        answers[str(status)] = answer
    return answers
