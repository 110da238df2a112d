"""Turns HTTP requests into commands and results into responses. Nothing here
decides business rules; it only parses, validates shape, and renders."""

from __future__ import annotations

import hashlib
import re

from chalice.app import Request, Response
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from chalicelib.domain.commands import CancelOrder, GetOrder, ListOrders, PlaceOrder
from chalicelib.domain.ids import is_order_id
from chalicelib.domain.models import Order
from chalicelib.domain.values import (
    CUSTOMER_ID_PATTERN,
    CUSTOMER_ID_RULE,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MIN_PAGE_SIZE,
)
from chalicelib.entrypoints.api_models import CreateOrderRequest, OrderListResponse, OrderResponse
from chalicelib.entrypoints.cursor import decode_cursor, encode_cursor
from chalicelib.entrypoints.problems import field_error
from chalicelib.exceptions import InputTooLarge, InvalidInput, MalformedInput, Unauthenticated, UnsupportedMediaType
from chalicelib.service_layer.intake import PlacedOrder
from chalicelib.service_layer.ports import OrderPage

IDEMPOTENCY_HEADER = "idempotency-key"
_CUSTOMER_ID = re.compile(CUSTOMER_ID_PATTERN)
_LIMIT_DIGITS = re.compile(f"[0-9]{{1,{len(str(MAX_PAGE_SIZE))}}}")
_LIMIT_RULE = f"must be an integer from {MIN_PAGE_SIZE} to {MAX_PAGE_SIZE}"
_IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_JSON_TYPE = re.compile(r"application/(?:[\w.+-]+\+)?json\s*(?:;.*)?", re.IGNORECASE | re.DOTALL)


def customer_id(request: Request) -> str:
    """Who the caller is: the `sub` of the token that API Gateway's JWT authorizer
    verified, from where it puts the claims for payload format 1.0
    (requestContext.authorizer.claims). Never a header or the body. No claims means the
    route was not protected (a misconfiguration, a direct invocation): refuse."""
    context = request.context if isinstance(request.context, dict) else {}
    authorizer = context.get("authorizer")
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    subject = claims.get("sub") if isinstance(claims, dict) else None
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("send a bearer token: Authorization: Bearer <token>")
    if not _CUSTOMER_ID.fullmatch(subject):
        raise Unauthenticated(f"the token's subject is not a usable customer id: it {CUSTOMER_ID_RULE}")
    return subject


def place_order_command(request: Request, customer: str, max_body_bytes: int) -> PlaceOrder:
    raw = _json_body(request, max_body_bytes)
    try:
        body = CreateOrderRequest.model_validate_json(raw)
    except ValidationError as error:
        raise _invalid(error) from None
    return PlaceOrder(
        customer_id=customer,
        currency=body.currency,
        items=body.items,
        shipping_address=body.shipping_address,
        payment_token=body.payment_token,
        idempotency_key=_idempotency_key(request),
        request_fingerprint=hashlib.sha256(body.model_dump_json().encode()).hexdigest(),
    )


def _json_body(request: Request, max_body_bytes: int) -> bytes:
    content_type = request.headers.get("content-type", "")
    if not _JSON_TYPE.fullmatch(content_type):
        detail = f"send the order as application/json, not {content_type or 'no content type'}"
        raise UnsupportedMediaType("Unsupported media type", [field_error("Content-Type", detail)])
    body = request.raw_body or b""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > max_body_bytes:
        detail = f"the body is {len(raw)} bytes; the limit is {max_body_bytes}"
        raise InputTooLarge("Request body too large", [field_error("body", detail)])
    return raw


def _invalid(error: ValidationError) -> InvalidInput:
    details = _real_problems(error.errors(include_url=False))
    problems = [field_error("", detail["msg"], detail["loc"]) for detail in details]
    kinds = {detail["type"] for detail in error.errors()}
    if "json_invalid" in kinds:
        return MalformedInput("Malformed JSON", problems)
    if any(not detail["loc"] for detail in error.errors()):
        return MalformedInput("The body must be a JSON object", problems)
    return InvalidInput("The order is invalid", problems)


def _real_problems(details: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop a list's "too short" when its items failed: pydantic counts only the items
    that validated, so one bad item in a list of one also reports an empty list."""

    def inside(outer: tuple[int | str, ...]) -> bool:
        return any(len(d["loc"]) > len(outer) and d["loc"][: len(outer)] == outer for d in details)

    return [detail for detail in details if not (detail["type"] == "too_short" and inside(detail["loc"]))]


def _idempotency_key(request: Request) -> str | None:
    key: str | None = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        detail = "must be 1-255 printable ASCII characters"
        raise MalformedInput("Invalid Idempotency-Key header", [field_error("Idempotency-Key", detail)])
    return key


def order_id_param(order_id: str) -> str:
    if not is_order_id(order_id):
        raise MalformedInput("Malformed order id", [field_error("order_id", "must be a 26-character ULID")])
    return order_id


def get_order_query(customer: str, order_id: str) -> GetOrder:
    return GetOrder(customer_id=customer, order_id=order_id_param(order_id))


def cancel_order_command(customer: str, order_id: str) -> CancelOrder:
    return CancelOrder(customer_id=customer, order_id=order_id_param(order_id))


def list_orders_query(request: Request, customer: str) -> ListOrders:
    params: dict[str, str] = dict(request.query_params or {})
    unknown = sorted(set(params) - {"limit", "cursor"})
    if unknown:
        raise MalformedInput(
            "Unknown query parameter", [field_error(name, "is not a known parameter") for name in unknown]
        )
    limit = params.get("limit", str(DEFAULT_PAGE_SIZE))
    # ASCII digits only: int() would also take "²" and " 7".
    if not _LIMIT_DIGITS.fullmatch(limit) or not MIN_PAGE_SIZE <= int(limit) <= MAX_PAGE_SIZE:
        raise MalformedInput("Invalid limit", [field_error("limit", _LIMIT_RULE)])
    after = decode_cursor(params["cursor"]) if "cursor" in params else None  # an empty cursor is malformed too
    return ListOrders(customer_id=customer, limit=int(limit), after_order_id=after)


def order_body(order: Order) -> dict[str, object]:
    return OrderResponse.of(order).model_dump(mode="json", exclude_none=True)


def created(placed: PlacedOrder) -> Response:
    headers: dict[str, str | list[str]] = {"Location": f"/orders/{placed.order.order_id}"}
    if placed.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(body=order_body(placed.order), status_code=201, headers=headers)


def order_page(page: OrderPage) -> dict[str, object]:
    cursor = encode_cursor(page.last_order_id) if page.last_order_id else None
    listing = OrderListResponse(orders=[OrderResponse.of(order) for order in page.orders], next_cursor=cursor)
    return listing.model_dump(mode="json", exclude_none=True) | {"next_cursor": cursor}
