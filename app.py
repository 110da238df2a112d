"""Routes only: each handler turns its input into a typed command, calls one service
function, and maps domain errors to HTTP problem documents."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, DynamoDBEvent, Request, Response

from chalicelib import bootstrap
from chalicelib.entrypoints import http, stream
from chalicelib.entrypoints.problems import as_problem, problem
from chalicelib.exceptions import (
    IdempotencyKeyReused,
    InvalidInput,
    InvalidTransition,
    OrderNotFound,
    SettingsError,
    StaleOrder,
    Unauthenticated,
)
from chalicelib.observability import invocation, logger, order_context, request_id_of
from chalicelib.resources import load_resources
from chalicelib.service_layer import intake, processing
from chalicelib.settings import load_settings

app = Chalice(app_name="orders")
ORDERS_STREAM_ARN = os.environ.get("ORDERS_STREAM_ARN", "${aws_dynamodb_table.orders.stream_arn}")
STREAM_MAPPING = load_resources().stream_mapping
if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    load_settings()  # fail at start, naming the missing variable, not in the first request


def error_response(error: Exception) -> Response:
    if isinstance(error, InvalidInput):
        return problem(
            error.status,
            error.title,
            "; ".join(f"{e['field']}: {e['detail']}" for e in error.errors),
            "invalid-request",
            errors=error.errors,
        )
    if isinstance(error, Unauthenticated):
        return problem(
            401, "Who are you?", str(error), "unauthenticated", headers={"WWW-Authenticate": "X-Customer-Id"}
        )
    if isinstance(error, OrderNotFound):
        return problem(404, "Order not found", str(error), "order-not-found")
    if isinstance(error, InvalidTransition):
        return problem(409, "Order cannot change", str(error), "invalid-transition", current_status=error.current)
    if isinstance(error, StaleOrder):
        return problem(409, "Order is changing", str(error), "concurrent-change")
    if isinstance(error, IdempotencyKeyReused):
        return problem(422, "Idempotency-Key reused", str(error), "idempotency-key-reused")
    if isinstance(error, SettingsError):
        logger.error("misconfigured", extra={"error": str(error)})
        return problem(500, "Service misconfigured", "the service is misconfigured", "internal")
    logger.exception("unhandled error")
    return problem(503, "Temporarily unavailable", "try again shortly", "unavailable", headers={"Retry-After": "1"})


def answers_problems(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            with order_context(kwargs.get("order_id")):
                return view(*args, **kwargs)
        except Exception as error:
            return error_response(error)

    return guarded


def _request() -> Request:
    request = app.current_request
    assert request is not None, "routes run with a current request"
    return request


@app.middleware("all")
def observe(event: Any, get_response: Callable[[Any], Any]) -> Any:
    with invocation(request_id_of(event)):
        return get_response(event)


@app.middleware("http")
def one_error_format(request: Request, get_response: Callable[[Request], Response]) -> Response:
    return as_problem(get_response(request))


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/orders", methods=["POST"], content_types=["*/*"])
@answers_problems
def place_order() -> Response:
    request = _request()
    container = bootstrap.container()
    command = http.place_order_command(request, http.customer_id(request), container.settings.max_body_bytes)
    return http.created(intake.place_order(command, container.intake))


@app.route("/orders", methods=["GET"])
@answers_problems
def list_orders() -> dict[str, Any]:
    request = _request()
    query = http.list_orders_query(request, http.customer_id(request))
    return http.order_page(intake.list_orders(query, bootstrap.container().intake))


@app.route("/orders/{order_id}", methods=["GET"])
@answers_problems
def get_order(order_id: str) -> dict[str, Any]:
    query = http.get_order_query(http.customer_id(_request()), order_id)
    return http.order_body(intake.get_order(query, bootstrap.container().intake))


@app.route("/orders/{order_id}/cancel", methods=["POST"], content_types=["*/*"])
@answers_problems
def cancel_order(order_id: str) -> dict[str, Any]:
    command = http.cancel_order_command(http.customer_id(_request()), order_id)
    return http.order_body(intake.cancel_order(command, bootstrap.container().intake))


@app.on_dynamodb_record(
    stream_arn=ORDERS_STREAM_ARN,
    batch_size=STREAM_MAPPING.batch_size,
    starting_position=STREAM_MAPPING.starting_position,
)
def process_orders(event: DynamoDBEvent) -> dict[str, Any]:
    deps = bootstrap.container().processing
    return stream.process_batch(event.to_dict()["Records"], lambda command: processing.process_order(command, deps))
