"""One fix to moto's EventBridge, so that the outbox publisher does not dominate the
local stack's CPU.

moto builds the message it sends to a rule's target from an input template, and for
every event and target it parses the template's eight JSONPath expressions again with
jsonpath-ng, which builds a PLY parser each time: about 16 ms of CPU per delivered
event, three events per order. The expressions are the same every time, so the parsed
ones are kept (jsonpath-ng's parsed paths are not changed by `find`). What reaches the
target is unchanged.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

CACHED_PATHS = 256


def install() -> Callable[[], None]:
    """Patch moto in this process; return what undoes it (for tests)."""
    # moto imports `parse` from this module at each call: replace it there.
    ext: Any = importlib.import_module("jsonpath_ng.ext")
    original = ext.parse
    ext.parse = functools.lru_cache(maxsize=CACHED_PATHS)(original)

    def undo() -> None:
        ext.parse = original

    return undo
