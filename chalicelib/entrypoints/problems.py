"""RFC 9457 problem details: every error the API returns is one of these documents."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

PROBLEM_JSON = "application/problem+json"
# A path this API serves (GET /problems/<kind>), so a reader of a problem can follow its
# type on the deployment that answered. docs/problems.md is the same catalogue for people.
TYPE_BASE = "/problems/"
PROBLEM_TYPES: dict[str, str] = {
    "invalid-request": "The request cannot become a command (400, 413, 415 or 422). Nothing was stored.",
    "unauthenticated": "The request did not say who the caller is (401).",
    "order-not-found": "No such order for this customer (404); another customer's order looks the same.",
    "invalid-transition": "The order cannot move to the asked status (409); current_status names where it is.",
    "concurrent-change": "The order kept changing under the request (409); try again.",
    "idempotency-key-reused": "The Idempotency-Key was already used with a different body (422).",
    "unavailable": "A dependency failed or throttled (503); retry after Retry-After, with the same key.",
    "internal": "The service failed (500); never caused by input, and logged with the request id.",
    "not-found": "Nothing is served at this path (404).",
    "method-not-allowed": "The path exists but not with this method (405); Allow lists the methods it takes.",
}


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


def problem_type(kind: str) -> dict[str, str] | None:
    """What GET /problems/<kind> answers: the catalogue entry, or None if there is none."""
    description = PROBLEM_TYPES.get(kind)
    return {"type": TYPE_BASE + kind, "description": description} if description else None


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
        return problem(500, "Internal error", "the request failed; it has been logged", "internal")
    return problem(response.status_code, "Request refused", detail, "invalid-request", headers=kept)
