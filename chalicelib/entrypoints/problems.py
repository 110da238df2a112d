"""RFC 9457 problem details: every error the API returns is one of these documents."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://github.com/orders-service/orders/blob/main/docs/problems.md#"


def problem(
    status: int,
    title: str,
    detail: str,
    kind: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    document: dict[str, Any] = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail}
    if errors:
        document["errors"] = errors
    document.update(extensions)
    return Response(
        body=json.dumps(document),
        status_code=status,
        headers={"Content-Type": PROBLEM_JSON, **(headers or {})},
    )


def field_error(field: str, detail: str) -> dict[str, str]:
    pointer = "/" + field.replace("[", "/").replace("]", "").replace(".", "/") if field else ""
    return {"field": field, "pointer": "#" + pointer, "detail": detail}
