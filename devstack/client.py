"""A small JSON-over-HTTP client for the orders API (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: Any

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class OrdersClient:
    def __init__(self, base_url: str, customer_id: str, timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.customer_id = customer_id
        self.timeout_s = timeout_s

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
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)  # noqa: S310
        request.add_header("X-Customer-Id", self.customer_id)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:  # noqa: S310 - http only
                return _reply(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return _reply(error.code, dict(error.headers), error.read())


def _reply(status: int, headers: dict[str, str], raw: bytes) -> Reply:
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode(errors="replace")
    return Reply(status, {name.lower(): value for name, value in headers.items()}, body)
