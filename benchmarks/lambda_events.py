"""Lambda-shaped inputs for in-process runs: API Gateway proxy events (payload 1.0, as
HTTP API and REST API both deliver them), stream records, and a Lambda context."""

from __future__ import annotations

import json
import time
from typing import Any

from chalice.local import LambdaContext

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-bench/stream/2026-01-01T00:00:00.000"
JSON_HEADERS = {"content-type": "application/json"}
BENCH_CUSTOMER = "cust-bench"


def lambda_context(function_name: str = "orders-dev", memory_mb: int = 512) -> LambdaContext:
    return LambdaContext(function_name=function_name, memory_size=memory_mb, max_runtime_ms=10_000)


def api_event(
    method: str, path: str, resource: str, body: Any = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway payload 1.0 proxy event; Chalice routes on requestContext.resourcePath.
    The caller is as the HTTP API's JWT authorizer hands it on: verified claims in
    requestContext.authorizer.claims (the authorizer's own cost is not the function's)."""
    headers = {**JSON_HEADERS, **(headers or {})}
    return {
        "version": "1.0",
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "httpMethod": method,
            "path": path,
            "resourcePath": resource,
            "requestId": "bench-request",
            "stage": "$default",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "bench"},
            "authorizer": {"claims": {"sub": BENCH_CUSTOMER}, "scopes": None},
            "requestTimeEpoch": int(time.time() * 1000),
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def insert_record(item: dict[str, Any], sequence: int) -> dict[str, Any]:
    """A stream INSERT record as Lambda delivers it for a NEW_AND_OLD_IMAGES stream."""
    return {
        "eventID": f"bench-{sequence}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": time.time(),
            "Keys": {"pk": item["pk"], "sk": item["sk"]},
            "NewImage": item,
            "SequenceNumber": f"{sequence:021d}",
            "SizeBytes": len(json.dumps(item)),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": STREAM_ARN,
    }
