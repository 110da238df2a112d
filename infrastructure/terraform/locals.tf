locals {
  http_api       = var.api_type == "http"
  rest_api       = var.api_type == "rest"
  alarms_enabled = var.enable_alarms

  # One JSON line per request in the API access log; the route variable differs per API type.
  access_log_fields = {
    requestId      = "$context.requestId"
    ip             = "$context.identity.sourceIp"
    requestTime    = "$context.requestTime"
    httpMethod     = "$context.httpMethod"
    path           = "$context.path"
    status         = "$context.status"
    protocol       = "$context.protocol"
    responseLength = "$context.responseLength"
    latencyMs      = "$context.responseLatency"
    integrationMs  = "$context.integrationLatency"
    error          = "$context.error.message"
  }
  http_access_log_format = jsonencode(merge(local.access_log_fields, { route = "$context.routeKey" }))
  rest_access_log_format = jsonencode(merge(local.access_log_fields, { route = "$context.resourcePath" }))
}
