"""docs/events/ holds the JSON Schema of every event's `detail`, as generated from the
models; the schemas accept what the service publishes."""

from __future__ import annotations

import json

from chalicelib.domain.events import EVENT_TYPES, order_event
from ops.event_schemas import OUT, render, schemas
from tests.unit.test_order_events import at


def test_the_committed_schemas_are_what_the_models_generate() -> None:
    expected = schemas()
    committed = {path.name: path.read_text() for path in OUT.glob("*.schema.json")}
    assert set(committed) == set(expected), "run `make event-schemas`"
    for name, schema in expected.items():
        assert committed[name] == render(schema), f"docs/events/{name} is stale: run `make event-schemas`"


def test_every_published_detail_validates_against_its_schema() -> None:
    from jsonschema import Draft202012Validator

    for status in EVENT_TYPES:
        event = order_event(at(status))
        schema = json.loads((OUT / f"{event.name}.schema.json").read_text())
        Draft202012Validator(schema).validate(json.loads(event.model_dump_json(exclude_none=True)))
