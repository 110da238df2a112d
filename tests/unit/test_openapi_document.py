"""chalicelib/entrypoints/openapi.py: the OpenAPI document is built from the app's routes,
the models and ERROR_TABLE, says every status each route answers, and refuses to build
for a route it knows nothing about."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import Chalice
from openapi_spec_validator import validate

import app
from chalicelib.entrypoints.errors import ERROR_TABLE, mapping_of
from chalicelib.entrypoints.openapi import UndocumentedRoute, document
from chalicelib.entrypoints.openapi_operations import OPERATIONS
from chalicelib.resources import load_resources

DOC = document(app.app.routes)
PUBLIC = set(load_resources().api.public_routes)


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), path, op) for path, ops in DOC["paths"].items() for m, op in ops.items()]


def statuses(method: str, path: str) -> set[int]:
    return {int(status) for status in DOC["paths"][path][method.lower()]["responses"]}


def test_it_is_a_valid_openapi_3_1_document() -> None:
    validate(DOC)
    assert DOC["openapi"] == "3.1.0"


def test_it_describes_every_route_of_the_app_and_no_other() -> None:
    routes = {f"{method} {path}" for path, methods in app.app.routes.items() for method in methods}
    assert {f"{method} {path}" for method, path, _ in operations()} == routes == set(OPERATIONS)


def test_a_route_the_generator_does_not_know_fails_the_build_naming_it() -> None:
    grown = Chalice(app_name="grown")
    grown.routes.update(app.app.routes)
    grown.route("/orders/{order_id}/refund", methods=["POST"])(lambda order_id: {})
    with pytest.raises(UndocumentedRoute, match=r"POST /orders/\{order_id\}/refund"):
        document(grown.routes)


def test_an_entry_for_a_route_the_app_lost_fails_the_build_too() -> None:
    shrunk = {path: methods for path, methods in app.app.routes.items() if path != "/health"}
    with pytest.raises(UndocumentedRoute, match="GET /health"):
        document(shrunk)


def test_protected_operations_need_a_bearer_jwt_and_public_ones_nothing() -> None:
    assert DOC["components"]["securitySchemes"]["bearer"] == {
        **DOC["components"]["securitySchemes"]["bearer"],
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    for method, path, operation in operations():
        if f"{method} {path}" in PUBLIC:
            assert "security" not in operation and "401" not in operation["responses"], path
        else:
            assert operation["security"] == [{"bearer": []}], path
            unauthorized = operation["responses"]["401"]
            assert unauthorized["headers"] == {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}}


def test_openapi_json_is_public_on_every_stage() -> None:
    assert "GET /openapi.json" in PUBLIC


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("POST /orders", {201, 400, 401, 413, 415, 422, 500, 503}),
        ("GET /orders", {200, 400, 401, 500, 503}),
        ("GET /orders/{order_id}", {200, 400, 401, 404, 500, 503}),
        ("POST /orders/{order_id}/cancel", {200, 400, 401, 404, 409, 500, 503}),
        ("GET /problems/{kind}", {200, 404, 500}),
        ("GET /openapi.json", {200, 500}),
        ("GET /health", {200}),
    ],
)
def test_each_route_lists_every_status_it_can_answer(route: str, expected: set[int]) -> None:
    method, path = route.split(" ")
    assert statuses(method, path) == expected
    for raised in OPERATIONS[route].raises:
        assert mapping_of(raised).status in expected


def test_problem_answers_are_rfc_9457_documents_typed_by_the_error_table() -> None:
    conflict = DOC["paths"]["/orders/{order_id}/cancel"]["post"]["responses"]["409"]
    schema = conflict["content"]["application/problem+json"]["schema"]
    assert schema["allOf"][0] == {"$ref": "#/components/schemas/Problem"}
    kinds = {m.kind for m in ERROR_TABLE.values() if m.status == 409}
    assert schema["allOf"][1]["properties"]["type"]["enum"] == sorted(f"/problems/{kind}" for kind in kinds)
    problem = DOC["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail", "errors"]
    assert DOC["components"]["schemas"]["FieldError"]["required"] == ["field", "pointer", "detail"]


def test_503_carries_retry_after_wherever_it_is_answered() -> None:
    for _, _, operation in operations():
        if "503" in operation["responses"]:
            assert operation["responses"]["503"]["headers"] == {
                "Retry-After": {"$ref": "#/components/headers/Retry-After"}
            }


def test_post_orders_declares_its_key_its_headers_and_links_to_the_order() -> None:
    post = DOC["paths"]["/orders"]["post"]
    assert [p["name"] for p in post["parameters"]] == ["Idempotency-Key"]
    created = post["responses"]["201"]
    assert set(created["headers"]) == {"Location", "Idempotent-Replayed"}
    assert {name: link["operationId"] for name, link in created["links"].items()} == {
        "GetOrder": "getOrder",
        "CancelOrder": "cancelOrder",
    }
    assert all(link["parameters"] == {"order_id": "$response.body#/order_id"} for link in created["links"].values())


def test_the_list_declares_its_page_size_and_cursor_and_links_to_the_next_page() -> None:
    listing = DOC["paths"]["/orders"]["get"]
    limit, cursor = listing["parameters"]
    assert (limit["name"], limit["schema"]["minimum"], limit["schema"]["maximum"]) == ("limit", 1, 100)
    assert cursor["name"] == "cursor" and cursor["schema"]["pattern"]
    assert listing["responses"]["200"]["links"]["NextPage"] == {
        **listing["responses"]["200"]["links"]["NextPage"],
        "operationId": "listOrders",
        "parameters": {"cursor": "$response.body#/next_cursor"},
    }


def test_the_app_serves_the_document_without_a_token(api: Any) -> None:
    response = api.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.json_body == DOC
