"""The local stack's OIDC issuer on loopback: a LocalIssuer (RSA key generated at start)
behind a small threaded HTTP server that publishes what API Gateway's JWT authorizer
reads from an issuer, `/.well-known/openid-configuration` and `/.well-known/jwks.json`.
It runs as a thread of `python -m devstack.run`, on a port the kernel picks, and ends
with it.

It has no endpoint that signs tokens. The private key goes to one file in the state
directory, created with mode 0600, and `make token` (devstack/tokens.py) signs with it.
Why not a loopback "mint" endpoint: every user and every process on the machine can
reach loopback (a web page can POST to it too), so such an endpoint would hand any of
them a token for any customer; a 0600 file limits that to the user who started the
stack, who can read its memory anyway. The file is deleted when the stack stops, and a
new stack makes a new key, so a file left behind by a killed stack signs nothing the
next stack accepts.
"""

from __future__ import annotations

import json
import os
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devstack.identity import LocalIssuer

KEY_FILE = "issuer-key.pem"
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = "/.well-known/jwks.json"


class _IssuerHandler(BaseHTTPRequestHandler):
    server: _IssuerHTTPServer

    def do_GET(self) -> None:
        documents = {DISCOVERY_PATH: self.server.issuer.openid_configuration, JWKS_PATH: self.server.issuer.jwks}
        document = documents.get(self.path.split("?", 1)[0])
        if document is None:
            self._send(HTTPStatus.NOT_FOUND, {"message": "not found"})
        else:
            self._send(HTTPStatus.OK, document())

    def _send(self, status: HTTPStatus, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=300")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # key fetches are not worth a line in the stack's terminal


class _IssuerHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    issuer: LocalIssuer


class IssuerServer:
    """A LocalIssuer served on 127.0.0.1 at a free port, its key in `key_file` (0600).

    Made in two steps so that the stack starts sooner: the constructor only binds the port
    (the API needs the URL to start); `start` makes the key and serves, while the API
    process starts. A key request that comes in between waits in the listen queue."""

    issuer: LocalIssuer  # set by start()

    def __init__(self, state_dir: Path, audience: str = "orders-local", host: str = "127.0.0.1") -> None:
        self._server = _IssuerHTTPServer((host, 0), _IssuerHandler)  # port 0: the kernel picks a free one
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self.audience = audience
        self.key_file = state_dir / KEY_FILE
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from devstack.identity import LocalIssuer  # jwt and cryptography: imported off the critical path

        self.issuer = self._server.issuer = LocalIssuer(issuer=self.url, audience=self.audience)
        write_private(self.key_file, self.issuer.private_pem())
        self._thread = threading.Thread(target=self._server.serve_forever, name="issuer", daemon=True)
        self._thread.start()

    def state(self) -> dict[str, str]:
        """What stack.json records, for `make token` and tests."""
        return {"url": self.url, "audience": self.audience, "kid": self.issuer.kid, "key_file": str(self.key_file)}

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self.key_file.unlink(missing_ok=True)


def write_private(path: Path, text: str) -> None:
    """Write `text` to a new file only its owner can read. A file left by an earlier stack
    is removed first, so its permissions are never reused."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(descriptor, "w") as file:
        os.fchmod(file.fileno(), 0o600)  # whatever the umask
        file.write(text)
