"""DynamoDB's attribute-value JSON for the few types our items use.

boto3's TypeSerializer would do, but importing boto3 on top of botocore (s3transfer
and the resource layer) adds 10-15 ms to every cold start, measured here; the low-level
botocore client plus these twenty lines give the same items without it. Numbers are integers: money is in minor units.
"""

from __future__ import annotations

from typing import Any

AttributeValue = dict[str, Any]


def to_attribute(value: Any) -> AttributeValue:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(element) for element in value]}
    if isinstance(value, dict):
        return {"M": {str(name): to_attribute(element) for name, element in value.items()}}
    raise TypeError(f"cannot store a {type(value).__name__} in an order item")


def from_attribute(attribute: AttributeValue) -> Any:
    ((kind, value),) = attribute.items()
    if kind in {"S", "BOOL"}:
        return value
    if kind == "N":
        return int(value)
    if kind == "NULL":
        return None
    if kind == "L":
        return [from_attribute(element) for element in value]
    if kind == "M":
        return {name: from_attribute(element) for name, element in value.items()}
    raise TypeError(f"unexpected DynamoDB type {kind} in an order item")
