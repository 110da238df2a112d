"""`make outage SECONDS=60 [PROVIDER=payments|shipping]`: makes the running local
stack's simulated provider unavailable for that long, for every token. The switch is
kept in the ledger (the orders table in moto), so every process of the stack sees it
within a second (chalicelib/adapters/provider_outages.py). SECONDS=0 ends an outage.

It finds the stack as `make token` does (DEVSTACK_DIR, default .devstack; with PORT
given, that stack must serve that port); with none running it prints one line on stderr
and exits 1.

Usage: python -m devstack.outage --seconds 60 [--provider payments] [--port P] [--state-dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, cast

from chalicelib.adapters.ledger import DynamoDBLedger
from chalicelib.adapters.provider_outages import PROVIDERS, Provider, ProviderOutages
from devstack.tokens import NoStack, check_port, default_state_dir, stack_state

MAX_SECONDS = 24 * 3600


def start_outage(endpoint_url: str, region: str, table: str, provider: Provider, seconds: float) -> float:
    """Switch `provider` off for `seconds` in the stack whose moto serves `endpoint_url`;
    return when the outage ends (epoch seconds)."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)  # noqa: S106
    client: Any = session.client("dynamodb", endpoint_url=endpoint_url)
    return ProviderOutages(DynamoDBLedger(client, table, ttl_seconds=86_400)).start(provider, seconds)


def seconds_value(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"SECONDS must be a number of seconds, not {text!r}") from None
    if not 0 <= seconds <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"SECONDS must be between 0 and {MAX_SECONDS}, not {text}")
    return seconds


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make outage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=seconds_value, required=True, help="how long (0 ends an outage)")
    parser.add_argument("--provider", choices=PROVIDERS, default="payments")
    parser.add_argument("--port", type=int, default=None, help="the stack must serve this API port")
    parser.add_argument("--state-dir", type=Path, default=None, help="default: DEVSTACK_DIR or .devstack")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    state_dir = args.state_dir or default_state_dir()
    try:
        state = stack_state(state_dir)
        check_port(state, state_dir, args.port)
        provider = cast(Provider, args.provider)
        until = start_outage(state["aws_endpoint"], state["region"], state["table"], provider, args.seconds)
    except NoStack as error:
        print(f"make outage: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # moto gone mid-call: one line, no traceback
        print(f"make outage: cannot reach the local stack: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if args.seconds == 0:
        print(f"{args.provider}: outage ended")
    else:
        ends = time.strftime("%H:%M:%S", time.localtime(until))
        print(f"{args.provider}: unavailable for {args.seconds:g} s, until {ends}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
