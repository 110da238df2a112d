"""The JSON Schemas published for the values say exactly what the validators accept, so a
schema-valid request is never refused (Schemathesis' positive_data_acceptance) and a
schema-invalid one never passes: text, codes, the cursor and the Idempotency-Key."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from chalicelib.domain.codes import COUNTRY_CODES, CURRENCY_CODES
from chalicelib.domain.values import TEXT_PATTERN, Country, Currency, Name
from chalicelib.entrypoints import http
from chalicelib.entrypoints.cursor import CURSOR_PATTERN, decode_cursor, encode_cursor
from chalicelib.entrypoints.openapi_operations import IDEMPOTENCY_KEY_PATTERN
from chalicelib.exceptions import MalformedInput
from tests.unit.http_requests import invalid, request

NAME = TypeAdapter(Name)
TEXT = re.compile(TEXT_PATTERN)


def accepted(value: str) -> bool:
    try:
        NAME.validate_python(value)
    except ValidationError:
        return False
    return True


def test_the_text_pattern_and_the_text_rule_agree_on_every_code_point() -> None:
    disagree = []
    # Every control and space character is in the first plane; beyond it, a sample.
    for point in [*range(0x10000), *range(0x10000, sys.maxunicode + 1, 97)]:
        if 0xD800 <= point <= 0xDFFF:
            continue  # surrogates cannot be sent as UTF-8 JSON
        character = chr(point)
        for text in (character, f"a{character}", f"{character}{character}"):
            if bool(TEXT.fullmatch(text)) != accepted(text):
                disagree.append(hex(point))
    assert disagree == []


@given(st.text(max_size=12))
def test_the_text_pattern_and_the_rule_agree_on_any_text(text: str) -> None:
    assert bool(TEXT.fullmatch(text)) == accepted(text)


def test_currencies_and_countries_are_enums_of_the_code_lists() -> None:
    assert TypeAdapter(Currency).json_schema()["enum"] == sorted(CURRENCY_CODES)
    assert TypeAdapter(Country).json_schema()["enum"] == sorted(COUNTRY_CODES)


@given(st.from_regex(CURSOR_PATTERN, fullmatch=True))
def test_every_cursor_the_pattern_admits_is_accepted_and_round_trips(cursor: str) -> None:
    assert encode_cursor(decode_cursor(cursor)) == cursor


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=30))
def test_a_cursor_outside_the_pattern_is_refused(cursor: str) -> None:
    if re.fullmatch(CURSOR_PATTERN, cursor):
        return
    with pytest.raises(MalformedInput):
        decode_cursor(cursor)


@given(st.from_regex(IDEMPOTENCY_KEY_PATTERN, fullmatch=True))
def test_every_idempotency_key_the_pattern_admits_is_accepted(key: str) -> None:
    place = request({"Content-Type": "application/json", "Idempotency-Key": key}, '{"currency": "EUR"}')
    # The body is refused (422), after the key was read and kept: never a 400 for the key.
    error = invalid(http.place_order_command, place, "cust-42", 64 * 1024)
    assert "Idempotency-Key" not in [entry["field"] for entry in error.errors]


def test_the_key_pattern_is_the_rule_without_the_outer_spaces_http_strips() -> None:
    assert re.fullmatch(IDEMPOTENCY_KEY_PATTERN, "a b")
    assert not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, " ab") and not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, "ab ")
    assert re.fullmatch(IDEMPOTENCY_KEY_PATTERN, "k" * 255) and not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, "k" * 256)
