"""The opaque list cursor: the last order id of a page, versioned and base64url-encoded.

It carries no table key, so a client cannot steer a query into another customer's
partition: the repository rebuilds the key from the caller's own id.

It encodes the id's 128 bits, not its text: a version byte and 16 bytes, 23 base64url
characters. Every 16 bytes are a valid ULID, so the cursors the API accepts are exactly
the strings CURSOR_PATTERN matches, and the published schema can say so (a schema-valid
cursor is never refused). The id's text in base64 has no pattern a reader could check.
"""

from __future__ import annotations

import base64
import re

from chalicelib.domain.ids import is_order_id
from chalicelib.entrypoints.problems import field_error
from chalicelib.exceptions import MalformedInput

_VERSION = b"\x01"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # the ULID alphabet (chalicelib/domain/ids.py)
# 17 bytes are 23 characters: "A" and one of Q-f are the version byte 0x01 (and the id's
# first 4 bits); the last character holds 4 bits, so its 2 low bits are 0.
CURSOR_PATTERN = r"^A[Q-Za-f][A-Za-z0-9_-]{20}[AEIMQUYcgkosw048]$"
_CURSOR = re.compile(CURSOR_PATTERN)


def decode_cursor(cursor: str) -> str:
    # fullmatch: with match, `$` would also accept a final newline.
    if not _CURSOR.fullmatch(cursor):
        raise MalformedInput("Malformed cursor", [field_error("cursor", "pass back a next_cursor unchanged")])
    value = int.from_bytes(base64.urlsafe_b64decode(cursor + "=")[1:], "big")  # any match decodes
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def encode_cursor(order_id: str) -> str:
    assert is_order_id(order_id), "the repository returns stored order ids"
    value = 0
    for character in order_id:
        value = (value << 5) | _CROCKFORD.index(character)
    return base64.urlsafe_b64encode(_VERSION + value.to_bytes(16, "big")).decode().rstrip("=")
