"""Writes docs/openapi.json, the OpenAPI document that GET /openapi.json serves, built
from the code by chalicelib/entrypoints/openapi.py: `make openapi`. A test fails when
the committed file differs from what this writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def render() -> str:
    import app
    from chalicelib.entrypoints.openapi import document

    # Key order kept: it is the order a reader meets (info, paths, then components).
    return json.dumps(document(app.app.routes), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    OUT.write_text(render())
    print(f"wrote {OUT.relative_to(OUT.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
