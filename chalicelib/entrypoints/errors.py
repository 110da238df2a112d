"""The one error mapping of the HTTP API: which exception answers with which status,
title and problem type. Services and the domain raise; only this table decides HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from chalice.app import Response

from chalicelib.entrypoints.problems import problem
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
    Unauthenticated,
    UnsupportedMediaType,
)
from chalicelib.observability import logger

RETRY_AFTER_SECONDS = "1"


@dataclass(frozen=True)
class ProblemMapping:
    status: int
    title: str
    kind: str  # the problem type: /problems/<kind>, catalogued in docs/problems.md


# Looked up along the exception's class hierarchy, so subclasses come before their bases.
ERROR_TABLE: dict[type[Exception], ProblemMapping] = {
    MalformedInput: ProblemMapping(400, "Malformed request", "invalid-request"),
    InputTooLarge: ProblemMapping(413, "Request body too large", "invalid-request"),
    UnsupportedMediaType: ProblemMapping(415, "Unsupported media type", "invalid-request"),
    InvalidInput: ProblemMapping(422, "The order is invalid", "invalid-request"),
    Unauthenticated: ProblemMapping(401, "Who are you?", "unauthenticated"),
    OrderNotFound: ProblemMapping(404, "Order not found", "order-not-found"),
    ProblemTypeNotFound: ProblemMapping(404, "Problem type not found", "not-found"),
    InvalidTransition: ProblemMapping(409, "Order cannot change", "invalid-transition"),
    StaleOrder: ProblemMapping(409, "Order is changing", "concurrent-change"),
    IdempotencyKeyReused: ProblemMapping(422, "Idempotency-Key reused", "idempotency-key-reused"),
    DependencyUnavailable: ProblemMapping(503, "Temporarily unavailable", "unavailable"),
    SettingsError: ProblemMapping(500, "Service misconfigured", "internal"),
}
UNEXPECTED = ProblemMapping(500, "Internal error", "internal")


def mapping_for(error: Exception) -> ProblemMapping:
    return mapping_of(type(error))


def mapping_of(kind: type[Exception]) -> ProblemMapping:
    """By class, for the OpenAPI document (chalicelib/entrypoints/openapi.py)."""
    for cls in kind.__mro__:
        if cls in ERROR_TABLE:
            return ERROR_TABLE[cls]
    return UNEXPECTED


def error_response(error: Exception) -> Response:
    mapping = mapping_for(error)
    status, kind = mapping.status, mapping.kind
    if isinstance(error, InvalidInput):
        detail = "; ".join(f"{e['field']}: {e['detail']}" for e in error.errors)
        return problem(status, error.title, detail, kind, errors=error.errors)
    if isinstance(error, Unauthenticated):
        return problem(status, mapping.title, str(error), kind, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(error, InvalidTransition):
        return problem(status, mapping.title, str(error), kind, current_status=error.current)
    if isinstance(error, DependencyUnavailable):
        logger.warning("dependency unavailable", extra={"error": str(error)})
        return problem(status, mapping.title, "try again shortly", kind, headers={"Retry-After": RETRY_AFTER_SECONDS})
    if isinstance(error, SettingsError):
        logger.error("misconfigured", extra={"error": str(error)})
        return problem(status, mapping.title, "the service is misconfigured", kind)
    if mapping is UNEXPECTED:
        # The log line carries the request id (see observability.invocation); the
        # client gets nothing of the exception, which may hold data or internals.
        logger.exception("unexpected error")
        return problem(status, mapping.title, "the request failed; it has been logged", kind)
    return problem(status, mapping.title, str(error), kind)
