"""`chalice local`, made safe for concurrent clients.

It serves the real `app.app` through Chalice's own LocalGateway (the code behind
`chalice local`), with the stage's environment variables loaded as `chalice local`
loads them. Two changes:

- Handler calls are serialised with one lock, as in a single Lambda execution
  environment. The app keeps per-invocation state on shared objects (Chalice's
  `current_request` and `lambda_context`, Powertools' appended log keys), and
  Chalice's threaded local server shares them between threads (chalice#759).
  Reading requests and writing responses still happen in parallel.
- The listen backlog is 128, not 5: with 5, a burst of 32 clients gets connections
  reset by the kernel before Chalice ever sees them.

Usage: python -m devstack.api_server --port 8000 [--stage dev] [--no-serialise]
"""

from __future__ import annotations

import argparse
import os
import threading
from typing import Any

from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGateway, ThreadedHTTPServer

LISTEN_BACKLOG = 128


class BackloggedServer(ThreadedHTTPServer):
    request_queue_size = LISTEN_BACKLOG


class SerialisedGateway(LocalGateway):
    """One handler call at a time, like one Lambda execution environment."""

    _lock = threading.Lock()

    def handle_request(self, method: str, path: str, headers: dict[str, Any], body: bytes | None) -> dict[str, Any]:
        with self._lock:
            return super().handle_request(method, path, headers, body)


class SerialisedRequestHandler(ChaliceRequestHandler):
    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Any, config: Any) -> None:
        # ChaliceRequestHandler.__init__ handles the request, so the gateway is set first.
        self.local_gateway = SerialisedGateway(app_object, config)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)


def create_server(host: str, port: int, stage: str, serialise: bool = True) -> LocalDevServer:
    from chalice.cli.factory import CLIFactory
    from chalice.local import create_local_server

    factory = CLIFactory(project_dir=os.getcwd(), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    if not serialise:
        # Chalice's own server (thread-local current_request), with the larger backlog.
        server = create_local_server(app, config, host, port)
        server.server.server_close()
        server.server = BackloggedServer((host, port), server._wrapped_handler)
        return server
    return LocalDevServer(app, config, host, port, handler_cls=SerialisedRequestHandler, server_cls=BackloggedServer)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--no-serialise", dest="serialise", action="store_false")
    args = parser.parse_args(argv)
    server = create_server(args.host, args.port, args.stage, args.serialise)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()


if __name__ == "__main__":
    main()
