"""Tokens for the tests: one in-process issuer (the local stack's LocalIssuer), and a
Chalice test client that serves the app through the local stack's VerifyingGateway, so
integration tests pass real signed tokens through API Gateway's checks to the function."""

from __future__ import annotations

from functools import cache
from typing import Any

from devstack.identity import LocalIssuer
from devstack.token_check import TokenPolicy

ISSUER_URL = "https://issuer.orders.test"


@cache
def issuer() -> LocalIssuer:
    return LocalIssuer(issuer=ISSUER_URL)


def policy() -> TokenPolicy:
    return TokenPolicy(issuer=ISSUER_URL, audiences=(issuer().audience,), jwks=issuer().jwks)


def authorization(customer: str, **options: Any) -> str:
    return "Bearer " + issuer().mint(customer, **options)


def bearer(customer: str) -> dict[str, str]:
    return {"Authorization": authorization(customer)}


def verify_tokens(client: Any, app: Any) -> Any:
    """Put the JWT check in front of a chalice.test.Client's gateway, as API Gateway's."""
    from devstack.gateway_auth import VerifyingGateway

    client.http._local_gateway = VerifyingGateway(app, client.http._config, policy())
    return client
