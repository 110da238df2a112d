"""docs/openapi.json is the document GET /openapi.json serves, as generated from the code
(`make openapi` writes it), and it is a valid OpenAPI 3.1 document."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from ops.openapi import OUT, render


def test_the_committed_document_is_what_the_code_generates() -> None:
    assert OUT.read_text() == render(), "docs/openapi.json is stale: run `make openapi`"


def test_the_committed_document_is_valid_openapi_3_1() -> None:
    document = json.loads(OUT.read_text())
    validate(document)
    assert document["openapi"].startswith("3.1.")
