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


def as_problem(response: Response) -> Response:
    """Chalice answers some errors itself (405 on an unknown method, for one) in its
    own shape; restate them as problem documents so clients meet one error format."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    if response.status_code < 400 or str(headers.get("content-type", "")).startswith(PROBLEM_JSON):
        return response
    body = response.body if isinstance(response.body, dict) else {}
    detail = str(body.get("Message") or body.get("message") or "the request failed")
    kept = {name: str(value) for name, value in response.headers.items() if name.lower() == "allow"}
    if response.status_code == 405:
        return problem(405, "Method not allowed", detail, "method-not-allowed", headers=kept)
    if response.status_code >= 500:
        return problem(503, "Temporarily unavailable", "try again shortly", "unavailable", headers={"Retry-After": "1"})
    return problem(response.status_code, "Request refused", detail, "invalid-request", headers=kept)
