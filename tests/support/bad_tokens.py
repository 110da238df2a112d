"""Every kind of token API Gateway's JWT authorizer refuses, built against a given
issuer: shared by the integration table (the in-process gateway) and the e2e table
(the running local stack). Each maps a case name to (Authorization header or None,
a word the 401 problem's detail must contain, whether a token was sent)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from cryptography.hazmat.primitives import serialization

from devstack.identity import LocalIssuer, new_private_key

BadToken = tuple[str | None, str, bool]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(issuer: LocalIssuer, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": issuer.issuer, "sub": "mallory", "aud": issuer.audience, "iat": now, "nbf": now, "exp": now + 600}
    return base | changes


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def alg_none(issuer: LocalIssuer) -> str:
    return _unsigned({"alg": "none", "typ": "JWT", "kid": issuer.kid}, _claims(issuer)) + "."


def hs256_with_the_public_key(issuer: LocalIssuer) -> str:
    """The alg-confusion trick: HMAC-sign with the RSA public key's PEM as the secret,
    hoping a verifier takes `alg` from the token. PyJWT refuses to build it, by hand then."""
    secret = issuer.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": issuer.kid}, _claims(issuer))
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def flipped_signature(token: str) -> str:
    head, body, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0xFF
    return f"{head}.{body}.{_b64(bytes(raw))}"


def bad_tokens(issuer: LocalIssuer) -> dict[str, BadToken]:
    other_key = LocalIssuer(issuer=issuer.issuer, audience=issuer.audience, key=new_private_key(), kid=issuer.kid)
    unknown_kid = LocalIssuer(issuer=issuer.issuer, audience=issuer.audience, key=issuer.key, kid="not-a-known-kid")
    elsewhere = LocalIssuer(issuer="https://evil.example", audience=issuer.audience, key=issuer.key, kid=issuer.kid)
    future = int(time.time()) + 600
    return {
        "no-token": (None, "Authorization", False),
        "not-bearer": ("Basic YWxpY2U6c2VjcmV0", "Bearer", False),
        "bearer-nothing": ("Bearer ", "Bearer", False),
        "malformed": ("Bearer abc", "well-formed", True),
        "bad-signature": ("Bearer " + flipped_signature(issuer.mint("mallory")), "signature", True),
        "other-rsa-key": ("Bearer " + other_key.mint("mallory"), "signature", True),
        "unknown-kid": ("Bearer " + unknown_kid.mint("mallory"), "kid", True),
        "wrong-issuer": ("Bearer " + elsewhere.mint("mallory"), "issuer", True),
        "wrong-audience": ("Bearer " + issuer.mint("mallory", audience="someone-else"), "audience", True),
        "expired": ("Bearer " + issuer.mint("mallory", ttl_s=-120), "expired", True),
        "not-yet-valid": ("Bearer " + issuer.mint("mallory", nbf=future, iat=future), "not valid yet", True),
        "alg-none": ("Bearer " + alg_none(issuer), "alg", True),
        "hs256-public-key": ("Bearer " + hs256_with_the_public_key(issuer), "alg", True),
    }
