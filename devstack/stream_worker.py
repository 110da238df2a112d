"""The stream worker: a separate process that plays Lambda's DynamoDB event-source
mapping for one of the app's `@app.on_dynamodb_record` handlers. The local stack runs
two, one per mapping on the table's stream: `process_orders` (the processor, settings
`stream_mapping`) and `publish_order_events` (the outbox publisher, `events_mapping`).

It imports the real app and calls the handler with Lambda-shaped events, with the
mapping's settings and filter pattern from chalicelib/resources.json. Its checkpoints
live in a file of its own (devstack/checkpoints.py), so a restarted worker resumes
where the last one stopped and the two mappings never share a position. boto3 finds
moto through AWS_ENDPOINT_URL. SIGTERM or SIGINT stops it between invocations.

Usage: python -m devstack.stream_worker --stream-arn ARN --dlq-url URL [options]
  e.g. --handler app:publish_order_events --mapping events_mapping
       --function-name orders-dev-publish_order_events --checkpoint-file F
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from devstack import mapping
from devstack.checkpoints import CheckpointStore
from devstack.event_source import StreamWorker, log
from devstack.shards import ShardReader
from devstack.worker_process import announce_ready, connect_within, load_handler, stop_on_signals

if TYPE_CHECKING:
    from chalicelib.resources import StreamMappingSpec

MAPPINGS = ("stream_mapping", "events_mapping")  # the mapping specs in chalicelib/resources.json


def mapping_spec(name: str = "stream_mapping") -> StreamMappingSpec:
    from chalicelib.resources import load_resources

    if name not in MAPPINGS:
        raise ValueError(f"unknown mapping {name!r}; one of {', '.join(MAPPINGS)}")
    spec: StreamMappingSpec = getattr(load_resources(), name)
    return spec


def mapping_settings(
    max_retry_attempts: int | None, retry_delay_s: float, mapping_name: str = "stream_mapping"
) -> mapping.Settings:
    spec = mapping_spec(mapping_name)
    return mapping.Settings(
        batch_size=spec.batch_size,
        batching_window_s=spec.maximum_batching_window_seconds,
        max_retry_attempts=spec.maximum_retry_attempts if max_retry_attempts is None else max_retry_attempts,
        bisect_on_error=spec.bisect_batch_on_function_error,
        max_record_age_s=spec.maximum_record_age_seconds,
        report_batch_item_failures="ReportBatchItemFailures" in spec.function_response_types,
        retry_delay_s=retry_delay_s,
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stream-arn", required=True)
    parser.add_argument("--dlq-url", required=True)
    parser.add_argument("--handler", default="app:process_orders")
    parser.add_argument("--mapping", default="stream_mapping", choices=MAPPINGS, help="its spec in resources.json")
    parser.add_argument("--function-name", default="orders-dev-process_orders")
    parser.add_argument("--checkpoint-file", type=Path, required=True, help="its positions in the stream")
    parser.add_argument("--max-retry-attempts", type=int, default=None, help="override resources.json (tests)")
    parser.add_argument("--retry-delay", type=float, default=0.1, help="seconds, times the failure count")
    parser.add_argument("--idle-poll-ms", type=float, default=50.0)
    parser.add_argument("--ready-file", type=Path, default=None, help="written once the worker polls")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    import boto3

    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    handler = load_handler(args.handler)
    from botocore.config import Config

    # A bad shard iterator is an HTTP 500 from moto: fail fast and take a new one.
    quick = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=10)
    sqs = boto3.client("sqs", region_name=region)
    streams = boto3.client("dynamodbstreams", region_name=region, config=quick)
    store = CheckpointStore(args.checkpoint_file, args.stream_arn)
    spec = mapping_spec(args.mapping)
    reader = ShardReader(streams, args.stream_arn, store, spec.starting_position)
    settings = mapping_settings(args.max_retry_attempts, args.retry_delay, args.mapping)
    pattern = spec.filter_pattern
    worker = StreamWorker(
        reader, handler, settings, pattern, sqs, args.dlq_url, args.stream_arn, args.function_name, region,
        idle_poll_s=args.idle_poll_ms / 1000,
    )  # fmt: skip

    stop_on_signals(worker.stop)
    if not connect_within(worker, reader.refresh):
        log("cannot read the stream; giving up", "ERROR", function=args.function_name, stream_arn=args.stream_arn)
        return 1
    checkpoints = {shard.shard_id: shard.checkpoint.sequence_number for shard in reader.shards.values()}
    log(
        "polling",
        function=args.function_name,
        stream_arn=args.stream_arn,
        checkpoint_file=str(args.checkpoint_file),
        checkpoints=checkpoints,
        settings=settings.__dict__,
    )
    announce_ready(args.ready_file)
    worker.run()
    log("stopped", function=args.function_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
