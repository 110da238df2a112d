"""Checks for test_apply_to_moto: read the applied resources back from moto and compare
them with resources.json, the app's routes and the local stack; plan the REST variant."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import jwt

from chalicelib.domain.values import CUSTOMER_ID_PATTERN
from chalicelib.resources import StreamMappingSpec, load_resources
from infrastructure.package import route_keys
from tests.deploy.terraform_cli import Terraform

# Per stream consumer: iterator age and on-failure queue depth; the API's 5XX rate; errors and
# throttles of each of the four functions; failed deliveries of the example events rule; the
# retry queue's oldest message age and its dead-letter queue's depth.
EXPECTED_ALARMS = 16
FUNCTIONS = ("orders-dev", "orders-dev-process_orders", "orders-dev-publish_order_events", "orders-dev-retry_orders")
BUS, ARCHIVE = "orders-dev-events", "orders-dev-events"
EXAMPLE_RULE, EXAMPLE_QUEUE = "orders-dev-all-order-events", "orders-dev-order-events"


def client(service: str, endpoint: str) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def check_table(endpoint: str) -> None:
    dynamodb = client("dynamodb", endpoint)
    table = dynamodb.describe_table(TableName="orders-dev")["Table"]
    spec = load_resources().table
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": spec.stream_view_type}
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == [spec.customer_index.name]
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["DeletionProtectionEnabled"] is False  # dev; prod is checked in the plan below
    ttl = dynamodb.describe_time_to_live(TableName="orders-dev")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", spec.ttl_attribute)
    backups = dynamodb.describe_continuous_backups(TableName="orders-dev")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


def check_mapping(endpoint: str, function: str, spec: StreamMappingSpec, queue_name: str) -> dict[str, Any]:
    """The function's one mapping carries `spec` and sends failures to `queue_name`; returns it."""
    sqs = client("sqs", endpoint)
    queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert (queue["MessageRetentionPeriod"], queue["SqsManagedSseEnabled"]) == ("1209600", "true")
    functions = client("lambda", endpoint)
    handler = functions.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    (mapping,) = functions.list_event_source_mappings(FunctionName=handler)["EventSourceMappings"]
    assert mapping["BatchSize"] == spec.batch_size
    assert mapping["StartingPosition"] == spec.starting_position
    assert mapping["MaximumRetryAttempts"] == spec.maximum_retry_attempts
    assert mapping["BisectBatchOnFunctionError"] is spec.bisect_batch_on_function_error
    assert mapping["MaximumRecordAgeInSeconds"] == spec.maximum_record_age_seconds
    assert mapping["FunctionResponseTypes"] == spec.function_response_types
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == queue["QueueArn"]
    (pattern,) = mapping["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == spec.filter_pattern
    return dict(mapping)


def check_stream_mapping(endpoint: str) -> None:
    """Both consumers of the table's stream: the processor and the outbox publisher."""
    resources = load_resources()
    processor = check_mapping(
        endpoint, "orders-dev-process_orders", resources.stream_mapping, "orders-dev-stream-failures"
    )
    publisher = check_mapping(
        endpoint, "orders-dev-publish_order_events", resources.events_mapping, "orders-dev-event-failures"
    )
    stream_arn = client("dynamodb", endpoint).describe_table(TableName="orders-dev")["Table"]["LatestStreamArn"]
    assert processor["EventSourceArn"] == publisher["EventSourceArn"] == stream_arn


def table_shape(dynamodb: Any, name: str) -> dict[str, Any]:
    table = dynamodb.describe_table(TableName=name)["Table"]
    kept = ("IndexName", "KeySchema", "Projection")
    indexes = [{key: index[key] for key in kept} for index in table["GlobalSecondaryIndexes"]]
    return {
        "key_schema": table["KeySchema"],
        "attributes": sorted(table["AttributeDefinitions"], key=lambda attribute: attribute["AttributeName"]),
        "indexes": indexes,
        "billing": table["BillingModeSummary"]["BillingMode"],
        "stream": table["StreamSpecification"],
        "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"],
    }


