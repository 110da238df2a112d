# The stream mapping's on-failure destination: records that exhausted their retries
# (or grew too old) land here as metadata, for `make reconcile` after a look.
resource "aws_sqs_queue" "stream_failures" {
  name                      = "orders-${var.stage}-stream-failures"
  message_retention_seconds = local.dead_letter_queue.message_retention_seconds
  sqs_managed_sse_enabled   = local.dead_letter_queue.sqs_managed_sse_enabled
}
