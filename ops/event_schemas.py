"""Writes the JSON Schema of every order event's `detail` into docs/events/, generated
from the pydantic models in chalicelib/domain/events.py: `make event-schemas`.
A test fails when the committed files differ from what this writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from chalicelib.domain.events import EVENT_TYPES

OUT = Path(__file__).resolve().parent.parent / "docs" / "events"
SCHEMA_BASE = "https://orders.example/events/"  # an identifier, not a location: the files sit in docs/events


def schemas() -> dict[str, dict[str, Any]]:
    written: dict[str, dict[str, Any]] = {}
    for event_type in EVENT_TYPES.values():
        name = event_type.model_fields["name"].default
        schema = event_type.model_json_schema(mode="serialization")
        written[f"{name}.schema.json"] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}{name}.schema.json",
            "description": f"The `detail` of an EventBridge event with detail-type {name} and source orders.",
            **schema,
        }
    return written


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        (OUT / name).write_text(render(schema))
        print(f"wrote docs/events/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
