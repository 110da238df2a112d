# One dashboard: $3 a month beyond an account's first three, so it follows var.enable_alarms.
locals {
  api_dimensions = flatten([for name, value in local.api_metrics.dimensions : [name, value]])
  dashboard_panels = [
    {
      title  = "Orders by outcome"
      period = 300
      metrics = [
        for name in ["OrderPlaced", "OrderConfirmed", "OrderRejected", "OrderFailed"] :
        ["Orders", name, "service", "orders", { stat = "Sum" }]
      ]
    },
    {
      title   = "Order to final state (ms)"
      period  = 300
      metrics = [for stat in ["p50", "p90", "p99"] : ["Orders", "OrderToFinalStateLatency", "service", "orders", { stat = stat }]]
    },
    {
      title  = "Functions: errors and throttles"
      period = 300
      metrics = flatten([for name in values(local.function_names) : [
        ["AWS/Lambda", "Errors", "FunctionName", name, { stat = "Sum" }],
        ["AWS/Lambda", "Throttles", "FunctionName", name, { stat = "Sum" }],
      ]])
    },
    {
      title  = "Stream: iterator age (ms) and dead letters"
      period = 60
      metrics = [
        ["AWS/Lambda", "IteratorAge", "FunctionName", local.function_names.process_orders, { stat = "Maximum" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.stream_failures.name, { stat = "Maximum", yAxis = "right" }],
      ]
    },
    {
      title  = "Order events: publisher iterator age (ms), dead letters, failed deliveries"
      period = 60
      metrics = [
        ["AWS/Lambda", "IteratorAge", "FunctionName", local.function_names.publish_order_events, { stat = "Maximum" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.event_failures.name, { stat = "Maximum", yAxis = "right" }],
        ["AWS/Events", "FailedInvocations", "EventBusName", aws_cloudwatch_event_bus.orders.name, "RuleName", aws_cloudwatch_event_rule.all_order_events.name, { stat = "Sum", yAxis = "right" }],
      ]
    },
    {
      title  = "Retry queue: waiting, delayed, oldest age (s), dead letters"
      period = 60
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.retries.name, { stat = "Maximum" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesDelayed", "QueueName", aws_sqs_queue.retries.name, { stat = "Maximum" }],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", aws_sqs_queue.retries.name, { stat = "Maximum", yAxis = "right" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.retries_dead_letter.name, { stat = "Maximum" }],
      ]
    },
    {
      title  = "API: requests and server errors"
      period = 300
      metrics = [
        concat(["AWS/ApiGateway", local.api_metrics.requests], local.api_dimensions, [{ stat = "Sum" }]),
        concat(["AWS/ApiGateway", local.api_metrics.errors], local.api_dimensions, [{ stat = "Sum", yAxis = "right" }]),
      ]
    },
  ]
}

resource "aws_cloudwatch_dashboard" "orders" {
  count          = local.alarms_enabled ? 1 : 0
  dashboard_name = "orders-${var.stage}"
  dashboard_body = jsonencode({
    widgets = [for index, panel in local.dashboard_panels : {
      type   = "metric"
      x      = (index % 2) * 12
      y      = floor(index / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = panel.title
        region  = data.aws_region.chalice.name
        period  = panel.period
        view    = "timeSeries"
        metrics = panel.metrics
      }
    }]
  })
}
