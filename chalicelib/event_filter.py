"""Evaluates Lambda event-source filter patterns.

The stream worker of the local stack filters with it as Lambda would, and the stream
handler re-checks every record with it, because a filter is no guarantee of delivery.
Supported: lists of exact values, and the `exists`, `anything-but` and `prefix` operators.
"""

from __future__ import annotations

from typing import Any

_MISSING = object()


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    for key, expected in pattern.items():
        actual = event.get(key, _MISSING) if isinstance(event, dict) else _MISSING
        if isinstance(expected, dict):
            if actual is _MISSING or not isinstance(actual, dict):
                return False
            if not matches(expected, actual):
                return False
        elif not _matches_any(expected, actual):
            return False
    return True


def _matches_any(options: list[Any], actual: Any) -> bool:
    return any(_matches_one(option, actual) for option in options)


def _matches_one(option: Any, actual: Any) -> bool:
    if not isinstance(option, dict):
        return actual is not _MISSING and actual == option
    if "exists" in option:
        return (actual is not _MISSING) == bool(option["exists"])
    if actual is _MISSING:
        return False
    if "anything-but" in option:
        excluded = option["anything-but"]
        excluded = excluded if isinstance(excluded, list) else [excluded]
        return actual not in excluded
    if "prefix" in option:
        return isinstance(actual, str) and actual.startswith(option["prefix"])
    raise ValueError(f"unsupported filter operator: {sorted(option)}")
