"""Structured logs and EMF metrics through Powertools for AWS Lambda.

Powertools gives JSON logs with Lambda context and CloudWatch EMF metrics without
a metrics API call per invocation; writing either by hand would be more code to keep.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aws_lambda_powertools import Logger, Metrics

SERVICE = "orders"
logger = Logger(service=SERVICE)
metrics = Metrics(namespace="Orders", service=SERVICE)


@contextmanager
def invocation(request_id: str | None) -> Iterator[None]:
    """Tag every log line of one invocation with its request id; flush metrics at the end."""
    logger.append_keys(request_id=request_id)
    try:
        yield
    finally:
        logger.remove_keys(["request_id", "order_id"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an invocation without metrics is normal
            metrics.flush_metrics()


@contextmanager
def order_context(order_id: str | None) -> Iterator[None]:
    logger.append_keys(order_id=order_id)
    try:
        yield
    finally:
        logger.remove_keys(["order_id"])


def request_id_of(event: Any) -> str | None:
    """API Gateway's request id for HTTP; Lambda's for stream events (Chalice keeps
    the Lambda context on the event, but on the app only while serving HTTP)."""
    context = getattr(event, "context", None)
    if isinstance(context, dict):
        return str(context.get("requestId")) if context.get("requestId") else None
    request_id = getattr(context, "aws_request_id", None)
    return str(request_id) if request_id else None
