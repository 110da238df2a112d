"""`make fuzz`: Schemathesis 4 against the local stack, driven by the API's own OpenAPI
document (GET /openapi.json), with every check, positive and negative data, and the
stateful phase that follows the document's links.

1. The stack: the one running from DEVSTACK_DIR (default .devstack) if it answers, else
   one it starts on free ports with its state in a temporary directory, stopped after.
2. A token for a new customer, `fuzz-<random>`, signed by the stack's issuer.
3. `st run docs/openapi.json --url <api> --checks all --mode all --max-examples N`,
   with the token for the document's bearer scheme (devstack/schemathesis.toml, which
   says why not a plain -H header), devstack/fuzz_hooks.py and a HAR report. The
   committed document must be the one the stack serves (GET /openapi.json).
4. From the HAR: the request count (at least FUZZ_MIN_REQUESTS) and statuses per route.
5. The orders stored for that customer must be exactly those that POST /orders answered
   201 with (devstack/fuzz_report.py).

Exit code 1 on any Schemathesis failure, too few requests or a store mismatch.
Environment: FUZZ_EXAMPLES (examples per operation, default 150), FUZZ_MIN_REQUESTS
(default 2000), FUZZ_SEED (optional, to replay a run).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from devstack.fuzz_report import read_har, store_mismatch, stored_orders
from devstack.processes import free_port, spawn, stop_all
from devstack.tokens import StackIssuer, default_state_dir

PROJECT_DIR = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).parent / "st"
DOCUMENT, CONFIG = PROJECT_DIR / "docs" / "openapi.json", PROJECT_DIR / "devstack" / "schemathesis.toml"
START_TIMEOUT_S = 60.0
TOKEN_TTL_S = 4 * 3600  # outlasts any run


def answering(state_dir: Path) -> dict[str, Any] | None:
    """The stack.json of a stack that answers /health, or None."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        state: dict[str, Any] = json.loads((state_dir / "stack.json").read_text())
        with urllib.request.urlopen(f"{state['api_url']}/health", timeout=2) as response:  # noqa: S310 - loopback
            if response.status == 200:
                return state
    return None


@contextlib.contextmanager
def local_stack(scratch: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    if (state := answering(default_state_dir())) is not None:
        print(f"fuzz: using the running local stack at {state['api_url']} (left running)", flush=True)
        yield state, default_state_dir()
        return
    state_dir, log = scratch / "devstack", (scratch / "devstack.log").open("wb")
    env = {**os.environ, "MOTO_PORT": str(free_port()), "DEVSTACK_DIR": str(state_dir)}
    argv = [sys.executable, "-m", "devstack.run", "--port", str(free_port())]
    stack = spawn(argv, env, PROJECT_DIR, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while (state := answering(state_dir)) is None:
            if stack.poll() is not None or time.monotonic() > deadline:
                tail = (scratch / "devstack.log").read_text(errors="replace")[-3000:]
                raise SystemExit(f"fuzz: the local stack did not start (exit code {stack.poll()}):\n{tail}")
            time.sleep(0.2)
        print(f"fuzz: started a local stack at {state['api_url']} (stopped after the run)", flush=True)
        yield state, state_dir
    finally:
        stop_all([stack], grace_s=20)  # devstack.run stops its children on SIGTERM
        log.close()


def served_is_committed(api_url: str) -> bool:
    with urllib.request.urlopen(f"{api_url}/openapi.json", timeout=10) as response:  # noqa: S310 - loopback
        return bool(json.loads(response.read()) == json.loads(DOCUMENT.read_text()))


def schemathesis(api_url: str, token: str, har: Path) -> int:
    argv = [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", str(DOCUMENT), "--url", api_url]
    argv += ["--checks", "all", "--mode", "all", "--max-examples", os.environ.get("FUZZ_EXAMPLES") or "150"]
    argv += ["--report", "har", "--report-har-path", str(har), "--request-timeout", "30"]
    argv += ["--seed", os.environ["FUZZ_SEED"]] if os.environ.get("FUZZ_SEED") else []
    print("fuzz: " + " ".join(argv), flush=True)
    env = {**os.environ, "FUZZ_TOKEN": token, "SCHEMATHESIS_HOOKS": "devstack.fuzz_hooks"}
    env["PYTHONPATH"] = str(PROJECT_DIR)
    return subprocess.run(argv, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603 - our argv


def main() -> int:
    minimum = int(os.environ.get("FUZZ_MIN_REQUESTS") or 2000)
    customer = f"fuzz-{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch_dir, local_stack(Path(scratch_dir)) as (state, where):
        har = Path(scratch_dir) / "schemathesis.har.json"
        if not served_is_committed(state["api_url"]):
            raise SystemExit("fuzz: the stack serves another document than docs/openapi.json: run `make openapi`")
        token = StackIssuer.find(where).mint(customer, ttl_s=TOKEN_TTL_S)
        code = schemathesis(state["api_url"], token, har)
        traffic = read_har(har, json.loads(DOCUMENT.read_text())["paths"])
        stored = stored_orders(state, customer)
    seconds = time.monotonic() - started
    problems = [f"Schemathesis exited with {code}"] if code else []
    if traffic.requests < minimum:
        problems.append(f"only {traffic.requests} requests, fewer than FUZZ_MIN_REQUESTS={minimum}")
    problems += store_mismatch(traffic, stored)
    print(f"fuzz: requests by route and status:\n{traffic.statuses()}")
    print(
        f"fuzz: {traffic.requests} requests in {seconds:.0f} s; POST /orders answered 201 {traffic.answered_201} "
        f"times ({traffic.replayed} replays) for {len(traffic.created)} orders; {len(stored)} stored for {customer}"
    )
    for problem in problems:
        print(f"fuzz: FAILED: {problem}", file=sys.stderr)
    print("fuzz: passed" if not problems else "fuzz: failed", flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
