"""`make reconcile`: re-drive orders stuck non-final, or fail those out of attempts.

Run it on a schedule or by hand after draining the DLQ (`python -m ops.reconcile`). It
uses the same settings and adapters as the Lambda functions (ORDERS_TABLE, AWS credentials
or an endpoint), but it is an operator's tool, so it lives outside the Lambda package.
"""

from __future__ import annotations

import argparse
import json
import sys

from chalicelib.bootstrap import container
from chalicelib.domain.commands import ReconcileOrders
from chalicelib.exceptions import DependencyUnavailable, SettingsError
from chalicelib.service_layer.reconcile import reconcile_orders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.reconcile", description=__doc__)
    parser.add_argument("--older-than", type=int, default=900, help="seconds since the order last changed")
    parser.add_argument("--dry-run", action="store_true", help="report what would be done, change nothing")
    args = parser.parse_args(argv)
    try:
        deps = container().processing
    except SettingsError as error:
        print(f"reconcile: {error}", file=sys.stderr)
        return 2
    from botocore.exceptions import BotoCoreError, ClientError

    command = ReconcileOrders(older_than_seconds=args.older_than, dry_run=args.dry_run)
    try:
        report = reconcile_orders(command, deps)
    except (BotoCoreError, ClientError, DependencyUnavailable) as error:
        print(f"reconcile: cannot reach the orders table: {error}", file=sys.stderr)
        return 1
    summary: dict[str, list[str]] = {"redriven": report.redriven, "failed": report.failed, "skipped": report.skipped}
    if report.refund_pending:  # failed by this run, but the provider was down: refund by hand
        summary["refund_pending"] = report.refund_pending
    print(json.dumps({"dry_run": args.dry_run, **summary}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
