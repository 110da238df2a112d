"""Time-sortable order ids and the API's timestamp format: UTC, milliseconds, and a Z."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.domain.clock import from_iso, to_iso
from chalicelib.domain.ids import is_order_id, new_order_id


def test_order_ids_sort_by_creation_time() -> None:
    base = 1_764_090_000_000
    ids = [new_order_id(now_ms=base + step) for step in (0, 1, 2, 1000, 86_400_000)]
    assert sorted(ids) == ids
    assert all(is_order_id(order_id) for order_id in ids)


def test_order_ids_made_in_one_millisecond_share_the_time_prefix_and_differ() -> None:
    ids = {new_order_id(now_ms=1_764_090_000_000) for _ in range(100)}
    assert len(ids) == 100
    assert len({order_id[:10] for order_id in ids}) == 1


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        "abc",
        "01ARZ3NDEKTSV4RRFFQ69G5FA",
        "01ARZ3NDEKTSV4RRFFQ69G5FAVX",
        "01arz3ndektsv4rrffq69g5fav",
        "01ARZ3NDEKTSV4RRFFQ69G5FAU",
        "81ARZ3NDEKTSV4RRFFQ69G5FAV",
        "../etc/passwd",
    ],
)
def test_malformed_order_ids_are_recognised(candidate: str) -> None:
    assert not is_order_id(candidate)


def test_an_order_id_with_a_trailing_newline_is_malformed() -> None:
    assert not is_order_id(new_order_id() + "\n")


def test_timestamps_are_utc_with_milliseconds_and_a_z() -> None:
    moment = datetime(2026, 11, 25, 17, 0, 5, 123_999, tzinfo=UTC)
    assert to_iso(moment) == "2026-11-25T17:00:05.123Z"


def test_timestamps_in_other_zones_are_converted_to_utc() -> None:
    moment = datetime(2026, 11, 25, 19, 0, 0, 7_000, tzinfo=timezone(timedelta(hours=2)))
    assert to_iso(moment) == "2026-11-25T17:00:00.007Z"


def test_a_timestamp_reads_back_to_the_same_millisecond() -> None:
    text = "2026-11-25T17:00:05.123Z"
    assert from_iso(text) == datetime(2026, 11, 25, 17, 0, 5, 123_000, tzinfo=UTC)
    assert to_iso(from_iso(text)) == text
