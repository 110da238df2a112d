# Alarms cost $0.10 each a month and the key $1, idle or not: off with var.enable_alarms =
# false. The retry queue's alarms are in retries.tf; the function alarms below cover all four.
locals {
  alarm_actions = aws_sns_topic.alarms[*].arn
  api_metrics = {
    errors   = local.http_api ? "5xx" : "5XXError"
    requests = "Count"
    dimensions = local.http_api ? tomap({ ApiId = one(aws_apigatewayv2_api.http[*].id), Stage = "$default" }) : tomap({
      ApiName = one(aws_api_gateway_rest_api.rest_api[*].name), Stage = "api"
    })
  }
}

# CloudWatch can publish to an encrypted topic only through a customer-managed key
# whose policy lets it use the key; the AWS-managed aws/sns key cannot be shared.
resource "aws_kms_key" "alarms" {
  count                   = local.alarms_enabled ? 1 : 0
  description             = "orders-${var.stage} alarm topic"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersTheKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.chalice.partition}:iam::${data.aws_caller_identity.chalice.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchPublishesAlarms"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_sns_topic" "alarms" {
  count             = local.alarms_enabled ? 1 : 0
  name              = "orders-${var.stage}-alarms"
  kms_master_key_id = aws_kms_key.alarms[0].arn
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = local.alarms_enabled && var.alarm_email != "" ? 1 : 0
  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "stream_iterator_age" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-stream-iterator-age"
  alarm_description   = "The stream handler is falling behind the orders stream."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = local.function_names.process_orders }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.iterator_age_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "dead_letter_queue_depth" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-dead-letter-queue-depth"
  alarm_description   = "Stream batches gave up and landed in the dead-letter queue: inspect, then make reconcile."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.stream_failures.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "events_iterator_age" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-events-iterator-age"
  alarm_description   = "The event publisher is falling behind the orders stream: order events are late."
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = local.function_names.publish_order_events }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.iterator_age_alarm_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "event_failures_queue_depth" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-event-failures-queue-depth"
  alarm_description   = "Stream batches the event publisher gave up on: their orders are stored, their events were not sent."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.event_failures.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# EventBridge publishes FailedInvocations only when it is not zero; rules on a custom bus
# carry both the EventBusName and the RuleName dimensions.
resource "aws_cloudwatch_metric_alarm" "order_events_failed_deliveries" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-order-events-failed-deliveries"
  alarm_description   = "EventBridge gave up delivering order events to the example queue (its policy or key?)."
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { EventBusName = aws_cloudwatch_event_bus.orders.name, RuleName = aws_cloudwatch_event_rule.all_order_events.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-api-5xx-rate"
  alarm_description   = "More than var.api_5xx_alarm_percent of API requests failed with a 5XX."
  evaluation_periods  = 1
  threshold           = var.api_5xx_alarm_percent
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * errors / requests, 0)"
    label       = "5XX percent"
    return_data = true
  }

  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = local.api_metrics.errors
      dimensions  = local.api_metrics.dimensions
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = local.api_metrics.requests
      dimensions  = local.api_metrics.dimensions
      stat        = "Sum"
      period      = 300
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "function_errors" {
  for_each            = local.alarms_enabled ? local.function_names : {}
  alarm_name          = "${each.value}-errors"
  alarm_description   = "The ${each.key} function raised errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "function_throttles" {
  for_each            = local.alarms_enabled ? local.function_names : {}
  alarm_name          = "${each.value}-throttles"
  alarm_description   = "Invocations of the ${each.key} function were throttled."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
