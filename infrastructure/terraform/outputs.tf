output "table_name" {
  value = aws_dynamodb_table.orders.name
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.stream_failures.url
}

output "alarm_topic_arn" {
  value = one(aws_sns_topic.alarms[*].arn)
}
