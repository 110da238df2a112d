"""`chalice local` with API Gateway's JWT check, made safe for concurrent clients.

It serves the real `app.app` through Chalice's own LocalGateway (the code behind
`chalice local`), with the stage's environment variables loaded as `chalice local`
loads them. Three changes:

- Every route but the public ones (resources.json `api.public_routes`) needs a bearer
  token that the issuer given by --issuer signed, checked as the HTTP API's JWT
  authorizer checks it (devstack/gateway_auth.py); the verified claims reach the
  function in requestContext.authorizer.claims. The issuer's keys are fetched over
  HTTP from its discovery document, cached, and fetched again for an unknown kid
  (devstack/issuer_keys.py). There is no switch that turns the check off.
- Handler calls are serialised with one lock, as in a single Lambda execution
  environment. The app keeps per-invocation state on shared objects (Chalice's
  `current_request` and `lambda_context`, Powertools' appended log keys), and
  Chalice's threaded local server shares them between threads (chalice#759).
  Reading requests and writing responses still happen in parallel.
- The listen backlog is 128, not 5: with 5, a burst of 32 clients gets connections
  reset by the kernel before Chalice ever sees them.

It also serves a page of API docs at /docs: Swagger UI over the app's own
GET /openapi.json, from assets installed by `make docs-ui` (devstack/docs_page.py).

`make run` starts it with its own issuer. Beside a running stack, it also serves the app
on its own, with tokens from `make token` (no --issuer: the running stack's issuer).

Usage: python -m devstack.api_server --port 8000 [--issuer URL] [--audience A]
       [--stage dev] [--no-serialise]
"""

from __future__ import annotations

import argparse
import functools
import os
import threading
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer, ThreadedHTTPServer

from devstack.docs_page import DocsPage
from devstack.gateway_auth import VerifyingGateway
from devstack.identity import DEFAULT_AUDIENCE
from devstack.issuer_keys import IssuerKeys
from devstack.methods import MethodAnswers
from devstack.token_check import TokenPolicy
from devstack.tokens import NoStack, StackIssuer

LISTEN_BACKLOG = 128


class BackloggedServer(ThreadedHTTPServer):
    request_queue_size = LISTEN_BACKLOG


class SerialisedGateway(VerifyingGateway):
    """One handler call at a time, like one Lambda execution environment."""

    _lock = threading.Lock()

    def handle_request(self, method: str, path: str, headers: dict[str, Any], body: bytes | None) -> dict[str, Any]:
        with self._lock:
            return super().handle_request(method, path, headers, body)


class VerifyingRequestHandler(DocsPage, MethodAnswers, ChaliceRequestHandler):
    """Chalice's request handler with a gateway that checks tokens (serialised or not)."""

    def __init__(
        self,
        request: Any,
        client_address: Any,
        server: Any,
        app_object: Chalice,
        config: Config,
        policy: TokenPolicy,
        serialise: bool,
    ) -> None:
        # ChaliceRequestHandler.__init__ handles the request, so the gateway is set first.
        gateway = SerialisedGateway if serialise else VerifyingGateway
        self.local_gateway = gateway(app_object, config, policy)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)


def create_server(host: str, port: int, stage: str, policy: TokenPolicy, serialise: bool = True) -> LocalDevServer:
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(project_dir=os.getcwd(), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    if not serialise:
        # As Chalice's create_local_server does: current_request becomes thread-local.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    handler = functools.partial(VerifyingRequestHandler, policy=policy, serialise=serialise)
    return LocalDevServer(app, config, host, port, handler_cls=handler, server_cls=BackloggedServer)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--issuer", help="the token issuer's URL (default: the running local stack's issuer)")
    parser.add_argument("--audience", action="append", help="an accepted aud or client_id (repeatable)")
    parser.add_argument("--no-serialise", dest="serialise", action="store_false")
    args = parser.parse_args(argv)
    issuer, audiences = args.issuer, args.audience
    if not issuer:
        try:
            found = StackIssuer.find()
        except NoStack as error:
            parser.error(f"no --issuer given, and {error}")
        issuer, audiences = found.url, audiences or [found.audience]
    policy = IssuerKeys(issuer).policy(tuple(audiences or [DEFAULT_AUDIENCE]))
    server = create_server(args.host, args.port, args.stage, policy, args.serialise)
    print(f"Checking bearer tokens from {policy.issuer} for audience {', '.join(policy.audiences)}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()


if __name__ == "__main__":
    main()
