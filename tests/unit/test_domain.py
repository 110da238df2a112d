"""The domain on its own: value bounds, money in minor units, the state machine,
time-sortable ids and the API's timestamp format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.domain import state_machine
from chalicelib.domain.clock import from_iso, to_iso
from chalicelib.domain.ids import is_order_id, new_order_id
from chalicelib.domain.models import FINAL_STATUSES, HistoryEntry, Order, OrderLine, OrderStatus, ShippingAddress
from chalicelib.domain.values import MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE
from chalicelib.exceptions import InvalidTransition

ADDRESS = {"name": "Ada", "line1": "1 Main St", "city": "London", "postal_code": "N1 9GU", "country": "GB"}
AT = "2026-11-25T17:00:00.000Z"


def an_order(status: OrderStatus = OrderStatus.PENDING) -> Order:
    line = OrderLine(sku="SKU-1", quantity=2, unit_price=1999)
    return Order(
        order_id=new_order_id(),
        customer_id="cust-42",
        status=status,
        currency="EUR",
        items=(line,),
        total=line.subtotal,
        shipping_address=ShippingAddress(**ADDRESS),
        payment_token="tok_visa",
        created_at=AT,
        updated_at=AT,
        history=(HistoryEntry(status=status, at=AT),),
    )


def test_a_line_subtotal_is_quantity_times_unit_price_in_minor_units() -> None:
    assert OrderLine(sku="SKU-1", quantity=3, unit_price=1999).subtotal == 5997


def test_the_largest_possible_total_fits_a_signed_64_bit_integer() -> None:
    assert MAX_LINES * MAX_QUANTITY * MAX_UNIT_PRICE < 2**63


@pytest.mark.parametrize("quantity", [1, MAX_QUANTITY])
def test_quantity_bounds_are_inclusive(quantity: int) -> None:
    assert OrderLine(sku="S", quantity=quantity, unit_price=0).quantity == quantity


@pytest.mark.parametrize(
    "changes",
    [
        {"quantity": 0},
        {"quantity": -1},
        {"quantity": MAX_QUANTITY + 1},
        {"quantity": "2"},
        {"quantity": 2.0},
        {"quantity": True},
        {"unit_price": -1},
        {"unit_price": MAX_UNIT_PRICE + 1},
        {"unit_price": 19.99},
        {"sku": ""},
        {"sku": "S" * 65},
        {"sku": "-leading-dash"},
        {"sku": "SKU\n"},
    ],
    ids=repr,
)
def test_an_order_line_refuses_bad_values(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        OrderLine.model_validate({"sku": "SKU-1", "quantity": 1, "unit_price": 1} | changes)


def test_an_address_line2_is_optional() -> None:
    assert ShippingAddress(**ADDRESS).line2 is None


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "N" * 201},
        {"name": "Ada\x00"},
        {"city": "Lon\ndon"},
        {"city": "London\x9f"},
        {"line2": ""},
        {"postal_code": "P" * 21},
        {"country": "UK"},
        {"country": "gb"},
        {"country": "GBR"},
        {"unknown": "x"},
    ],
    ids=repr,
)
def test_an_address_refuses_bad_values(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ShippingAddress.model_validate(ADDRESS | changes)


@pytest.mark.parametrize("currency", ["EUR1", "XYZ", "eur", "", "EU"])
def test_an_order_refuses_a_currency_outside_iso_4217(currency: str) -> None:
    assert Order.model_validate(an_order().model_dump()).currency == "EUR", "the unchanged dump is valid"
    with pytest.raises(ValidationError):
        Order.model_validate(an_order().model_dump() | {"currency": currency})


def test_an_order_is_immutable() -> None:
    order = an_order()
    with pytest.raises(ValidationError):
        order.status = OrderStatus.CANCELLED  # type: ignore[misc]


def test_final_statuses_are_exactly_the_outcomes() -> None:
    finals = {status for status in OrderStatus if status.is_final}
    assert finals == FINAL_STATUSES == {"CONFIRMED", "REJECTED", "FAILED", "CANCELLED"}


ALLOWED = [
    (OrderStatus.PENDING, OrderStatus.PAID),
    (OrderStatus.PENDING, OrderStatus.REJECTED),
    (OrderStatus.PENDING, OrderStatus.FAILED),
    (OrderStatus.PENDING, OrderStatus.CANCELLED),
    (OrderStatus.PAID, OrderStatus.CONFIRMED),
    (OrderStatus.PAID, OrderStatus.REJECTED),
    (OrderStatus.PAID, OrderStatus.FAILED),
]
REFUSED = [(current, target) for current in OrderStatus for target in OrderStatus if (current, target) not in ALLOWED]


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=str)
def test_an_allowed_transition_moves_the_order_and_records_it(current: OrderStatus, target: OrderStatus) -> None:
    order = an_order(current)
    later = "2026-11-25T17:00:01.000Z"
    moved = state_machine.transition(order, target, later, reason="because")
    assert moved.status is target
    assert moved.updated_at == later
    assert moved.version == order.version + 1
    assert moved.history == (*order.history, HistoryEntry(status=target, at=later, reason="because"))
    assert moved.created_at == order.created_at
    assert order.status is current, "the original is unchanged"


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=str)
def test_a_refused_transition_raises_naming_both_statuses(current: OrderStatus, target: OrderStatus) -> None:
    with pytest.raises(InvalidTransition) as raised:
        state_machine.transition(an_order(current), target, AT)
    assert (raised.value.current, raised.value.target) == (current, target)
    assert str(current) in str(raised.value)


def test_final_statuses_allow_no_move_at_all() -> None:
    assert all(not state_machine.ALLOWED_TRANSITIONS[status] for status in FINAL_STATUSES)


def test_amend_changes_bookkeeping_but_not_the_status() -> None:
    order = an_order()
    amended = state_machine.amend(order, "2026-11-25T17:00:02.000Z", attempts=1)
    assert (amended.status, amended.attempts, amended.version) == (order.status, 1, order.version + 1)
    assert amended.history == order.history


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
