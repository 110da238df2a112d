# Every setting comes from chalicelib/resources.json (local.orders_table, written by
# the package step), the same file the local stack provisions from.
resource "aws_dynamodb_table" "orders" {
  name                        = "orders-${var.stage}"
  billing_mode                = local.orders_table.billing_mode
  hash_key                    = local.orders_table.partition_key
  range_key                   = local.orders_table.sort_key
  stream_enabled              = true
  stream_view_type            = local.orders_table.stream_view_type
  deletion_protection_enabled = var.stage == "prod"

  dynamic "attribute" {
    for_each = local.orders_table.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  global_secondary_index {
    name            = local.orders_table.customer_index.name
    hash_key        = local.orders_table.customer_index.partition_key
    range_key       = local.orders_table.customer_index.sort_key
    projection_type = local.orders_table.customer_index.projection
  }

  # Idempotency keys and ledger entries carry expires_at; orders do not, so they stay.
  ttl {
    attribute_name = local.orders_table.ttl_attribute
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.table_kms_key_arn
  }
}
