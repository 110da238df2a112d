"""Routes only: each handler turns its input into a typed command and calls one service
function. Errors become problem documents in chalicelib/entrypoints/errors.py."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from chalice.app import Chalice, DynamoDBEvent, Request, Response, SQSEvent

from chalicelib import bootstrap
from chalicelib.entrypoints import http, retry_messages, stream
from chalicelib.entrypoints.errors import error_response
from chalicelib.entrypoints.problems import as_problem, problem_type
from chalicelib.exceptions import ProblemTypeNotFound
from chalicelib.observability import invocation, order_context, request_id_of
from chalicelib.resources import load_resources
from chalicelib.service_layer import announcing, intake, processing
from chalicelib.settings import load_settings

app = Chalice(app_name="orders")
ORDERS_STREAM_ARN = os.environ.get("ORDERS_STREAM_ARN", "${aws_dynamodb_table.orders.stream_arn}")
STREAM_MAPPING = load_resources().stream_mapping
EVENTS_MAPPING = load_resources().events_mapping
RETRY_QUEUE_ARN = os.environ.get("RETRY_QUEUE_ARN", "${aws_sqs_queue.retries.arn}")
RETRY_QUEUE = load_resources().retry_queue
# Chalice would answer 415 itself for a Content-Type a route does not list, even on a
# body-less GET. POST /orders checks its media type in the entrypoints layer instead.
ANY_BODY = ["*/*"]
if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
    load_settings()  # fail at start, naming the missing variable, not in the first request


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


@app.route("/health", methods=["GET"], content_types=ANY_BODY)
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/openapi.json", methods=["GET"], content_types=ANY_BODY)
@answers_problems
def openapi_document() -> dict[str, Any]:
    # Imported here, not at the top: only this route pays for building the document.
    from chalicelib.entrypoints import openapi

    return openapi.document(app.routes)


@app.route("/problems/{kind}", methods=["GET"], content_types=ANY_BODY)
@answers_problems
def describe_problem_type(kind: str) -> dict[str, str]:
    described = problem_type(kind)
    if described is None:
        raise ProblemTypeNotFound(kind)
    return described


@app.route("/orders", methods=["POST"], content_types=ANY_BODY)
@answers_problems
def place_order() -> Response:
    request = _request()
    container = bootstrap.container()
    command = http.place_order_command(request, http.customer_id(request), container.settings.max_body_bytes)
    return http.created(intake.place_order(command, container.intake))


@app.route("/orders", methods=["GET"], content_types=ANY_BODY)
@answers_problems
def list_orders() -> dict[str, Any]:
    request = _request()
    query = http.list_orders_query(request, http.customer_id(request))
    return http.order_page(intake.list_orders(query, bootstrap.container().intake))


@app.route("/orders/{order_id}", methods=["GET"], content_types=ANY_BODY)
@answers_problems
def get_order(order_id: str) -> dict[str, Any]:
    query = http.get_order_query(http.customer_id(_request()), order_id)
    return http.order_body(intake.get_order(query, bootstrap.container().intake))


@app.route("/orders/{order_id}/cancel", methods=["POST"], content_types=ANY_BODY)
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


@app.on_dynamodb_record(
    stream_arn=ORDERS_STREAM_ARN,
    batch_size=EVENTS_MAPPING.batch_size,
    starting_position=EVENTS_MAPPING.starting_position,
    name="publish_order_events",
)
def publish_order_events(event: DynamoDBEvent) -> dict[str, Any]:
    deps = bootstrap.container().announcing
    return stream.announce_batch(event.to_dict()["Records"], lambda command: announcing.announce_changes(command, deps))


@app.on_sqs_message(
    queue_arn=RETRY_QUEUE_ARN,
    batch_size=RETRY_QUEUE.batch_size,
    maximum_batching_window_in_seconds=RETRY_QUEUE.maximum_batching_window_seconds,
    maximum_concurrency=RETRY_QUEUE.maximum_concurrency,
    name="retry_orders",
)
def retry_orders(event: SQSEvent) -> dict[str, Any]:
    deps = bootstrap.container().processing
    return retry_messages.retry_batch(event.to_dict()["Records"], lambda command: processing.retry_order(command, deps))
