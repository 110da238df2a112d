"""What the local gateway answers for methods no route declares, in the service's one
error format: `405` with `Allow` (a problem document), and `OPTIONS` as `204` with
`Allow`. Python's HTTP server would answer TRACE or QUERY with a 501 HTML page, and
Chalice answers OPTIONS with an empty 200.

In AWS these requests never reach the function: the HTTP API routes only the declared
route keys and answers anything else itself with `404 {"message":"Not Found"}`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from chalice.local import RouteMatcher

from chalicelib.entrypoints.problems import PROBLEM_JSON, TYPE_BASE


class MethodAnswers:
    """Mixed into Chalice's request handler, before it."""

    path: str
    command: str
    headers: Any
    rfile: Any
    close_connection: bool
    local_gateway: Any
    send_response: Callable[..., None]
    send_header: Callable[[str, str], None]
    end_headers: Callable[[], None]
    wfile: Any

    def do_OPTIONS(self) -> None:  # noqa: N802 - the name http.server dispatches to
        discard_body(self)
        allowed = self._allowed()
        if allowed is None:
            self._problem(404, "Not found", "nothing is served at this path", "not-found", {})
            return
        self.send_response(204)
        self.send_header("Allow", ", ".join(allowed))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # a method no route declares: TRACE, QUERY, anything
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        discard_body(self)
        allowed = self._allowed()
        if allowed is None:
            self._problem(404, "Not found", "nothing is served at this path", "not-found", {})
            return
        detail = f"{self.command} is not allowed here; use {', '.join(allowed)}"
        self._problem(405, "Method not allowed", detail, "method-not-allowed", {"Allow": ", ".join(allowed)})

    def _allowed(self) -> list[str] | None:
        app = self.local_gateway._app_object
        try:
            route = RouteMatcher(list(app.routes)).match_route(urlsplit(self.path).path).route
        except ValueError:
            return None
        return sorted({*app.routes[route], "OPTIONS"})

    def _problem(self, status: int, title: str, detail: str, kind: str, headers: dict[str, str]) -> None:
        document = {"type": TYPE_BASE + kind, "title": title, "status": status, "detail": detail, "errors": []}
        body = json.dumps(document).encode()
        self.send_response(status)
        for name, value in {"Content-Type": PROBLEM_JSON, "Content-Length": str(len(body)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


def discard_body(handler: Any) -> None:
    """Read a body nobody will use. Left unread on a kept-alive connection, it would be
    parsed as the next request line (Schemathesis found this: QUERY /orders with a body
    made the next request a 400 HTML page)."""
    length = handler.headers.get("Content-Length", "0")
    if handler.headers.get("Transfer-Encoding") or not length.isdigit():
        handler.close_connection = True  # a body http.server cannot measure: never reuse the connection
        return
    handler.rfile.read(int(length))
