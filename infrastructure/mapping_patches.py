"""What Chalice cannot set on the event-source mappings it writes, from resources.json:
the two DynamoDB stream mappings' failure handling and filter, and the retry queue's
SQS mapping's partial-batch responses. Each is a patch in chalice_patches' format."""

from __future__ import annotations

from typing import Any

from chalicelib.resources import RetryQueueSpec, StreamMappingSpec

STREAM_MAPPING = "process_orders-dynamodb-event-source"
EVENTS_MAPPING = "publish_order_events-dynamodb-event-source"  # the outbox publisher, on the same stream
RETRY_MAPPING = "retry_orders-sqs-event-source"  # Chalice's name for the @app.on_sqs_message mapping


def stream_mapping(spec: StreamMappingSpec, local: str, on_failure: str) -> dict[str, Any]:
    """`spec` from resources.json (also written into generated.tf as `local.<local>`),
    failed batches to the queue `on_failure`."""
    return {
        "batch_size": spec.batch_size,
        "starting_position": spec.starting_position,
        "maximum_batching_window_in_seconds": spec.maximum_batching_window_seconds,
        "maximum_retry_attempts": spec.maximum_retry_attempts,
        "bisect_batch_on_function_error": spec.bisect_batch_on_function_error,
        "maximum_record_age_in_seconds": spec.maximum_record_age_seconds,
        "function_response_types": spec.function_response_types,
        "destination_config": {"on_failure": {"destination_arn": f"${{aws_sqs_queue.{on_failure}.arn}}"}},
        "filter_criteria": {"filter": {"pattern": f"${{jsonencode(local.{local}.filter_pattern)}}"}},
    }


def queue_mapping(spec: RetryQueueSpec) -> dict[str, Any]:
    """Chalice writes batch size, window and maximum concurrency (from the same spec, via
    app.py); it has no `function_response_types`, without which Lambda would ignore the
    handler's batchItemFailures and retry a whole batch for one failed message. A queue
    mapping has no retry cap or destination: the queue's redrive policy moves a message
    to its dead-letter queue after `max_receive_count` receives."""
    return {
        "batch_size": spec.batch_size,
        "maximum_batching_window_in_seconds": spec.maximum_batching_window_seconds,
        "function_response_types": spec.function_response_types,
        "scaling_config": {"maximum_concurrency": spec.maximum_concurrency},
    }
