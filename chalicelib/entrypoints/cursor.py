"""The opaque list cursor: the last order id of a page, versioned and base64url-encoded.

It carries no table key, so a client cannot steer a query into another customer's
partition: the repository rebuilds the key from the caller's own id.
"""

from __future__ import annotations

import base64

from chalicelib.domain.ids import is_order_id
from chalicelib.entrypoints.problems import field_error
from chalicelib.exceptions import MalformedInput

_CURSOR_PREFIX = "v1:"


def decode_cursor(cursor: str) -> str:
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        decoded = ""
    order_id = decoded.removeprefix(_CURSOR_PREFIX)
    # base64 decoding skips characters outside its alphabet and tolerates padding, so a
    # tampered cursor can decode to a valid one: only the exact encoding is accepted.
    if not decoded.startswith(_CURSOR_PREFIX) or not is_order_id(order_id) or encode_cursor(order_id) != cursor:
        raise MalformedInput("Malformed cursor", [field_error("cursor", "pass back a next_cursor unchanged")])
    return order_id


def encode_cursor(order_id: str) -> str:
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + order_id).encode()).decode().rstrip("=")
