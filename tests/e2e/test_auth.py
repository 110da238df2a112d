"""Authentication on the running local stack, black box over HTTP: every order route needs
a bearer token from the stack's issuer, checked as API Gateway's JWT authorizer checks it.
A refused request is 401 with `WWW-Authenticate: Bearer` (and `error="invalid_token"`
when a token was sent) and a problem document naming the failed check, never echoing the
token, and it stores nothing. Tokens are built here from what the stack publishes (its
JWKS over HTTP) and the key file `make token` signs with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack.client import OrdersClient, Reply
from devstack.tokens import StackIssuer
from tests.e2e.stack import PROJECT_DIR, RunningStack, list_all
from tests.support.orders import order_body

pytestmark = pytest.mark.e2e


def customer(prefix: str = "auth") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(document: dict[str, Any]) -> str:
    return b64url(json.dumps(document, separators=(",", ":")).encode())


def fetch_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=5) as response:
        document: dict[str, Any] = json.loads(response.read())
        return document


@dataclass
class Forger:
    """Builds good and bad tokens for one stack, from its published keys and its key file."""

    issuer: StackIssuer
    jwks: dict[str, Any]

    def claims(self, subject: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {"iss": self.issuer.url, "sub": subject, "aud": self.issuer.audience, "iat": now, "nbf": now}
        return claims | {"exp": now + 600} | overrides

    def good(self, subject: str) -> str:
        return self.issuer.mint(subject)

    def signed(self, claims: dict[str, Any], key: rsa.RSAPrivateKey | None = None, kid: str | None = None) -> str:
        signing_key = key or self.issuer.local_issuer().key
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": kid or self.issuer.kid})

    def public_pem(self) -> bytes:
        (jwk,) = [key for key in self.jwks["keys"] if key["kid"] == self.issuer.kid]
        public = jwt.PyJWK(jwk, algorithm="RS256").key
        return bytes(public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))

    def hs256_with_public_key(self, subject: str) -> str:
        """The alg-confusion attack: HS256 with the RSA public key's PEM as the HMAC secret.
        PyJWT refuses to encode this, so it is built by hand."""
        signing_input = f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': self.issuer.kid})}."
        signing_input += b64url_json(self.claims(subject))
        signature = hmac.new(self.public_pem(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64url(signature)}"

    def alg_none(self, subject: str) -> str:
        return (
            f"{b64url_json({'alg': 'none', 'typ': 'JWT', 'kid': self.issuer.kid})}.{b64url_json(self.claims(subject))}."
        )


def flip_signature_char(token: str) -> str:
    """Change one character in the middle of the signature (the last one may carry only
    padding bits, which would leave the signature bytes unchanged)."""
    head, payload, signature = token.split(".")
    middle = len(signature) // 2
    changed = "B" if signature[middle] != "B" else "C"
    return f"{head}.{payload}.{signature[:middle]}{changed}{signature[middle + 1 :]}"


@pytest.fixture(scope="module")
def forger(stack: RunningStack) -> Forger:
    issuer = stack.issuer()
    return Forger(issuer, fetch_json(f"{issuer.url}/.well-known/jwks.json"))


@dataclass(frozen=True)
class BadRequest:
    name: str
    headers: Callable[[Forger, str], dict[str, str]]  # (forger, the victim's customer id) -> headers
    check: str  # words the problem's detail must contain: it names the failed check
    token_sent: bool = True


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


BAD_REQUESTS = [
    BadRequest("no token", lambda f, who: {}, "no Authorization header", token_sent=False),
    BadRequest("malformed token", lambda f, who: bearer("abc"), "not a well-formed JWT"),
    BadRequest(
        "not the Bearer scheme",
        lambda f, who: {"Authorization": f"Token {f.good(who)}"},
        "not a Bearer token",
        token_sent=False,
    ),
    BadRequest("bad signature", lambda f, who: bearer(flip_signature_char(f.good(who))), "signature does not verify"),
    BadRequest(
        "another RSA key, same kid",
        lambda f, who: bearer(
            f.signed(f.claims(who), key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
        ),
        "signature does not verify",
    ),
    BadRequest("unknown kid", lambda f, who: bearer(f.signed(f.claims(who), kid="no-such-kid")), "kid is not in"),
    BadRequest(
        "wrong issuer",
        lambda f, who: bearer(f.signed(f.claims(who, iss="http://127.0.0.1:1/evil"))),
        "issuer is not trusted",
    ),
    BadRequest(
        "wrong audience", lambda f, who: bearer(f.signed(f.claims(who, aud="another-api"))), "audience is not this API"
    ),
    BadRequest(
        "expired beyond the leeway",
        lambda f, who: bearer(f.signed(f.claims(who, exp=int(time.time()) - 120))),
        "has expired",
    ),
    BadRequest(
        "not valid yet beyond the leeway",
        lambda f, who: bearer(f.signed(f.claims(who, nbf=int(time.time()) + 300))),
        "not valid yet",
    ),
    BadRequest("alg none", lambda f, who: bearer(f.alg_none(who)), "alg 'none' is not allowed"),
    BadRequest(
        "HS256 with the RSA public key as secret",
        lambda f, who: bearer(f.hs256_with_public_key(who)),
        "alg 'HS256' is not allowed",
    ),
    BadRequest(
        "X-Customer-Id only", lambda f, who: {"X-Customer-Id": who}, "no Authorization header", token_sent=False
    ),
]


def raw(stack: RunningStack, method: str, path: str, headers: dict[str, str], body: Any = None) -> Reply:
    """A request with exactly these headers (no token of the client's own)."""
    return OrdersClient(stack.api_url).call(method, path, body, headers)


def assert_refused(reply: Reply, bad: BadRequest, sent: dict[str, str]) -> None:
    assert reply.status == 401, reply.body
    expected = 'Bearer error="invalid_token"' if bad.token_sent else "Bearer"
    assert reply.header("WWW-Authenticate") == expected
    assert reply.header("Content-Type") == "application/problem+json"
    assert reply.body["type"] == "/problems/unauthenticated"
    assert reply.body["status"] == 401
    assert bad.check in reply.body["detail"]
    everything = json.dumps(reply.body) + json.dumps(reply.headers)
    for value in sent.values():
        credential = value.split(" ", 1)[-1]
        for part in filter(None, credential.split(".")):
            if len(part) > 8:  # "abc" and the like are too short to be told from ordinary words
                assert part not in everything, "the answer echoes the token"


@pytest.mark.parametrize("bad", BAD_REQUESTS, ids=[bad.name for bad in BAD_REQUESTS])
def test_a_bad_or_missing_token_is_refused_and_stores_nothing(
    stack: RunningStack, forger: Forger, bad: BadRequest
) -> None:
    victim = stack.client(customer("victim"))
    own = victim.place(order_body("tok_visa"))
    assert own.status == 201, own.body
    before = set(list_all(victim))
    headers = bad.headers(forger, victim.customer_id or "")

    placed = raw(stack, "POST", "/orders", headers | {"Content-Type": "application/json"}, order_body("tok_visa"))
    assert_refused(placed, bad, headers)
    read = raw(stack, "GET", f"/orders/{own.body['order_id']}", headers)
    assert_refused(read, bad, headers)
    cancelled = raw(stack, "POST", f"/orders/{own.body['order_id']}/cancel", headers, {})
    assert_refused(cancelled, bad, headers)
    listed = raw(stack, "GET", "/orders", headers)
    assert_refused(listed, bad, headers)

    assert set(list_all(victim)) == before, "a refused request stored nothing"
    assert victim.get(own.body["order_id"]).body["status"] != "CANCELLED"


def test_the_public_routes_need_no_token(stack: RunningStack) -> None:
    assert raw(stack, "GET", "/health", {}).status == 200
    problem = raw(stack, "GET", "/problems/unauthenticated", {})
    assert problem.status == 200, problem.body


def test_a_token_within_the_leeway_is_accepted(stack: RunningStack, forger: Forger) -> None:
    """API Gateway allows 60 s of clock skew on exp and nbf."""
    who = customer()
    now = int(time.time())
    for claims in (forger.claims(who, exp=now - 20), forger.claims(who, nbf=now + 20)):
        reply = OrdersClient(stack.api_url, token=forger.signed(claims)).list()
        assert reply.status == 200, reply.body


def test_a_customer_sees_and_changes_only_its_own_orders(stack: RunningStack) -> None:
    alice, bob = stack.client(customer("alice")), stack.client(customer("bob"))
    alices = alice.place(order_body("tok_visa")).body["order_id"]
    bobs = bob.place(order_body("tok_visa")).body["order_id"]

    for reply in (bob.get(alices), bob.cancel(alices), alice.get(bobs), alice.cancel(bobs)):
        assert reply.status == 404, reply.body
        assert reply.header("Content-Type") == "application/problem+json"
    assert alice.get(alices).status == 200
    assert alice.get(alices).body["status"] != "CANCELLED", "bob's cancel changed nothing"
    assert bob.get(bobs).body["customer_id"] == bob.customer_id
    alice_sees, bob_sees = set(list_all(alice)), set(list_all(bob))
    assert alice_sees == {alices}
    assert bob_sees == {bobs}
    assert not alice_sees & bob_sees


def make_token(stack: RunningStack, *variables: str, state_dir: str | None = None) -> subprocess.CompletedProcess[str]:
    """`make -s token ...` as a user runs it, pointed at this test's stack."""
    port = stack.api_url.rsplit(":", 1)[1]
    env = {name: value for name, value in os.environ.items() if not name.startswith("MAKE")}
    env |= {"DEVSTACK_DIR": state_dir or str(stack.state_dir), "PORT": port}
    return subprocess.run(
        ["make", "-s", "token", *variables],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_make_token_prints_one_line_that_works_end_to_end(stack: RunningStack) -> None:
    who = customer("make")
    result = make_token(stack, f"CUSTOMER={who}")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    client = OrdersClient(stack.api_url, token=lines[0])
    placed = client.place(order_body("tok_visa"))
    assert placed.status == 201, placed.body
    assert placed.body["customer_id"] == who
    read = client.get(placed.body["order_id"])
    assert read.status == 200, read.body
    claims = jwt.decode(lines[0], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["iss"] == stack.state()["issuer"]["url"]


def test_make_token_ttl_and_audience(stack: RunningStack) -> None:
    who = customer("make")
    expired = make_token(stack, f"CUSTOMER={who}", "TTL=-120")
    assert expired.returncode == 0, expired.stderr
    reply = OrdersClient(stack.api_url, token=expired.stdout.strip()).list()
    assert (reply.status, reply.body["detail"]) == (401, "the token has expired")
    short = make_token(stack, f"CUSTOMER={who}", "TTL=90")
    claims = jwt.decode(short.stdout.strip(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 90
    other = make_token(stack, f"CUSTOMER={who}", "AUDIENCE=another-api")
    assert other.returncode == 0, other.stderr
    reply = OrdersClient(stack.api_url, token=other.stdout.strip()).list()
    assert (reply.status, reply.body["detail"]) == (401, "the token's audience is not this API")


def test_make_token_without_a_running_stack_is_one_line_and_no_token(stack: RunningStack, tmp_path: Path) -> None:
    result = make_token(stack, "CUSTOMER=alice", state_dir=str(tmp_path))
    assert result.returncode != 0
    assert result.stdout == ""
    ours = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    assert ours == [f"make token: error: no local stack runs in {tmp_path} (no stack.json); start one with `make run`"]


def test_the_issuer_is_on_loopback_and_its_key_only_in_the_state_dir(stack: RunningStack) -> None:
    issuer = stack.state()["issuer"]
    assert issuer["url"].startswith("http://127.0.0.1:")
    discovery = fetch_json(f"{issuer['url']}/.well-known/openid-configuration")
    assert discovery["issuer"] == issuer["url"]
    assert discovery["jwks_uri"] == f"{issuer['url']}/.well-known/jwks.json"
    jwks = fetch_json(discovery["jwks_uri"])
    assert [key["kid"] for key in jwks["keys"]] == [issuer["kid"]]
    assert all("d" not in key for key in jwks["keys"]), "the JWKS publishes no private part"
    key_file = stack.state_dir / "issuer-key.pem"
    assert issuer["key_file"] == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "PRIVATE KEY" not in json.dumps(stack.state())
