# The retry queue (docs/deploy.md "Retries"): when a provider stays down, process_orders
# (and retry_orders, for a retry that fails again) records the attempt on the order and
# sends a RetryOrder here with a backoff delay of up to 900 s; retry_orders' SQS mapping
# takes it back (chalice.tf), reporting failed messages one by one. Settings come from
# local.retry_queue (resources.json). Billed per request; the mapping's pollers long-poll
# the queue even when it is empty (a few hundred thousand requests a month, see make cost).
resource "aws_sqs_queue" "retries" {
  name                       = "orders-${var.stage}-retries"
  visibility_timeout_seconds = local.retry_queue.visibility_timeout_seconds
  message_retention_seconds  = local.retry_queue.message_retention_seconds
  sqs_managed_sse_enabled    = local.retry_queue.sqs_managed_sse_enabled
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.retries_dead_letter.arn
    maxReceiveCount     = local.retry_queue.max_receive_count
  })
}

# A message retry_orders failed max_receive_count times (a poison message, or the table or
# the queue down for that long) lands here whole, body and all. No redrive allow policy:
# the default (any queue of the account may use it) is what a move back needs, and a
# byQueue policy naming the source would only keep other queues out.
resource "aws_sqs_queue" "retries_dead_letter" {
  name                      = "orders-${var.stage}-retries-dlq"
  message_retention_seconds = local.dead_letter_queue.message_retention_seconds
  sqs_managed_sse_enabled   = local.dead_letter_queue.sqs_managed_sse_enabled
}

resource "aws_cloudwatch_metric_alarm" "retry_dead_letter_queue_depth" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-retry-dead-letter-queue-depth"
  alarm_description   = "Retries gave up after their receive count and landed in the retry DLQ: inspect, fix, then move them back."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.retries_dead_letter.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# No retry waits more than 900 s (SQS's longest delay), so an older message means the
# mapping is not draining the queue: retry_orders failing, throttled, or the mapping off.
resource "aws_cloudwatch_metric_alarm" "retry_queue_oldest_message_age" {
  count               = local.alarms_enabled ? 1 : 0
  alarm_name          = "orders-${var.stage}-retry-queue-oldest-message-age"
  alarm_description   = "A retry has waited longer than var.retry_age_alarm_seconds: retry_orders is not draining the retry queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.retries.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.retry_age_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
