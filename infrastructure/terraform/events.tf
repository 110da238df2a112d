# Order events (README "Order events"): the outbox publisher (publish_order_events, on the
# table's stream) puts one event per stored status change on this stage's bus. Every
# resource here is billed by use only: $0 idle.
locals {
  # Every stage has its own bus, so the source needs no stage in it: consumers' rules
  # and the event schemas in docs/events read the same `orders` in every stage.
  event_source = "orders"
}

# Encrypted at rest with an AWS-owned key (no kms_key_identifier): a customer-managed key
# would cost $1 a month idle, add KMS requests per event, and need a grant for every
# consumer's target. checkov 3.1 has no check for event buses or archives.
resource "aws_cloudwatch_event_bus" "orders" {
  name = "orders-${var.stage}-events"
}

# Everything put on the bus, kept for var.event_archive_retention_days so consumers can
# replay (StartReplay) what they missed or mishandled. Billed per GB archived and stored.
resource "aws_cloudwatch_event_archive" "orders" {
  name             = "orders-${var.stage}-events"
  description      = "Every event on orders-${var.stage}-events, for replay."
  event_source_arn = aws_cloudwatch_event_bus.orders.arn
  retention_days   = var.event_archive_retention_days
}

# The publisher's on-failure destination: batches that exhausted the mapping's retries
# (or outlived its maximum record age) land here as metadata. Their orders are stored;
# only the announcement is missing: replay the records' changes once the bus is healthy.
resource "aws_sqs_queue" "event_failures" {
  name                      = "orders-${var.stage}-event-failures"
  message_retention_seconds = local.dead_letter_queue.message_retention_seconds
  sqs_managed_sse_enabled   = local.dead_letter_queue.sqs_managed_sse_enabled
}

# An example subscription a downstream team could consume, or copy with its own pattern:
# every order event, delivered to an SQS queue of its own.
resource "aws_cloudwatch_event_rule" "all_order_events" {
  name           = "orders-${var.stage}-all-order-events"
  description    = "Every order event, to the orders-${var.stage}-order-events queue."
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  event_pattern  = jsonencode({ source = [local.event_source] })
  state          = "ENABLED"
}

# SSE-SQS: EventBridge can send to it without a key policy (with SSE-KMS it would need a
# customer-managed key that grants events.amazonaws.com kms:GenerateDataKey).
resource "aws_sqs_queue" "order_events" {
  name                      = "orders-${var.stage}-order-events"
  message_retention_seconds = 1209600 # 14 days, SQS's maximum: time for a consumer to catch up
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue_policy" "order_events" {
  queue_url = aws_sqs_queue.order_events.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TheExampleRuleDelivers"
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.order_events.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.all_order_events.arn } }
    }]
  })
}

resource "aws_cloudwatch_event_target" "order_events_queue" {
  rule           = aws_cloudwatch_event_rule.all_order_events.name
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  target_id      = "order-events-queue"
  arn            = aws_sqs_queue.order_events.arn

  # EventBridge's defaults, written out: a delivery is retried for up to a day.
  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  depends_on = [aws_sqs_queue_policy.order_events]
}
