"""Every request to an order route carries a verified token, checked as API Gateway's JWT
authorizer checks it: each bad token is a 401 with `WWW-Authenticate: Bearer` and a
problem document naming the failed check, never echoing the token, and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.intake_client import items_in
from tests.support.auth import authorization, issuer
from tests.support.bad_tokens import bad_tokens
from tests.support.orders import order_body

CASES = bad_tokens(issuer())
ROUTES = [("post", "/orders"), ("get", "/orders"), ("get", "/orders/{id}"), ("post", "/orders/{id}/cancel")]


@pytest.fixture
def placed(moto_api: Any) -> str:
    headers = {"Content-Type": "application/json", "Authorization": authorization("alice")}
    response = moto_api.http.post("/orders", headers=headers, body=json.dumps(order_body()))
    assert response.status_code == 201
    return str(json.loads(response.body)["order_id"])


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_bad_token_is_a_401_that_names_the_check_and_changes_nothing(
    moto_api: Any, dynamodb: Any, placed: str, case: str, method: str, path: str
) -> None:
    header, names, token_sent = CASES[case]
    headers = {"Content-Type": "application/json"} | ({"Authorization": header} if header is not None else {})
    before = items_in(dynamodb)

    response = getattr(moto_api.http, method)(path.format(id=placed), headers=headers, body=json.dumps(order_body()))

    document = json.loads(response.body)
    assert response.status_code == 401 == document["status"]
    assert response.headers["Content-Type"] == "application/problem+json"
    challenge = response.headers["WWW-Authenticate"]
    assert challenge == ('Bearer error="invalid_token"' if token_sent else "Bearer")
    assert names in document["detail"], document["detail"]
    if header is not None and len(header) > 12:
        assert header.split(" ", 1)[-1] not in response.body.decode(), "the token was echoed"
    assert items_in(dynamodb) == before


def test_the_old_customer_header_alone_is_unauthenticated(moto_api: Any, placed: str) -> None:
    response = moto_api.http.get(f"/orders/{placed}", headers={"X-Customer-Id": "alice"})
    assert response.status_code == 401


def test_public_routes_need_no_token(moto_api: Any) -> None:
    assert moto_api.http.get("/health").status_code == 200
    assert moto_api.http.get("/problems/unauthenticated").status_code == 200
