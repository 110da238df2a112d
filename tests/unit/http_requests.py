"""Helpers for the HTTP parsing tests: a Chalice request built from headers, body and
query, and the InvalidInput a parser raises, with the fields it names."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import Request

from chalicelib.entrypoints.errors import mapping_for
from chalicelib.exceptions import InvalidInput


def request(
    headers: dict[str, str] | None = None,
    body: str = "",
    query: dict[str, str] | None = None,
    claims: dict[str, str] | None = None,
) -> Request:
    """A payload-1.0 event; `claims` are put where API Gateway's JWT authorizer puts them."""
    context: dict[str, Any] = {"httpMethod": "POST", "resourcePath": "/orders"}
    if claims is not None:
        context["authorizer"] = {"claims": claims, "scopes": None}
    event: dict[str, Any] = {
        "multiValueQueryStringParameters": {name: [value] for name, value in query.items()} if query else None,
        "headers": {name.lower(): value for name, value in (headers or {}).items()},
        "pathParameters": None,
        "requestContext": context,
        "body": body,
        "stageVariables": None,
    }
    return Request(event)


def invalid(call: Any, *args: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as raised:
        call(*args)
    return raised.value


def status_of(error: InvalidInput) -> int:
    """The status the HTTP layer answers this error with: the exception carries none."""
    return mapping_for(error).status


def fields(error: InvalidInput) -> list[str]:
    return [entry["field"] for entry in error.errors]
