output "table_name" {
  value = aws_dynamodb_table.orders.name
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.stream_failures.url
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
