"""moto in server mode, as the local AWS, with these changes for a long-running stack.

- moto never forgets a shard iterator: every GetRecords call adds one (about 2 KB) to
  a dict, and the stream worker polls several times a second when idle. A thread here
  keeps only the newest ones; a pruned iterator fails like an expired one in AWS, and
  the worker re-acquires it from its checkpoint.
- TransactWriteItems neither copies whole tables nor forgets ClientRequestToken: see
  devstack/moto_patches.py.
- Delivering an event to a rule's target does not parse the same JSONPath expressions
  again for every event: see devstack/moto_events.py.
- Each request pays less before moto's own work, and a fixed set of threads serves the
  connections: see devstack/moto_requests.py.
- Python's garbage collector does not stop moto for longer and longer: every full
  collection walks every object alive, and moto keeps every item, stream record and
  message as Python objects, so in a 3-minute drill the pauses grew from 130 ms to
  1 s, each holding every request. Every 10 s a collection runs and what survives it
  is frozen (`gc.freeze`): later collections walk only what came since.
- werkzeug logs every request; only warnings are kept.

Usage: python -m devstack.moto_server --port 5000 [--host 127.0.0.1]
"""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
import threading
import time
from typing import Any

KEEP_ITERATORS = 2_000
# Each request thread gives up the GIL for every socket read and write and then waits for
# it behind the busy ones, up to the switch interval (5 ms by default) per wait; a request
# makes several such waits. A shorter interval hands the GIL over sooner.
SWITCH_INTERVAL_S = 0.001
HOUSEKEEPING_EVERY_S = 10.0


def prune_shard_iterators(keep: int = KEEP_ITERATORS) -> int:
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    pruned = 0
    for account in list(dynamodbstreams_backends.values()):
        for backend in list(account.values()):
            iterators: dict[str, Any] = backend.shard_iterators
            excess = len(iterators) - keep
            for arn in list(iterators)[: max(0, excess)]:  # dicts keep insertion order: oldest first
                iterators.pop(arn, None)
                pruned += 1
    return pruned


def freeze_survivors() -> int:
    """Collect, then set what survived aside from every later collection; return how
    many objects were set aside. Frozen objects are still freed when nothing refers to
    them; only a reference cycle among them that later becomes garbage would stay, and
    the collection just before the freeze leaves none behind."""
    before = gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count() - before


def _housekeeping(stop: threading.Event) -> None:
    while not stop.wait(HOUSEKEEPING_EVERY_S):
        prune_shard_iterators()
        freeze_survivors()


def _exit(signum: int, frame: Any) -> None:
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    from devstack import moto_events, moto_patches, moto_requests, moto_speedups

    moto_patches.install()
    moto_speedups.install()
    moto_events.install()
    moto_requests.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)
    started = time.perf_counter()
    app = DomainDispatcherApplication(create_backend_app)
    server = moto_requests.PooledWSGIServer(args.host, args.port, app, handler=MotoRequestHandler)
    stop = threading.Event()
    threading.Thread(target=_housekeeping, args=(stop,), daemon=True, name="housekeeping").start()
    print(f"moto listening on http://{args.host}:{args.port} ({time.perf_counter() - started:.2f} s)", flush=True)
    try:
        server.serve_forever()
    finally:
        stop.set()
        server.server_close()


if __name__ == "__main__":
    main()
