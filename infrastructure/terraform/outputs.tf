output "table_name" {
  value = aws_dynamodb_table.orders.name
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.stream_failures.url
}

output "retry_queue_url" {
  description = "Retries of orders whose provider stayed down (process_orders and retry_orders send, retry_orders' mapping receives)."
  value       = aws_sqs_queue.retries.url
}

output "retry_dead_letter_queue_url" {
  description = "Retries that failed max_receive_count times; move them back with aws sqs start-message-move-task."
  value       = aws_sqs_queue.retries_dead_letter.url
}

output "event_bus_name" {
  description = "The bus the order events are put on (source \"orders\"); subscribe with a rule of your own on it."
  value       = aws_cloudwatch_event_bus.orders.name
}

output "event_bus_arn" {
  value = aws_cloudwatch_event_bus.orders.arn
}

output "event_archive_arn" {
  description = "The archive to replay order events from (aws events start-replay)."
  value       = aws_cloudwatch_event_archive.orders.arn
}

output "order_events_queue_url" {
  description = "The example rule's queue: every order event, for a downstream consumer."
  value       = aws_sqs_queue.order_events.url
}

output "event_failures_queue_url" {
  description = "The event publisher's on-failure destination."
  value       = aws_sqs_queue.event_failures.url
}

output "alarm_topic_arn" {
  value = one(aws_sns_topic.alarms[*].arn)
}

output "jwt_issuer" {
  description = "The issuer API Gateway accepts tokens from (the Cognito user pool's, unless var.jwt_issuer is set)."
  value       = local.jwt_issuer

  precondition {
    condition     = (var.jwt_issuer == "") == (length(var.jwt_audience) == 0)
    error_message = "Set jwt_issuer and jwt_audience together (an external OIDC issuer), or neither (the root's Cognito user pool)."
  }

  precondition {
    condition     = local.cognito || var.api_type == "http"
    error_message = "api_type = \"rest\" has no JWT authorizer: its token check is a Cognito user pool authorizer on the root's own pool. Leave jwt_issuer and jwt_audience empty, or use api_type = \"http\"."
  }
}

output "jwt_audience" {
  description = "The audiences a token must carry: the Cognito app client id, unless var.jwt_audience is set."
  value       = local.jwt_audience
}

output "cognito_user_pool_id" {
  description = "The Cognito user pool the root created; null with an external issuer."
  value       = one(aws_cognito_user_pool.orders[*].id)
}
