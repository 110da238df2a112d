"""Schemathesis hooks for `make fuzz` (SCHEMATHESIS_HOOKS=devstack.fuzz_hooks).

Two known disagreements between the tool and documented rules of this API, handled here
and not by loosening the published document.

1. JSON Schema 2020-12 says a number with a zero fractional part is an integer, so `2.0`
is a valid `"type": "integer"`, and Schemathesis sends it as valid data. This API
refuses whole-number floats on purpose (README, "Bad input": `2.0` is not a quantity):
amounts and quantities are counts, and a float on the wire means a client computed one
with floating point. JSON Schema cannot say "integer syntax only", so before each call
this hook writes every whole-number float in a body as the integer it equals, which is
the same value to JSON Schema. Nothing else is changed: a fractional number, a string
or an out-of-range value still goes out as generated, and a test
(tests/integration/test_bad_input_body.py) keeps proving that `2.0` is refused.

2. An `Idempotency-Key` already used with another body is a `422` of type
`idempotency-key-reused`, as the IETF draft on the header says: a refusal by state (the
key's earlier use), which no schema can describe. Schemathesis draws keys from a small
space and its coverage phase sends one key with every body, so nearly every schema-valid
order would meet that 422 and its acceptance would go untested. So each valid key gets
the body's digest appended (still a valid key): the same key with the same body is still
a replay (`201` with `Idempotent-Replayed`), and a different body gets a fresh key. An
invalid key is sent as generated, to be refused. The reuse `422` itself is covered by
tests/integration/test_intake_api_idempotency.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import schemathesis

from chalicelib.entrypoints.openapi_operations import IDEMPOTENCY_KEY_PATTERN

IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
DIGEST_CHARS = 16


def integers_as_integers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: integers_as_integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [integers_as_integers(item) for item in value]
    return value


def key_for_body(key: str, body: Any) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:DIGEST_CHARS]
    return f"{key[: 255 - DIGEST_CHARS - 1]}.{digest}"


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    if isinstance(case.body, dict | list):
        case.body = integers_as_integers(case.body)
    headers = case.headers or {}
    for name, value in headers.items():
        if name.lower() == "idempotency-key" and isinstance(value, str) and IDEMPOTENCY_KEY.fullmatch(value):
            headers[name] = key_for_body(value, case.body)
