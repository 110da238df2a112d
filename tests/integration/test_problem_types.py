"""Problem `type` URIs resolve: each is a path this API serves, and docs/problems.md
catalogues every one of them for people."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.entrypoints.errors import ERROR_TABLE, UNEXPECTED
from chalicelib.entrypoints.problems import PROBLEM_TYPES, TYPE_BASE
from tests.support.auth import authorization

DOCS = Path(__file__).resolve().parents[2] / "docs" / "problems.md"


def test_every_kind_the_api_answers_is_in_the_catalogue() -> None:
    answered = {mapping.kind for mapping in ERROR_TABLE.values()} | {UNEXPECTED.kind, "method-not-allowed"}
    assert answered <= set(PROBLEM_TYPES)


def test_docs_catalogue_every_problem_type_and_no_other() -> None:
    assert set(re.findall(r"^## ([a-z-]+)$", DOCS.read_text(), re.MULTILINE)) == set(PROBLEM_TYPES)


@pytest.mark.parametrize("kind", sorted(PROBLEM_TYPES))
def test_each_type_resolves_on_the_api_without_credentials(api: Any, kind: str) -> None:
    response = api.http.get(TYPE_BASE + kind)
    assert response.status_code == 200
    assert json.loads(response.body) == {"type": TYPE_BASE + kind, "description": PROBLEM_TYPES[kind]}


def test_an_error_answered_by_the_api_names_a_type_that_resolves(api: Any) -> None:
    missing = api.http.get("/orders/01J00000000000000000000000", headers={"Authorization": authorization("cust-42")})
    kind_path = json.loads(missing.body)["type"]
    assert missing.status_code == 404 and api.http.get(kind_path).status_code == 200


def test_an_unknown_problem_type_is_a_404_problem(api: Any) -> None:
    response = api.http.get("/problems/no-such-kind")
    assert response.status_code == 404
    assert json.loads(response.body)["type"] == TYPE_BASE + "not-found"


@pytest.mark.parametrize("path", ["/health", "/problems/internal", "/orders"])
def test_a_body_less_get_ignores_its_content_type(api: Any, path: str) -> None:
    headers = {"Content-Type": "multipart/form-data; boundary=x", "Authorization": authorization("cust-42")}
    assert api.http.get(path, headers=headers).status_code == 200


def test_every_problem_document_has_the_same_members(api: Any) -> None:
    token = {"Authorization": authorization("cust-42")}
    answers = [
        api.http.get("/orders/nope", headers=token),  # 400 with errors
        api.http.get("/orders/01J00000000000000000000000", headers=token),  # 404 without
        api.http.post("/orders", headers=token | {"Content-Type": "text/plain"}, body="x"),  # 415
        api.http.get("/problems/no-such-kind"),  # 404
    ]
    members = [set(json.loads(answer.body)) for answer in answers]
    assert all(m >= {"type", "title", "status", "detail", "errors"} for m in members), members
