"""The local stack's API docs page: Swagger UI at /docs, reading the app's own
GET /openapi.json. Local only: nothing here ships to Lambda.

The assets come from npm's swagger-ui-dist, installed by `make docs-ui` into
.docs-ui/ (gitignored), and are served from there: the page loads nothing from a CDN.
Without them, /docs says how to install them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from devstack.methods import discard_body

PROJECT_DIR = Path(__file__).resolve().parent.parent
ASSETS_DIR = Path(os.environ.get("DOCS_UI_DIR") or PROJECT_DIR / ".docs-ui" / "node_modules" / "swagger-ui-dist")
DOCS_PATH = "/docs"
# Only what the page uses, each with its type; any other name under /docs is a 404.
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Orders API</title>
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true,
      docExpansion: "list", defaultModelsExpandDepth: 0, tryItOutEnabled: false});
  </script>
</body>
</html>
"""
MISSING = "The docs page's assets are not installed: run `make docs-ui` (npm's swagger-ui-dist), then reload.\n"


def docs_answer(path: str) -> tuple[int, str, bytes] | None:
    """(status, content type, body) for a path under /docs; None for any other path."""
    path = urlsplit(path).path
    if path in (DOCS_PATH, DOCS_PATH + "/"):
        if not (ASSETS_DIR / "swagger-ui-bundle.js").is_file():
            return 503, "text/plain; charset=utf-8", MISSING.encode()
        return 200, "text/html; charset=utf-8", PAGE.encode()
    if not path.startswith(DOCS_PATH + "/"):
        return None
    name = path.removeprefix(DOCS_PATH + "/")
    if name not in ASSETS or not (ASSETS_DIR / name).is_file():
        return 404, "text/plain; charset=utf-8", b"not found\n"
    return 200, ASSETS[name], (ASSETS_DIR / name).read_bytes()


class DocsPage:
    """Mixed into Chalice's request handler, first: GET under /docs is answered here,
    before the gateway (it is no route of the app); anything else goes on to Chalice."""

    path: str
    send_response: Callable[..., None]
    send_header: Callable[[str, str], None]
    end_headers: Callable[[], None]
    wfile: Any

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        answer = docs_answer(self.path)
        if answer is None:
            super().do_GET()  # type: ignore[misc]
            return
        discard_body(self)
        status, content_type, body = answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)
