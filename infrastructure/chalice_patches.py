"""Patches for the Terraform that `chalice package` writes, applied before it is rendered.

A patch has the shape of a Terraform override file and merges the same way (objects
merge, everything else replaces); None deletes an argument. Override files would do
the merging in Terraform, but they cannot delete a block, and checkov reads each
override as a separate, partial resource.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from chalicelib.resources import Resources
from infrastructure.mapping_patches import (
    EVENTS_MAPPING,
    RETRY_MAPPING,
    STREAM_MAPPING,
    queue_mapping,
    stream_mapping,
)

PACKAGE_STAGE = "package"
FUNCTIONS = ("api_handler", "process_orders", "publish_order_events", "retry_orders")
_REST_RESOURCES = ("aws_api_gateway_rest_api.rest_api", "aws_api_gateway_deployment.rest_api")
_REST_COUNT = '${var.api_type == "rest" ? 1 : 0}'
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch"})
REST_AUTHORIZER = "cognito"  # the authorizer API Gateway creates from the swagger body
REST_AUTHORIZER_DEFINITION = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "x-amazon-apigateway-authtype": "cognito_user_pools",
    "x-amazon-apigateway-authorizer": {
        "type": "cognito_user_pools",
        "providerARNs": ["${local.rest_api_user_pool_arn}"],  # auth.tf; the REST API refuses other issuers
    },
}

LAMBDA_SKIPS = [
    "checkov:skip=CKV_AWS_50:X-Ray is off: $5 per million traces; logs carry the request and order ids.",
    "checkov:skip=CKV_AWS_115:No reserved concurrency: new accounts lack the quota; API throttling bounds load.",
    "checkov:skip=CKV_AWS_116:Never invoked asynchronously: failures go to the mappings' SQS destinations or DLQ.",
    "checkov:skip=CKV_AWS_117:No VPC: the functions call only AWS APIs; a NAT gateway costs ~$32 a month idle.",
    "checkov:skip=CKV_AWS_173:The variables hold no secrets; Lambda encrypts them with its AWS-managed key.",
    "checkov:skip=CKV_AWS_272:Code signing needs a signing profile and a signed S3 upload; the zip is built in CI.",
]


def merge(base: Any, patch: Any) -> Any:
    """Terraform's override merge, plus None to delete an argument."""
    if not (isinstance(base, dict) and isinstance(patch, dict)):
        return copy.deepcopy(patch)
    merged = dict(base)
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = merge(base.get(name), value)
    return merged


def _replace_strings(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, list):
        return [_replace_strings(item, old, new) for item in value]
    if isinstance(value, dict):
        return {name: _replace_strings(item, old, new) for name, item in value.items()}
    return value


def function_names(chalice: dict[str, Any], app_name: str) -> dict[str, str]:
    """Chalice's function names, with the packaging stage turned into var.stage."""
    functions = chalice["resource"]["aws_lambda_function"]
    return {
        name: functions[name]["function_name"].replace(f"{app_name}-{PACKAGE_STAGE}", f"{app_name}-${{var.stage}}")
        for name in FUNCTIONS
    }


def patches(resources: Resources, app_name: str) -> dict[str, Any]:
    functions = {
        name: {
            "//": LAMBDA_SKIPS,
            "function_name": f"${{local.function_names.{name}}}",
            "logging_config": {"log_format": "Text", "log_group": f"${{aws_cloudwatch_log_group.{name}.name}}"},
        }
        for name in FUNCTIONS
    }
    return {
        "terraform": None,  # versions.tf requires Terraform >= 1.5 and the AWS provider 5.x
        "data": {"null_data_source": None},  # deprecated, and its provider cannot be installed offline
        "resource": {
            "aws_lambda_function": functions,
            "aws_lambda_event_source_mapping": {
                STREAM_MAPPING: stream_mapping(resources.stream_mapping, "stream_mapping", "stream_failures"),
                EVENTS_MAPPING: stream_mapping(resources.events_mapping, "events_mapping", "event_failures"),
                RETRY_MAPPING: queue_mapping(resources.retry_queue),
            },
            "aws_api_gateway_rest_api": {
                "rest_api": {
                    "count": _REST_COUNT,
                    "name": f"{app_name}-${{var.stage}}",
                    "lifecycle": {"create_before_destroy": True},
                }
            },
            "aws_api_gateway_deployment": {
                "rest_api": {
                    "count": _REST_COUNT,
                    "stage_name": None,  # deprecated: rest_api.tf defines the stage
                    "stage_description": None,  # deprecated: triggers redeploys instead
                    "triggers": {"swagger": "${md5(local.chalice_api_swagger)}"},
                }
            },
            "aws_lambda_permission": {"rest_api_invoke": {"count": _REST_COUNT}},
        },
        "output": {
            "EndpointURL": {
                "value": "${local.http_api ? one(aws_apigatewayv2_stage.default[*].invoke_url)"
                " : one(aws_api_gateway_stage.rest_api[*].invoke_url)}"
            },
            "RestAPIId": {"value": "${one(aws_api_gateway_rest_api.rest_api[*].id)}"},
        },
    }


def with_authorizer(swagger_text: str, public_routes: list[str]) -> str:
    """Chalice's REST API swagger with a Cognito user pool authorizer on every operation
    but the public ones: the form Chalice itself writes for a CognitoUserPoolAuthorizer.
    It puts the verified claims at requestContext.authorizer.claims, as the HTTP API does."""
    swagger = json.loads(swagger_text)
    operations = {
        f"{method.upper()} {path}": operation
        for path, methods in swagger["paths"].items()
        for method, operation in methods.items()
        if method in _HTTP_METHODS
    }
    unknown = sorted(set(public_routes) - set(operations))
    if unknown:
        raise ValueError(f"public routes missing from Chalice's REST API: {unknown}")
    for route, operation in operations.items():
        if route not in public_routes:
            operation["security"] = [{REST_AUTHORIZER: []}]
    swagger["securityDefinitions"] = {REST_AUTHORIZER: REST_AUTHORIZER_DEFINITION}
    return json.dumps(swagger)


def patch(chalice: dict[str, Any], resources: Resources, app_name: str) -> dict[str, Any]:
    patched: dict[str, Any] = merge(chalice, patches(resources, app_name))
    swagger = patched["locals"]["chalice_api_swagger"]
    patched["locals"]["chalice_api_swagger"] = with_authorizer(swagger, resources.api.public_routes)
    if not patched["data"]:
        del patched["data"]
    for reference in _REST_RESOURCES:  # counted now: address the single instance
        patched = _replace_strings(patched, f"{reference}.", f"{reference}[0].")
    patched = _replace_strings(patched, f"{app_name}-{PACKAGE_STAGE}", f"{app_name}-${{var.stage}}")
    patched = _replace_strings(patched, f"stage={PACKAGE_STAGE}:", "stage=${var.stage}:")
    return patched
