"""Constrained value types shared by the API models and the domain.

Money is always an integer count of minor units (cents). The bounds keep every total
far inside a signed 64-bit integer: 100 lines x 1000 units x 10^10 = 10^15.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, WithJsonSchema

from chalicelib.domain.codes import COUNTRY_CODES, CURRENCY_CODES

MAX_QUANTITY = 1000
MAX_LINES = 100
MAX_UNIT_PRICE = 10_000_000_000
MIN_PAGE_SIZE, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 1, 20, 100
# The customer id is the token's `sub`: Cognito and Keycloak send UUIDs, Auth0 "auth0|…",
# Okta and Entra ID opaque ids. "#" stays out: it separates the parts of table keys.
CUSTOMER_ID_PATTERN = r"^[A-Za-z0-9_.|:@+-]{1,128}$"
CUSTOMER_ID_RULE = "must be 1-128 characters of A-Z, a-z, 0-9 or _ . | : @ + -"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same rule as _no_control_characters, for the published JSON Schema: no control
# character, and at least one character that is neither a control character nor what
# str.strip() removes (Python's whitespace, spelled out: ECMA-262's \s differs from it).
# tests/unit/test_value_schemas.py holds the two to the same answer for every code point.
_BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = rf"^[^\x00-\x1f\x7f-\x9f]*[^{_BLANK}][^\x00-\x1f\x7f-\x9f]*$"


def _no_control_characters(value: str) -> str:
    if _CONTROL_CHARACTERS.search(value):
        raise ValueError("must not contain control characters")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _iso_currency(value: str) -> str:
    if value not in CURRENCY_CODES:
        raise ValueError("must be an ISO 4217 currency code, such as EUR")
    return value


def _iso_country(value: str) -> str:
    if value not in COUNTRY_CODES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, such as GB")
    return value


# Each free-text type carries its rule's pattern into the JSON Schema (the validator,
# with its clearer messages, stays the one that refuses).
_TEXT = Field(json_schema_extra={"pattern": TEXT_PATTERN})
Name = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(_no_control_characters), _TEXT]
AddressLine = Annotated[
    str, StringConstraints(min_length=1, max_length=200), AfterValidator(_no_control_characters), _TEXT
]
City = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_no_control_characters), _TEXT]
PostalCode = Annotated[
    str, StringConstraints(min_length=1, max_length=20), AfterValidator(_no_control_characters), _TEXT
]
Sku = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
PaymentToken = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,255}$")]
CustomerId = Annotated[str, StringConstraints(pattern=CUSTOMER_ID_PATTERN)]
# The code lists become enums in the JSON Schema, so a schema-valid code is a known one.
Currency = Annotated[
    str,
    StringConstraints(min_length=3, max_length=3),
    AfterValidator(_iso_currency),
    WithJsonSchema({"type": "string", "enum": sorted(CURRENCY_CODES), "description": "ISO 4217 currency code"}),
]
Country = Annotated[
    str,
    StringConstraints(min_length=2, max_length=2),
    AfterValidator(_iso_country),
    WithJsonSchema({"type": "string", "enum": sorted(COUNTRY_CODES), "description": "ISO 3166-1 alpha-2 code"}),
]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]
MinorUnits = Annotated[int, Field(ge=0, le=MAX_UNIT_PRICE)]
PageSize = Annotated[int, Field(ge=MIN_PAGE_SIZE, le=MAX_PAGE_SIZE)]
