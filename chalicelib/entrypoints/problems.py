"""RFC 9457 problem details: every error the API returns is one of these documents."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
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
    # Every problem document has the same members: `errors` is there, empty if need be.
    document: dict[str, Any] = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail}
    document["errors"] = errors or []
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


_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def field_path(location: Sequence[int | str]) -> str:
    """A readable path: items[0].quantity; a key that is empty or not a plain name is
    quoted, as in ["a/b~c"] or [""], so every key is named unambiguously."""
    name = ""
    for part in location:
        if isinstance(part, int):
            name += f"[{part}]"
        elif _PLAIN_NAME.fullmatch(part):
            name += f".{part}" if name else part
        else:
            name += f"[{json.dumps(part)}]"
    return name or "body"


def json_pointer(location: Sequence[int | str]) -> str:
    """An RFC 6901 pointer in URI fragment form: ~ and / escaped, "" a key of its own."""
    return "#" + "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in location)


def field_error(field: str, detail: str, location: Sequence[int | str] | None = None) -> dict[str, str]:
    """`field` names a header or parameter; body fields pass their `location` instead."""
    if location is not None:
        return {"field": field_path(location), "pointer": json_pointer(location), "detail": detail}
    return {"field": field, "pointer": json_pointer((field,)), "detail": detail}


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
