"""A small JSON-over-HTTP client for the orders API (standard library only).

Every order route needs a bearer token. Give the client a token (from `make token`, or
any issuer the API trusts), or a customer id and it signs one with the running local
stack's issuer (devstack/tokens.py; the state directory defaults to DEVSTACK_DIR or
.devstack). With neither, it sends no Authorization header.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class OrdersClient:
    def __init__(
        self,
        base_url: str,
        customer_id: str | None = None,
        *,
        token: str | None = None,
        state_dir: Path | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        if token is None and customer_id is not None:
            from devstack.tokens import StackIssuer

            token = StackIssuer.find(state_dir).mint(customer_id)
        self.token = token
        self.customer_id = customer_id if customer_id is not None else subject_of(token)

    def place(self, body: dict[str, Any], idempotency_key: str | None = None) -> Reply:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self.call("POST", "/orders", body, headers)

    def get(self, order_id: str) -> Reply:
        return self.call("GET", f"/orders/{order_id}")

    def cancel(self, order_id: str) -> Reply:
        return self.call("POST", f"/orders/{order_id}/cancel", {})

    def list(self, limit: int = 100, cursor: str | None = None) -> Reply:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        return self.call("GET", f"/orders{query}")

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Reply:
        """One request; `headers` win over the client's own (an Authorization given here
        replaces the client's token)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)  # noqa: S310
        if self.token is not None:
            request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 - http only
                return _reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return _reply(error.code, dict(error.headers), error.read())


def subject_of(token: str | None) -> str | None:
    """The `sub` a token claims, unverified (the API verifies it); None if unreadable."""
    if token is None:
        return None
    try:
        subject = jwt.decode(token, options={"verify_signature": False}).get("sub")
    except jwt.PyJWTError:
        return None
    return subject if isinstance(subject, str) else None


def _reply(status: int, headers: dict[str, str], raw: bytes) -> Reply:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode(errors="replace")
    return Reply(status, {name.lower(): value for name, value in headers.items()}, body)