def check_local_stack_agrees(endpoint: str) -> None:
    """`make run` builds its table, DLQ and mapping from the same definitions: prove the
    local stack and the applied Terraform root agree, side by side in one moto."""
    from devstack.provision import create_dead_letter_queue, create_table
    from devstack.stream_worker import mapping_settings

    dynamodb, sqs = client("dynamodb", endpoint), client("sqs", endpoint)
    create_table(dynamodb, "orders-local")
    assert table_shape(dynamodb, "orders-local") == table_shape(dynamodb, "orders-dev")

    wanted = ["MessageRetentionPeriod", "SqsManagedSseEnabled"]
    local_queue = create_dead_letter_queue(sqs, "orders-local-dlq")
    deployed_queue = sqs.get_queue_url(QueueName="orders-dev-stream-failures")["QueueUrl"]
    local = sqs.get_queue_attributes(QueueUrl=local_queue, AttributeNames=wanted)["Attributes"]
    assert local == sqs.get_queue_attributes(QueueUrl=deployed_queue, AttributeNames=wanted)["Attributes"]

    functions = client("lambda", endpoint)
    handler = functions.get_function(FunctionName="orders-dev-process_orders")["Configuration"]["FunctionArn"]
    (deployed,) = functions.list_event_source_mappings(FunctionName=handler)["EventSourceMappings"]
    worker = mapping_settings(max_retry_attempts=None, retry_delay_s=0.1)
    assert (worker.batch_size, worker.max_retry_attempts, worker.bisect_on_error, worker.max_record_age_s) == (
        deployed["BatchSize"],
        deployed["MaximumRetryAttempts"],
        deployed["BisectBatchOnFunctionError"],
        deployed["MaximumRecordAgeInSeconds"],
    )
    assert worker.report_batch_item_failures == ("ReportBatchItemFailures" in deployed["FunctionResponseTypes"])
    (deployed_filter,) = deployed["FilterCriteria"]["Filters"]
    assert json.loads(deployed_filter["Pattern"]) == load_resources().stream_mapping.filter_pattern


