# The default API: an HTTP API ($1.00 per million requests against the REST API's $3.50)
# with payload format 1.0, which Chalice's handler reads like a REST API proxy event.
# Routes come from local.chalice_routes, derived from app.app.routes at package time.
resource "aws_apigatewayv2_api" "http" {
  count         = var.api_type == "http" ? 1 : 0
  name          = "orders-${var.stage}"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "api_handler" {
  count                  = var.api_type == "http" ? 1 : 0
  api_id                 = aws_apigatewayv2_api.http[0].id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = aws_lambda_function.api_handler.invoke_arn
  payload_format_version = "1.0"
  timeout_milliseconds   = 10000
}

# Verifies the bearer token of every protected route (auth.tf chooses the issuer).
resource "aws_apigatewayv2_authorizer" "jwt" {
  count            = var.api_type == "http" ? 1 : 0
  api_id           = aws_apigatewayv2_api.http[0].id
  name             = "orders-${var.stage}-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = local.jwt_issuer
    audience = local.jwt_audience
  }
}

# Every route of the app needs a verified token, except local.public_routes (from
# chalicelib/resources.json, api.public_routes).
resource "aws_apigatewayv2_route" "chalice" {
  for_each           = var.api_type == "http" ? setsubtract(local.chalice_routes, local.public_routes) : toset([])
  api_id             = aws_apigatewayv2_api.http[0].id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.api_handler[0].id}"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.jwt[0].id
}

resource "aws_apigatewayv2_route" "public" {
  #checkov:skip=CKV_AWS_309:Public by design (resources.json api.public_routes): the health check, the problem-type documents and the OpenAPI document, no customer data.
  for_each           = var.api_type == "http" ? toset(local.public_routes) : toset([])
  api_id             = aws_apigatewayv2_api.http[0].id
  route_key          = each.value
  target             = "integrations/${aws_apigatewayv2_integration.api_handler[0].id}"
  authorization_type = "NONE"
}

resource "aws_apigatewayv2_stage" "default" {
  count       = var.api_type == "http" ? 1 : 0
  api_id      = aws_apigatewayv2_api.http[0].id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.api_throttle_rate_limit
    throttling_burst_limit = var.api_throttle_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format          = local.http_access_log_format
  }
}

resource "aws_lambda_permission" "http_api_invoke" {
  count         = var.api_type == "http" ? 1 : 0
  function_name = aws_lambda_function.api_handler.function_name
  action        = "lambda:InvokeFunction"
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http[0].execution_arn}/*/*"
}
