# The REST API that Chalice generates, kept behind var.api_type = "rest". Chalice sets
# the stage through the deployment's stage_name, deprecated in provider 5; the package
# step removes it and this stage takes its place, with throttling and access logs.
resource "aws_api_gateway_stage" "rest_api" {
  #checkov:skip=CKV_AWS_73:X-Ray tracing is off: $5 per million traces, and the JSON logs carry the request id.
  #checkov:skip=CKV_AWS_120:No response caching: a cache cluster is billed by the hour even when idle.
  #checkov:skip=CKV2_AWS_29:No WAF: a web ACL costs $5 a month idle; stage throttling bounds abuse.
  #checkov:skip=CKV2_AWS_51:No client certificate: the backend is a Lambda proxy integration, not an HTTP backend.
  #checkov:skip=CKV2_AWS_4:Method logging is at ERROR; detailed per-method metrics (~35 custom metrics, $0.30 each) stay off, the alarms use stage-level metrics.
  count                = var.api_type == "rest" ? 1 : 0
  rest_api_id          = aws_api_gateway_rest_api.rest_api[0].id
  deployment_id        = aws_api_gateway_deployment.rest_api[0].id
  stage_name           = "api"
  xray_tracing_enabled = false

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format          = local.rest_access_log_format
  }

  depends_on = [aws_api_gateway_account.rest_api]
}

resource "aws_api_gateway_method_settings" "rest_api" {
  #checkov:skip=CKV_AWS_225:No response caching: a cache cluster is billed by the hour even when idle.
  count       = var.api_type == "rest" ? 1 : 0
  rest_api_id = aws_api_gateway_rest_api.rest_api[0].id
  stage_name  = aws_api_gateway_stage.rest_api[0].stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.api_throttle_rate_limit
    throttling_burst_limit = var.api_throttle_burst_limit
    metrics_enabled        = false
    logging_level          = "ERROR"
    cache_data_encrypted   = true
  }
}

# REST API logging needs the account-level CloudWatch role (one per account and region;
# HTTP APIs use a service-linked role instead). Remove it here if another stack owns it.
resource "aws_iam_role" "api_gateway_logs" {
  count = var.api_type == "rest" ? 1 : 0
  name  = "orders-${var.stage}-api-gateway-logs"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "apigateway.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "api_gateway_logs" {
  count      = var.api_type == "rest" ? 1 : 0
  role       = aws_iam_role.api_gateway_logs[0].name
  policy_arn = "arn:${data.aws_partition.chalice.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "rest_api" {
  count               = var.api_type == "rest" ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.api_gateway_logs[0].arn
  depends_on          = [aws_iam_role_policy_attachment.api_gateway_logs]
}