def check_http_api(endpoint: str) -> None:
    import app

    apis = client("apigatewayv2", endpoint)
    (api,) = apis.get_apis()["Items"]
    routes = {route["RouteKey"] for route in apis.get_routes(ApiId=api["ApiId"])["Items"]}
    assert routes == set(route_keys(app.app))
    (integration,) = apis.get_integrations(ApiId=api["ApiId"])["Items"]
    assert integration["PayloadFormatVersion"] == "1.0"
    (stage,) = apis.get_stages(ApiId=api["ApiId"])["Items"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    assert json.loads(stage["AccessLogSettings"]["Format"])["requestId"] == "$context.requestId"


def check_functions_and_observability(endpoint: str) -> None:
    functions = client("lambda", endpoint)
    roles = set()
    for name in FUNCTIONS:
        configuration = functions.get_function(FunctionName=name)["Configuration"]
        assert (configuration["Runtime"], configuration["Architectures"]) == ("python3.13", ["arm64"])
        roles.add(configuration["Role"])
    assert len(roles) == len(FUNCTIONS), "each function has its own role"
    groups = client("logs", endpoint).describe_log_groups(logGroupNamePrefix="/aws/")["logGroups"]
    assert {group["logGroupName"]: group["retentionInDays"] for group in groups} == {
        **{f"/aws/lambda/{name}": 30 for name in FUNCTIONS},
        "/aws/apigateway/orders-dev-access": 30,
    }
    alarms = client("cloudwatch", endpoint).describe_alarms()["MetricAlarms"]
    assert len(alarms) == EXPECTED_ALARMS
    assert all(alarm["AlarmActions"] for alarm in alarms), "every alarm notifies the SNS topic"


def check_rest_and_prod_plan(terraform: Terraform, root: Path) -> None:
    """moto refuses Chalice's Swagger 2.0 body, so the REST variant is planned, not applied."""
    terraform.run(root, "plan", "-var=api_type=rest", "-var=stage=prod", "-out=rest.plan", "-no-color")
    plan = terraform.json(root, "show", "-json", "rest.plan")
    created = {change["address"] for change in plan["resource_changes"] if "create" in change["change"]["actions"]}
    assert {"aws_api_gateway_rest_api.rest_api[0]", "aws_api_gateway_stage.rest_api[0]"} <= created
    table = next(change for change in plan["resource_changes"] if change["address"] == "aws_dynamodb_table.orders")
    assert table["change"]["after"]["deletion_protection_enabled"] is True


def check_jwt_authorizer(endpoint: str) -> None:
    """Every order route needs a JWT from the root's Cognito pool; the public ones none.
    moto does not serve the API, so the proof is the configuration read back, plus a
    token that moto's Cognito mints for the app client, checked against it."""
    import app

    apis = client("apigatewayv2", endpoint)
    (api,) = apis.get_apis()["Items"]
    routes = {route["RouteKey"]: route for route in apis.get_routes(ApiId=api["ApiId"])["Items"]}
    public = set(load_resources().api.public_routes)
    protected = set(route_keys(app.app)) - public
    assert protected and public <= set(routes)
    for key in public:
        assert routes[key].get("AuthorizationType", "NONE") == "NONE" and not routes[key].get("AuthorizerId"), key
    (authorizer_id,) = {routes[key].get("AuthorizerId") for key in protected}
    assert {routes[key]["AuthorizationType"] for key in protected} == {"JWT"}
    # moto 5.2.5 lacks GetAuthorizers (the list); GetAuthorizer by id works.
    authorizer = apis.get_authorizer(ApiId=api["ApiId"], AuthorizerId=authorizer_id)
    assert (authorizer["AuthorizerType"], authorizer["IdentitySource"]) == ("JWT", ["$request.header.Authorization"])

    cognito = client("cognito-idp", endpoint)
    (pool,) = cognito.list_user_pools(MaxResults=10)["UserPools"]
    (app_client,) = cognito.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool['Id']}"
    assert authorizer["JwtConfiguration"] == {"Issuer": issuer, "Audience": [app_client["ClientId"]]}
    check_cognito_settings(cognito, pool["Id"], app_client["ClientId"])

    tokens = sign_in(cognito, pool["Id"], app_client["ClientId"])
    keys = jwt.PyJWKClient(f"{endpoint}/{pool['Id']}/.well-known/jwks.json")
    for use, token in tokens.items():
        claims = jwt.decode(
            token,
            keys.get_signing_key_from_jwt(token).key,
            algorithms=["RS256"],
            issuer=authorizer["JwtConfiguration"]["Issuer"],
            options={"verify_aud": False},
        )
        audience = claims["aud"] if use == "id" else claims["client_id"]  # access tokens carry no aud
        assert audience in authorizer["JwtConfiguration"]["Audience"], use
        assert re.fullmatch(CUSTOMER_ID_PATTERN, claims["sub"]), "the function takes sub as the customer id"


def check_cognito_settings(cognito: Any, pool_id: str, client_id: str) -> None:
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert (pool["UserPoolTier"], pool["DeletionProtection"], pool["MfaConfiguration"]) == (
        "LITE",
        "INACTIVE",
        "OPTIONAL",
    )
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True} and "SmsMfaConfiguration" not in mfa
    settings = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert "ClientSecret" not in settings, "a public client: no secret"
    assert settings["PreventUserExistenceErrors"] == "ENABLED"
    assert settings["EnableTokenRevocation"] is True
    assert (settings["AccessTokenValidity"], settings["IdTokenValidity"], settings["RefreshTokenValidity"]) == (
        60,
        60,
        30,
    )
    assert settings["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    assert set(settings["ExplicitAuthFlows"]) == {
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    }


def sign_in(cognito: Any, pool_id: str, client_id: str) -> dict[str, str]:
    """The docs/deploy.md recipe: an administrator creates a user and signs in as it."""
    email, password = "customer@example.com", "Correct-Horse-9-battery"
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    result = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


