"""Chalice's LocalGateway with API Gateway's JWT authorizer in front of the protected
routes: the local stack's `make run`, the `chalice local` wrapper and the integration
tests all serve the app through it, so the function sees what it sees in AWS.

A refused token answers 401 with `WWW-Authenticate: Bearer` (`error="invalid_token"`
when a token was sent, as RFC 6750 says) and a problem document naming the failed
check. The function is never called, so nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException

from chalicelib.entrypoints.problems import PROBLEM_JSON, TYPE_BASE
from chalicelib.resources import load_resources
from devstack.token_check import TokenPolicy, TokenRejected, as_gateway_claims, bearer_token, verify


class TokenRefused(LocalGatewayException):
    CODE = 401


class MethodNotAllowed(LocalGatewayException):
    CODE = 405


def not_allowed(method: str, allowed: list[str]) -> MethodNotAllowed:
    document = {
        "type": TYPE_BASE + "method-not-allowed",
        "title": "Method not allowed",
        "status": 405,
        "detail": f"{method} is not allowed here; use {', '.join(allowed)}",
        "errors": [],
    }
    headers = {"Content-Type": PROBLEM_JSON, "Allow": ", ".join(allowed)}
    return MethodNotAllowed(headers, json.dumps(document).encode())


def refusal(error: TokenRejected) -> TokenRefused:
    challenge = 'Bearer error="invalid_token"' if error.token_sent else "Bearer"
    document = {
        "type": TYPE_BASE + "unauthenticated",
        "title": "Who are you?",
        "status": 401,
        "detail": error.reason,
        "errors": [],
    }
    headers = {"Content-Type": PROBLEM_JSON, "WWW-Authenticate": challenge}
    return TokenRefused(headers, json.dumps(document).encode())


class VerifyingGateway(LocalGateway):
    """Verifies the bearer token of every route but the public ones, then puts the
    claims where API Gateway puts them for payload format 1.0."""

    def __init__(self, app_object: Chalice, config: Config, policy: TokenPolicy) -> None:
        super().__init__(app_object, config)
        self._policy = policy
        self._public = frozenset(load_resources().api.public_routes)

    def _generate_lambda_event(self, method: str, path: str, headers: Any, body: bytes | None) -> Any:
        event = super()._generate_lambda_event(method, path, headers, body)
        context = event["requestContext"]
        context.pop("authorizer", None)  # only this gateway may say who the caller is
        declared = self._app_object.routes[context["resourcePath"]]
        if method.upper() not in declared:  # routed before any token check, as API Gateway does
            raise not_allowed(method.upper(), sorted({*declared, "OPTIONS"}))
        if f"{method.upper()} {context['resourcePath']}" in self._public:
            return event
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            claims = verify(bearer_token(lowered.get("authorization")), self._policy)
        except TokenRejected as error:
            raise refusal(error) from None
        context["authorizer"] = {"claims": as_gateway_claims(claims), "scopes": None}
        return event
