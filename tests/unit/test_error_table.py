"""The HTTP error mapping is one table: each entry answers with its status, title and a
problem type the API serves, and nothing unexpected leaks to the client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.app import Response

from chalicelib import exceptions as errors
from chalicelib.entrypoints.errors import ERROR_TABLE, error_response
from chalicelib.entrypoints.problems import PROBLEM_JSON, PROBLEM_TYPES, TYPE_BASE, as_problem
from chalicelib.observability import invocation, logger

FIELD = [{"field": "x", "pointer": "#/x", "detail": "bad"}]
SAMPLES: dict[type[Exception], Exception] = {
    errors.MalformedInput: errors.MalformedInput("Malformed JSON", FIELD),
    errors.InputTooLarge: errors.InputTooLarge("Request body too large", FIELD),
    errors.UnsupportedMediaType: errors.UnsupportedMediaType("Unsupported media type", FIELD),
    errors.InvalidInput: errors.InvalidInput("The order is invalid", FIELD),
    errors.Unauthenticated: errors.Unauthenticated("send your customer id"),
    errors.OrderNotFound: errors.OrderNotFound("01J0000000000000000000000A"),
    errors.ProblemTypeNotFound: errors.ProblemTypeNotFound("nope"),
    errors.InvalidTransition: errors.InvalidTransition("PAID", "CANCELLED"),
    errors.StaleOrder: errors.StaleOrder("changed"),
    errors.IdempotencyKeyReused: errors.IdempotencyKeyReused("other body"),
    errors.DependencyUnavailable: errors.DependencyUnavailable("get_item: ThrottlingException"),
    errors.SettingsError: errors.SettingsError("environment variable ORDERS_TABLE is missing"),
}
# Raised on the stream side or inside adapters and services only; never reach a route.
NEVER_ON_HTTP = {
    errors.OrderAlreadyExists,
    errors.IdempotencyKeyTaken,
    errors.GatewayUnavailable,
    errors.PaymentDeclined,
    errors.ShippingRefused,
    errors.RetryableProcessingError,
    errors.UnprocessableRecord,
}


def _document(response: Response) -> dict[str, Any]:
    return dict(json.loads(str(response.body)))


def _all_subclasses(cls: type[Exception]) -> set[type[Exception]]:
    found = set(cls.__subclasses__())
    return found.union(*(_all_subclasses(sub) for sub in found))


def test_every_error_the_service_raises_is_mapped_or_known_never_to_reach_http() -> None:
    assert _all_subclasses(errors.OrdersError) == set(ERROR_TABLE) | NEVER_ON_HTTP
    assert set(SAMPLES) == set(ERROR_TABLE)


@pytest.mark.parametrize("error_type", list(ERROR_TABLE), ids=lambda cls: cls.__name__)
def test_each_entry_answers_its_status_title_and_a_served_problem_type(error_type: type[Exception]) -> None:
    mapping = ERROR_TABLE[error_type]
    response = error_response(SAMPLES[error_type])
    document = _document(response)

    assert response.status_code == document["status"] == mapping.status
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert document["type"] == TYPE_BASE + mapping.kind and mapping.kind in PROBLEM_TYPES
    if not isinstance(SAMPLES[error_type], errors.InvalidInput):
        assert document["title"] == mapping.title  # invalid input keeps its own precise title


def test_statuses_belong_to_the_http_layer_not_to_the_exceptions() -> None:
    assert not hasattr(errors.MalformedInput("t", []), "status")
    assert [ERROR_TABLE[cls].status for cls in (errors.MalformedInput, errors.InputTooLarge)] == [400, 413]
    assert [ERROR_TABLE[cls].status for cls in (errors.UnsupportedMediaType, errors.InvalidInput)] == [415, 422]


def test_a_dependency_outage_is_a_503_with_retry_after() -> None:
    response = error_response(errors.DependencyUnavailable("query: ReadTimeoutError"))
    assert (response.status_code, response.headers["Retry-After"]) == (503, "1")
    assert _document(response)["type"] == "/problems/unavailable"


def test_an_unexpected_error_is_a_500_that_leaks_nothing_and_is_logged_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    try:
        raise KeyError("secret-internal-detail")
    except KeyError as error:
        with invocation("req-5150"):
            response = error_response(error)
            # Formatted as the function's JSON log line is, with the keys of the invocation.
            logged = "\n".join(logger.registered_formatter.format(record) for record in caplog.records)

    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert "secret-internal-detail" not in str(response.body) and "Traceback" not in str(response.body)
    assert _document(response)["type"] == "/problems/internal"
    assert "req-5150" in logged and "secret-internal-detail" in logged and "unexpected error" in logged


def test_a_chalice_500_is_restated_as_an_internal_problem_not_a_retryable_503() -> None:
    response = as_problem(Response(body={"Code": "InternalServerError", "Message": "boom"}, status_code=500))
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert _document(response)["type"] == "/problems/internal"