def check_identity_variants(terraform: Terraform, root: Path, endpoint: str) -> None:
    """Planned against the applied stack: an external issuer replaces Cognito; the REST API
    gets a Cognito user pool authorizer; what cannot be served is refused at plan time."""
    issuer, audience = "https://example.eu.auth0.com/", "https://orders.example.com"
    terraform.run(
        root, "plan", f"-var=jwt_issuer={issuer}", f'-var=jwt_audience=["{audience}"]', "-out=oidc.plan", "-no-color"
    )
    plan = terraform.json(root, "show", "-json", "oidc.plan")
    changes = {change["address"]: change["change"] for change in plan["resource_changes"]}
    assert changes["aws_cognito_user_pool.orders[0]"]["actions"] == ["delete"]
    assert changes["aws_cognito_user_pool_client.orders[0]"]["actions"] == ["delete"]
    assert changes["aws_apigatewayv2_authorizer.jwt[0]"]["after"]["jwt_configuration"] == [
        {"issuer": issuer, "audience": [audience]}
    ]
    outputs = plan["planned_values"]["outputs"]
    assert (outputs["jwt_issuer"]["value"], outputs["cognito_user_pool_id"].get("value")) == (issuer, None)

    refused = {
        "rest with an external issuer": [
            "-var=api_type=rest",
            f"-var=jwt_issuer={issuer}",
            f'-var=jwt_audience=["{audience}"]',
        ],
        "an issuer without an audience": [f"-var=jwt_issuer={issuer}"],
    }
    for case, variables in refused.items():
        result = terraform.run(root, "plan", "-refresh=false", "-no-color", *variables, check=False)
        assert result.returncode != 0 and "precondition failed" in result.stderr, case

    terraform.run(root, "plan", "-var=api_type=rest", "-out=rest-auth.plan", "-no-color")
    plan = terraform.json(root, "show", "-json", "rest-auth.plan")
    (rest_api,) = [
        change for change in plan["resource_changes"] if change["address"] == "aws_api_gateway_rest_api.rest_api[0]"
    ]
    swagger = json.loads(rest_api["change"]["after"]["body"])
    (definition,) = swagger["securityDefinitions"].values()
    assert definition["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    cognito = client("cognito-idp", endpoint)
    (pool,) = cognito.list_user_pools(MaxResults=10)["UserPools"]
    pool_arn = cognito.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["Arn"]
    assert definition["x-amazon-apigateway-authorizer"]["providerARNs"] == [pool_arn]
    public = set(load_resources().api.public_routes)
    for path, methods in swagger["paths"].items():
        for method, operation in methods.items():
            route = f"{method.upper()} {path}"
            assert ("security" in operation) is (route not in public), route


def check_order_events(endpoint: str) -> None:
    """The bus, its archive, the example rule, its target and queue, read back; then the
    publisher's code, with the environment the function was deployed with, announces an
    order placed in the applied table: the event reaches the example queue and the archive,
    and a replay from the archive delivers it again."""
    events, sqs = client("events", endpoint), client("sqs", endpoint)
    bus = events.describe_event_bus(Name=BUS)
    archive = events.describe_archive(ArchiveName=ARCHIVE)
    assert (archive["EventSourceArn"], archive["RetentionDays"], archive["State"]) == (bus["Arn"], 30, "ENABLED")
    assert "EventPattern" not in archive, "the archive keeps every event on the bus"

    variables = client("lambda", endpoint).get_function(FunctionName="orders-dev-publish_order_events")[
        "Configuration"
    ]["Environment"]["Variables"]
    assert (variables["EVENT_BUS_NAME"], variables["EVENT_SOURCE"]) == (BUS, "orders")

    rule = events.describe_rule(Name=EXAMPLE_RULE, EventBusName=BUS)
    assert (json.loads(rule["EventPattern"]), rule["State"]) == ({"source": [variables["EVENT_SOURCE"]]}, "ENABLED")
    (target,) = events.list_targets_by_rule(Rule=EXAMPLE_RULE, EventBusName=BUS)["Targets"]
    queue_url = sqs.get_queue_url(QueueName=EXAMPLE_QUEUE)["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
    assert target["Arn"] == queue["QueueArn"] and queue["SqsManagedSseEnabled"] == "true"
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    (statement,) = json.loads(queue["Policy"])["Statement"]  # moto stores it; it does not enforce it
    assert (statement["Effect"], statement["Principal"], statement["Action"], statement["Resource"]) == (
        "Allow",
        {"Service": "events.amazonaws.com"},
        "sqs:SendMessage",
        queue["QueueArn"],
    )
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": rule["Arn"]}}

    order_id = announce_an_order(endpoint, variables)
    delivered = drain(sqs, queue_url)
    assert [(event["source"], event["detail-type"], event["detail"]["order_id"]) for event in delivered] == [
        ("orders", "OrderPlaced", order_id)
    ]
    assert events.describe_archive(ArchiveName=ARCHIVE)["EventCount"] >= 1

    now = datetime.now(UTC)
    events.start_replay(
        ReplayName="orders-dev-smoke",
        EventSourceArn=archive["ArchiveArn"],
        EventStartTime=now - timedelta(hours=1),
        EventEndTime=now + timedelta(minutes=1),
        Destination={"Arn": bus["Arn"]},
    )
    replayed = drain(sqs, queue_url, wait_s=5)
    assert [(event["detail"]["event_id"], event.get("replay-name")) for event in replayed] == [
        (delivered[0]["detail"]["event_id"], "orders-dev-smoke")
    ], "a replay delivers the archived event again, marked with the replay's name"


def announce_an_order(endpoint: str, variables: dict[str, str]) -> str:
    """Place an order, read its stream records, keep those the applied mapping's filter
    passes, and hand them to app.publish_order_events as Lambda would, with the function's
    deployed environment (bus and source). Returns the order id.

    The order goes to a twin of the table made from the same definition (devstack's
    create_table, which check_local_stack_agrees proves equal to the applied one): moto
    hands each new record of a table with event-source mappings to its own invocation of
    every mapped function (which cannot run here) and then drops it from the stream, so
    the applied table's stream stays empty."""
    import app
    from chalicelib import bootstrap
    from chalicelib.domain.commands import PlaceOrder
    from chalicelib.entrypoints.api_models import CreateOrderRequest
    from chalicelib.event_filter import matches
    from chalicelib.service_layer import intake
    from chalicelib.settings import settings_from
    from devstack.provision import create_table
    from tests.support.orders import order_body
    from tests.support.stream_events import lambda_event, read_stream

    dynamodb = client("dynamodb", endpoint)
    twin = "orders-dev-unmapped"
    stream_arn = create_table(dynamodb, twin)
    settings = settings_from({**variables, "ORDERS_TABLE": twin})
    container = bootstrap.build_container(settings, client=dynamodb, events_client=client("events", endpoint))
    body = CreateOrderRequest.model_validate_json(json.dumps(order_body()))
    command = PlaceOrder(
        customer_id="deploy-test",
        currency=body.currency,
        items=body.items,
        shipping_address=body.shipping_address,
        payment_token=body.payment_token,
    )
    placed = intake.place_order(command, container.intake)
    functions = client("lambda", endpoint)
    publisher = functions.get_function(FunctionName="orders-dev-publish_order_events")["Configuration"]["FunctionArn"]
    (mapping,) = functions.list_event_source_mappings(FunctionName=publisher)["EventSourceMappings"]
    (pattern,) = mapping["FilterCriteria"]["Filters"]
    records = read_stream(client("dynamodbstreams", endpoint), stream_arn)
    passed = [record for record in records if matches(json.loads(pattern["Pattern"]), record)]
    assert len(passed) == 1, "the mapping's filter passes the new order's record"
    earlier = bootstrap._current
    bootstrap.use_container(container)
    try:
        assert app.publish_order_events(lambda_event(passed), None) == {"batchItemFailures": []}
    finally:
        bootstrap.use_container(earlier)
    return str(placed.order.order_id)


def drain(sqs: Any, queue_url: str, wait_s: int = 1) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s).get(
        "Messages", []
    ):
        received += [json.loads(message["Body"]) for message in messages]
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        wait_s = 1
    return received


def check_archive_retention_is_bounded(terraform: Terraform, root: Path) -> None:
    result = terraform.run(
        root, "plan", "-refresh=false", "-no-color", "-var=event_archive_retention_days=0", check=False
    )
    assert result.returncode != 0 and "event_archive_retention_days must be" in result.stderr
