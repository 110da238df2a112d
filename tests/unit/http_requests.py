"""Helpers for the HTTP parsing tests: a Chalice request built from headers, body and
query, and the InvalidInput a parser raises, with the fields it names."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import Request

from chalicelib.entrypoints.errors import mapping_for
from chalicelib.exceptions import InvalidInput


def request(headers: dict[str, str] | None = None, body: str = "", query: dict[str, str] | None = None) -> Request:
    event: dict[str, Any] = {
        "multiValueQueryStringParameters": {name: [value] for name, value in query.items()} if query else None,
        "headers": {name.lower(): value for name, value in (headers or {}).items()},
        "pathParameters": None,
        "requestContext": {"httpMethod": "POST", "resourcePath": "/orders"},
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
