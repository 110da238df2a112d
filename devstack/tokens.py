"""`make token CUSTOMER=alice [TTL=3600] [AUDIENCE=<aud>]`: prints a bearer token for the
running local stack, one line and nothing else, so `TOKEN=$(make -s token CUSTOMER=alice)`
works. A negative TTL gives a token that has already expired.

It finds the stack by its state directory (DEVSTACK_DIR, default .devstack), reads the
issuer from stack.json and signs with the issuer's key file there (mode 0600; see
devstack/issuer_server.py for why a file and not an endpoint). Before signing it asks the
issuer for its keys, so a stack that is not running (or a key file left by a killed one)
is one line on stderr and exit code 1, never a token that the API would refuse. With
--port (PORT), the stack must be the one serving that port.

Usage: python -m devstack.tokens --customer alice [--ttl 3600] [--audience A] [--port P]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.domain.values import CUSTOMER_ID_PATTERN, CUSTOMER_ID_RULE
from devstack.identity import DEFAULT_TTL_S, LocalIssuer
from devstack.issuer_keys import fetch_json

PROJECT_DIR = Path(__file__).resolve().parent.parent


class NoStack(Exception):
    """No usable local stack; the message is one line for the user."""


def default_state_dir() -> Path:
    return Path(os.environ.get("DEVSTACK_DIR") or PROJECT_DIR / ".devstack")


def stack_state(state_dir: Path) -> dict[str, Any]:
    """The stack.json of the stack that runs from `state_dir`; NoStack if there is none.
    Whether that stack still answers is for the caller to check."""
    try:
        state = json.loads((state_dir / "stack.json").read_text())
    except FileNotFoundError:
        raise NoStack(f"no local stack runs in {state_dir} (no stack.json); start one with `make run`") from None
    except (OSError, ValueError):
        raise NoStack(f"the stack.json in {state_dir} is unreadable; restart the stack with `make run`") from None
    if not isinstance(state, dict):
        raise NoStack(f"the stack.json in {state_dir} is unreadable; restart the stack with `make run`")
    return state


def check_port(state: dict[str, Any], state_dir: Path, port: int | None) -> None:
    """With `port` given, the stack must be the one serving it."""
    api_url = str(state.get("api_url"))
    if port is not None and not api_url.endswith(f":{port}"):
        raise NoStack(f"the local stack in {state_dir} serves {api_url}, not port {port}; set PORT or DEVSTACK_DIR")


@dataclass(frozen=True)
class StackIssuer:
    """The running stack's issuer, as its stack.json describes it."""

    api_url: str
    url: str
    audience: str
    kid: str
    key_file: Path

    @classmethod
    def find(cls, state_dir: Path | None = None, port: int | None = None) -> StackIssuer:
        """The issuer of the stack that runs from `state_dir`; NoStack if none does."""
        state_dir = state_dir or default_state_dir()
        where = f"in {state_dir}"
        state = stack_state(state_dir)
        try:
            issuer = state["issuer"]
            found = cls(state["api_url"], issuer["url"], issuer["audience"], issuer["kid"], Path(issuer["key_file"]))
        except (ValueError, KeyError, TypeError):
            raise NoStack(f"the stack.json {where} has no issuer; restart the stack with `make run`") from None
        check_port(state, state_dir, port)
        found.check_running()
        return found

    def check_running(self) -> None:
        try:
            kids = [key.get("kid") for key in fetch_json(f"{self.url}/.well-known/jwks.json", 2.0)["keys"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise NoStack(f"no local stack answers at {self.url} (its issuer); start one with `make run`") from None
        if self.kid not in kids:
            raise NoStack(f"the issuer at {self.url} no longer has the key in {self.key_file}; restart `make run`")

    def local_issuer(self) -> LocalIssuer:
        try:
            pem = self.key_file.read_text()
        except OSError as error:
            raise NoStack(f"cannot read the issuer's key {self.key_file}: {error.strerror}") from None
        return LocalIssuer.from_pem(self.url, self.audience, pem, self.kid)

    def mint(self, customer: str, ttl_s: int = DEFAULT_TTL_S, audience: str | None = None, **claims: Any) -> str:
        return self.local_issuer().mint(customer, ttl_s=ttl_s, audience=audience, **claims)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customer", default="", help="the token's subject: the customer id")
    parser.add_argument("--ttl", default=str(DEFAULT_TTL_S), help="seconds until it expires (negative: expired)")
    parser.add_argument("--audience", default="", help="the aud claim (default: the stack's audience)")
    parser.add_argument("--port", default="", help="the API port the stack must serve")
    parser.add_argument("--state-dir", type=Path, default=None, help="default: DEVSTACK_DIR or .devstack")
    return parser.parse_args(argv)


def token_for(args: argparse.Namespace) -> str:
    if not args.customer:
        raise NoStack("say whose token: make token CUSTOMER=<customer id>")
    if not re.fullmatch(CUSTOMER_ID_PATTERN, args.customer):
        raise NoStack(f"CUSTOMER {args.customer!r} is not a customer id: it {CUSTOMER_ID_RULE}")
    try:
        ttl_s = int(args.ttl)
    except ValueError:
        raise NoStack(f"TTL must be a whole number of seconds, not {args.ttl!r}") from None
    if not re.fullmatch(r"[0-9]{1,5}", args.port or "0"):
        raise NoStack(f"PORT must be a port number, not {args.port!r}")
    issuer = StackIssuer.find(args.state_dir, int(args.port) if args.port else None)
    return issuer.mint(args.customer, ttl_s=ttl_s, audience=args.audience or None)


def main(argv: list[str] | None = None) -> int:
    try:
        token = token_for(parse(argv))
    except NoStack as error:
        print(f"make token: error: {error}", file=sys.stderr)
        return 1
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())
