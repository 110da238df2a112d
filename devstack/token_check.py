"""Checks a bearer token as API Gateway's JWT authorizer does, so that the local stack
refuses exactly what AWS would refuse: the signature against the issuer's JWKS by `kid`,
`alg` from an allow-list (RS256 only), `iss`, `aud` or else `client_id` (Cognito access
tokens carry no `aud`), `exp` and `nbf` with at most 60 s of leeway.

The claims are handed on as API Gateway hands them to a payload-1.0 integration:
flattened to strings under requestContext.authorizer.claims.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

ALLOWED_ALGORITHMS = ("RS256",)
LEEWAY_S = 60
Jwks = dict[str, Any]


class TokenRejected(Exception):
    """The request's token failed a check. `reason` names the check, never the token."""

    def __init__(self, reason: str, token_sent: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.token_sent = token_sent


@dataclass(frozen=True)
class TokenPolicy:
    issuer: str
    audiences: tuple[str, ...]
    jwks: Callable[[], Jwks]  # fetched (and cached) by the caller
    refresh: Callable[[], Jwks] | None = None  # fetches again when a token names an unknown kid


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise TokenRejected("no Authorization header: send Authorization: Bearer <token>", token_sent=False)
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenRejected("the Authorization header is not a Bearer token", token_sent=False)
    return token.strip()


def verify(token: str, policy: TokenPolicy) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise TokenRejected("the token is not a well-formed JWT") from None
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise TokenRejected(f"the token's alg {header.get('alg')!r} is not allowed; only RS256 is")
    key = _signing_key(header.get("kid"), policy)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=list(ALLOWED_ALGORITHMS),
            issuer=policy.issuer,
            leeway=LEEWAY_S,
            options={"verify_aud": False, "require": ["exp", "iss", "sub"]},
        )
    except jwt.InvalidSignatureError:
        raise TokenRejected("the token's signature does not verify") from None
    except jwt.ExpiredSignatureError:
        raise TokenRejected("the token has expired") from None
    except jwt.ImmatureSignatureError:
        raise TokenRejected("the token is not valid yet (nbf)") from None
    except jwt.InvalidIssuerError:
        raise TokenRejected("the token's issuer is not trusted") from None
    except jwt.MissingRequiredClaimError as error:
        raise TokenRejected(f"the token lacks the {error.claim} claim") from None
    except jwt.PyJWTError:
        raise TokenRejected("the token is not valid") from None
    _check_audience(claims, policy.audiences)
    return claims


def _signing_key(kid: object, policy: TokenPolicy) -> Any:
    """The key the token's kid names; as API Gateway does, the key set is fetched again
    once when the kid is unknown, in case the issuer rotated its keys."""
    if not isinstance(kid, str) or not kid:
        raise TokenRejected("the token has no kid naming one of the issuer's keys")
    jwk = _find(kid, policy.jwks())
    if jwk is None and policy.refresh is not None:
        jwk = _find(kid, policy.refresh())
    if jwk is None:
        raise TokenRejected("the token's kid is not in the issuer's key set")
    try:
        return jwt.PyJWK(jwk, algorithm="RS256").key
    except jwt.PyJWTError:
        raise TokenRejected("the issuer's key for the token's kid is not an RS256 key") from None


def _find(kid: str, jwks: Jwks) -> dict[str, Any] | None:
    for jwk in jwks.get("keys", []):
        if isinstance(jwk, dict) and jwk.get("kid") == kid:
            return jwk
    return None


def _check_audience(claims: dict[str, Any], audiences: tuple[str, ...]) -> None:
    aud = claims.get("aud", claims.get("client_id"))
    found = aud if isinstance(aud, list) else [aud]
    if not any(value in audiences for value in found):
        raise TokenRejected("the token's audience is not this API")


def as_gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway puts them in a payload-1.0 event: every value a string,
    arrays as "[a b]"."""
    flat: dict[str, str] = {}
    for name, value in claims.items():
        if isinstance(value, list):
            flat[name] = "[" + " ".join(str(item) for item in value) + "]"
        else:
            flat[name] = str(value)
    return flat
