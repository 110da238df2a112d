# Chalice crashes when asked for log retention (chalice#2079), so the groups are ours;
# each function writes to its group through logging_config (set in chalice.tf).
resource "aws_cloudwatch_log_group" "api_handler" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest already; a customer-managed key would cost $1 a month idle.
  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_days (30 by default); a year of logs is a cost choice per stage.
  name              = "/aws/lambda/${local.function_names.api_handler}"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "process_orders" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest already; a customer-managed key would cost $1 a month idle.
  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_days (30 by default); a year of logs is a cost choice per stage.
  name              = "/aws/lambda/${local.function_names.process_orders}"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "publish_order_events" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest already; a customer-managed key would cost $1 a month idle.
  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_days (30 by default); a year of logs is a cost choice per stage.
  name              = "/aws/lambda/${local.function_names.publish_order_events}"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "retry_orders" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest already; a customer-managed key would cost $1 a month idle.
  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_days (30 by default); a year of logs is a cost choice per stage.
  name              = "/aws/lambda/${local.function_names.retry_orders}"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "api_access" {
  #checkov:skip=CKV_AWS_158:CloudWatch Logs encrypts at rest already; a customer-managed key would cost $1 a month idle.
  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_days (30 by default); a year of logs is a cost choice per stage.
  name              = "/aws/apigateway/orders-${var.stage}-access"
  retention_in_days = var.log_retention_days
}
