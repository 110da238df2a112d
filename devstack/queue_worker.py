"""The queue worker: a separate process that plays Lambda's SQS event-source mapping for
one of the app's `@app.on_sqs_message` handlers. The local stack runs one, for
`retry_orders` on the retry queue, with the mapping settings of `retry_queue` in
chalicelib/resources.json (batch size, batching window, ReportBatchItemFailures).

It imports the real app and calls the handler with Lambda-shaped events
(devstack/queue_source.py). It keeps no state of its own: a message it received but
did not delete (it was killed mid-batch) stays on the queue and comes back after the
visibility timeout, for this worker or the one `run` starts in its place. boto3 finds
moto through AWS_ENDPOINT_URL. SIGTERM or SIGINT stops it between invocations.

Usage: python -m devstack.queue_worker --queue-url URL [options]
  e.g. --handler app:retry_orders --function-name orders-dev-retry_orders
       --visibility-timeout 2 (tests: instead of the queue's own) --nice 10 --ready-file F
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from devstack.queue_source import QueueSettings, QueueWorker, log
from devstack.worker_process import announce_ready, connect_within, load_handler, stop_on_signals

SPECS = ("retry_queue",)  # the SQS mapping specs in chalicelib/resources.json


def queue_settings(spec_name: str = "retry_queue", visibility_timeout_s: int | None = None) -> QueueSettings:
    from chalicelib.resources import load_resources

    if spec_name not in SPECS:
        raise ValueError(f"unknown queue mapping {spec_name!r}; one of {', '.join(SPECS)}")
    spec = getattr(load_resources(), spec_name)
    return QueueSettings(
        batch_size=spec.batch_size,
        batching_window_s=spec.maximum_batching_window_seconds,
        report_batch_item_failures="ReportBatchItemFailures" in spec.function_response_types,
        visibility_timeout_s=visibility_timeout_s,
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queue-url", required=True)
    parser.add_argument("--handler", default="app:retry_orders")
    parser.add_argument("--spec", default="retry_queue", choices=SPECS, help="its mapping in resources.json")
    parser.add_argument("--function-name", default="orders-dev-retry_orders")
    parser.add_argument(
        "--visibility-timeout", type=int, default=None, help="seconds, per receive (tests); default: the queue's own"
    )
    parser.add_argument("--nice", type=int, default=0, help="added to the process's niceness (0-19)", choices=range(20))
    parser.add_argument("--ready-file", type=Path, default=None, help="written once the worker polls")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.nice(args.nice)
    import boto3
    from botocore.config import Config

    region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    handler = load_handler(args.handler)
    settings = queue_settings(args.spec, args.visibility_timeout)
    quick = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=30)
    sqs = boto3.client("sqs", region_name=region, config=quick)
    worker = QueueWorker(sqs, handler, settings, args.queue_url, args.function_name, region)
    stop_on_signals(worker.stop)
    attributes: dict[str, str] = {}
    if not connect_within(worker, lambda: attributes.update(worker.connect())):
        log("cannot read the queue; giving up", "ERROR", function=args.function_name, queue_url=args.queue_url)
        return 1
    log(
        "polling",
        function=args.function_name,
        queue_url=args.queue_url,
        queue_arn=worker.queue_arn,
        visibility_timeout_s=settings.visibility_timeout_s or int(attributes.get("VisibilityTimeout", 30)),
        redrive_policy=attributes.get("RedrivePolicy"),
        settings=settings.__dict__,
    )
    announce_ready(args.ready_file)
    worker.run()
    log("stopped", function=args.function_name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
