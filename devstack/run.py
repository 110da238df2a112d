"""`make run`: the whole service on this machine, no AWS account needed.

Starts, in the foreground: a moto server as the local AWS (DynamoDB, Streams, SQS,
EventBridge), the table, stream and DLQs from chalicelib/resources.json, the event bus
with an example rule sending every order event to an SQS queue, a local OIDC issuer (a
new RSA key each start), the API through Chalice's local gateway with API Gateway's JWT
check in front, two stream workers that invoke the real stream handlers (the
processor and the outbox publisher), and a queue worker that invokes the retry queue's
handler (`retry_orders`). Ctrl-C or SIGTERM stops all of it. No terminal needed: it
also runs in the background. `make token CUSTOMER=<id>` prints a bearer token for it;
`make events` follows the order events; `make outage` takes the provider down.

Usage: python -m devstack.run [--port 8000]
Environment: PORT (API port), MOTO_PORT (default: a free port), DEVSTACK_DIR (state
directory, default .devstack), DEVSTACK_MAX_RETRY_ATTEMPTS and DEVSTACK_RETRY_DELAY
(override both stream workers' retry cap and per-failure delay, for tests),
DEVSTACK_QUEUE_VISIBILITY_TIMEOUT (seconds: the queue worker receives with it instead
of the retry queue's own, for tests). The app's retry schedule (MAX_PROCESSING_ATTEMPTS,
RETRY_BASE_DELAY_MS, RETRY_HORIZON_SECONDS) passes through to the workers.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from devstack.processes import free_port, port_in_use
from devstack.stack import TABLE_NAME, Stack, StartupError

PROJECT_DIR = Path(__file__).resolve().parent.parent


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    parser.add_argument(
        "--state-dir", type=Path, default=Path(os.environ.get("DEVSTACK_DIR") or PROJECT_DIR / ".devstack")
    )
    return parser.parse_args(argv)


def worker_options() -> list[str]:
    options = []
    if os.environ.get("DEVSTACK_MAX_RETRY_ATTEMPTS"):
        options += ["--max-retry-attempts", os.environ["DEVSTACK_MAX_RETRY_ATTEMPTS"]]
    if os.environ.get("DEVSTACK_RETRY_DELAY"):
        options += ["--retry-delay", os.environ["DEVSTACK_RETRY_DELAY"]]
    return options


def queue_worker_options() -> list[str]:
    if os.environ.get("DEVSTACK_QUEUE_VISIBILITY_TIMEOUT"):
        return ["--visibility-timeout", os.environ["DEVSTACK_QUEUE_VISIBILITY_TIMEOUT"]]
    return []


def busy_port(api_port: int, moto_port: int | None) -> str | None:
    if port_in_use(api_port):
        return f"port {api_port} on 127.0.0.1 is already in use; free it or choose another with PORT=<port>"
    if moto_port is not None and port_in_use(moto_port):
        return f"MOTO_PORT {moto_port} on 127.0.0.1 is already in use; free it or unset MOTO_PORT"
    if moto_port == api_port:
        return f"PORT and MOTO_PORT are both {api_port}; choose two ports"
    return None


def banner(stack: Stack, seconds: float) -> str:
    from chalicelib.resources import load_resources
    from tests.support.orders import VALID_ORDER

    body = json.dumps(VALID_ORDER, separators=(",", ":"))
    url = stack.api_url
    assert stack.issuer is not None
    where = f" PORT={stack.api_port}" if stack.api_port != 8000 else ""
    if stack.state_dir != (PROJECT_DIR / ".devstack").resolve():
        where += f" DEVSTACK_DIR={stack.state_dir}"
    spec, schedule = load_resources().retry_queue, stack.schedule
    retries = (
        f"up to {schedule['max_processing_attempts']} attempts within {schedule['retry_horizon_seconds']} s, "
        f"base delay {schedule['retry_base_delay_ms']} ms"
    )
    return f"""
orders local stack ready in {seconds:.1f} s
  API             {url}
  local AWS       {stack.endpoint}  (moto: DynamoDB + Streams, SQS, EventBridge)
  table           {TABLE_NAME}, stream {stack.info["stream_arn"]}
  dead letters    {stack.info["dlq_url"]}  (process_orders)
                  {stack.info["events_dlq_url"]}  (publish_order_events)
  retry queue     {stack.info["retry_queue_url"]}  (retry_orders; {retries})
                  -> after {spec.max_receive_count} receives: {stack.info["retry_dlq_url"]}
  provider outage make outage SECONDS=<n>{where}  (SECONDS=0 ends it)
  event bus       {stack.info["event_bus_name"]}: rule {stack.info["events_rule"]} (source {stack.info["event_source"]})
                  -> queue {stack.info["events_queue_url"]}  (follow it: make events{where})
  token issuer    {stack.issuer.url}  (audience {stack.issuer.audience}; make token CUSTOMER=<id>)
  stack details   {stack.state_dir / "stack.json"}  (URLs, issuer and process ids)

Where the data lives: in the moto server's memory only. Stopping the stack deletes
every order; no order is written to disk (only the stream workers' positions are).

Try it (every order route needs a bearer token from this stack's issuer):
  TOKEN=$(make -s token CUSTOMER=alice{where})
  id=$(curl -s -X POST {url}/orders -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d '{body}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["order_id"])')
  curl -s {url}/orders/$id -H "Authorization: Bearer $TOKEN"
Or post a mix of orders and watch them settle: make demo{where}
Stop with Ctrl-C.
""".rstrip()


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse(argv)
    moto_port = int(os.environ["MOTO_PORT"]) if os.environ.get("MOTO_PORT") else None
    problem = busy_port(args.port, moto_port)
    if problem:
        print(f"devstack: error: {problem}", file=sys.stderr)
        return 1
    ports = (args.port, moto_port or free_port())
    stack = Stack(PROJECT_DIR, args.state_dir.resolve(), *ports, worker_options(), queue_worker_options())

    def stop(signum: int, frame: Any) -> None:
        stack.stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)  # also when started in the background, where SIGINT is ignored
    code = 0
    try:
        stack.start()
        print(banner(stack, time.perf_counter() - started), flush=True)
        stack.supervise()
    except StartupError as error:
        code = 0 if stack.stopping.is_set() else 1
        if code:
            print(f"devstack: error: {error}", file=sys.stderr)
    except Exception as error:
        print(f"devstack: error: {error!r}", file=sys.stderr)
        code = 1
    finally:
        print("devstack: stopping...", flush=True)
        stack.stop()
        print("devstack: stopped; the local data is gone", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
