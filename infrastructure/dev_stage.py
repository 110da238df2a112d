"""Prepare `chalice deploy --stage dev` against a table that already exists.

Usage: .venv/bin/python -m infrastructure.dev_stage [--table orders-dev]

The policy files name Terraform resources (`${aws_dynamodb_table.orders.arn}`), which
IAM cannot read. This writes the dev stage's copies with the table's and the event bus's
real ARNs into .chalice/deployments/ (ignored by git), adds the log-group creation that
Terraform does for prod, leaves out the dead-letter queues (`chalice deploy` makes no
on-failure destination), and prints the deploy command with the table's stream ARN and
the retry queue's ARN. The bus (the dev stage's EVENT_BUS_NAME) and the retry queue
(`<app>-<stage>-retries`, with its redrive policy) must exist: `chalice deploy` creates
neither, and the queue's URL (it holds the account id) must be set as RETRY_QUEUE_URL.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

CHALICE_DIR = Path(__file__).resolve().parent.parent / ".chalice"
POLICIES = {
    "api_handler": "policy-api.json",
    "process_orders": "policy-stream.json",
    "publish_order_events": "policy-events.json",
    "retry_orders": "policy-retries.json",
}
_REFERENCE = re.compile(r"\$\{([^}]+)\}")


def retry_queue_name(app_name: str, stage: str) -> str:
    return f"{app_name}-{stage}-retries"  # the Terraform root's name for the stage's retry queue


def retry_queue_url(queue_arn: str) -> str:
    """The URL of the queue an ARN names (arn:<partition>:sqs:<region>:<account>:<name>)."""
    _, _, _, region, account, name = queue_arn.split(":")
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def references(table_arn: str, app_name: str, stage: str, event_bus: str) -> dict[str, str]:
    """Terraform references -> ARNs, for the functions `chalice deploy` names <app>-<stage>[-<function>]."""
    account_prefix = table_arn.split(":table/", maxsplit=1)[0]  # arn:<partition>:dynamodb:<region>:<account>
    log_groups = account_prefix.replace(":dynamodb:", ":logs:") + ":log-group:/aws/lambda"
    return {
        "aws_dynamodb_table.orders.arn": table_arn,
        "aws_cloudwatch_event_bus.orders.arn": account_prefix.replace(":dynamodb:", ":events:")
        + f":event-bus/{event_bus}",
        "aws_sqs_queue.retries.arn": account_prefix.replace(":dynamodb:", ":sqs:")
        + f":{retry_queue_name(app_name, stage)}",
        "aws_cloudwatch_log_group.api_handler.arn": f"{log_groups}/{app_name}-{stage}",
        "aws_cloudwatch_log_group.process_orders.arn": f"{log_groups}/{app_name}-{stage}-process_orders",
        "aws_cloudwatch_log_group.publish_order_events.arn": f"{log_groups}/{app_name}-{stage}-publish_order_events",
        "aws_cloudwatch_log_group.retry_orders.arn": f"{log_groups}/{app_name}-{stage}-retry_orders",
    }


def stage_event_bus(config: dict[str, Any], stage: str) -> str:
    """The stage's EVENT_BUS_NAME (function-level first, as Chalice merges them), else the app's default."""
    from chalicelib.settings import Settings

    stage_config = config["stages"][stage]
    publisher = stage_config.get("lambda_functions", {}).get("publish_order_events", {})
    for variables in (publisher.get("environment_variables", {}), stage_config.get("environment_variables", {})):
        if "EVENT_BUS_NAME" in variables:
            return str(variables["EVENT_BUS_NAME"])
    return str(Settings.model_fields["event_bus_name"].default)


def render(policy: dict[str, Any], known: dict[str, str]) -> dict[str, Any]:
    """The policy with references resolved; statements naming unknown resources are dropped."""
    kept = []
    for statement in policy["Statement"]:
        text = json.dumps(statement)
        if all(name in known for name in _REFERENCE.findall(text)):
            resolved = json.loads(_REFERENCE.sub(lambda match: known[match.group(1)], text))
            if "logs:CreateLogStream" in resolved["Action"]:
                resolved["Action"] = ["logs:CreateLogGroup", *resolved["Action"]]  # no Terraform to create it
            kept.append(resolved)
    return {**policy, "Statement": kept}


def write_dev_policies(table_arn: str, stage: str = "dev", chalice_dir: Path = CHALICE_DIR) -> dict[str, Path]:
    config = json.loads((chalice_dir / "config.json").read_text())
    functions = config["stages"][stage]["lambda_functions"]
    known = references(table_arn, config["app_name"], stage, stage_event_bus(config, stage))
    written = {}
    for function, source in POLICIES.items():
        target = chalice_dir / functions[function]["iam_policy_file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(render(json.loads((chalice_dir / source).read_text()), known), indent=2) + "\n")
        written[function] = target
    return written


def main(argv: list[str] | None = None) -> int:
    config = json.loads((CHALICE_DIR / "config.json").read_text())
    default_table = config["stages"]["dev"]["environment_variables"]["ORDERS_TABLE"]
    parser = argparse.ArgumentParser(prog="dev_stage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", default=default_table, help=f"existing table (default {default_table})")
    args = parser.parse_args(argv)
    import boto3

    table = boto3.client("dynamodb").describe_table(TableName=args.table)["Table"]
    if "LatestStreamArn" not in table:
        print(f"dev_stage: table {args.table} has no stream; enable NEW_AND_OLD_IMAGES first", file=sys.stderr)
        return 2
    for path in write_dev_policies(table["TableArn"]).values():
        print(f"wrote {path.relative_to(CHALICE_DIR.parent)}")
    bus = stage_event_bus(config, "dev")
    print(f"the event bus {bus} must exist (aws events create-event-bus --name {bus}); chalice deploy does not make it")
    queue_arn = references(table["TableArn"], config["app_name"], "dev", bus)["aws_sqs_queue.retries.arn"]
    print(f"the retry queue {queue_arn.rsplit(':', 1)[1]} must exist with a redrive policy to a DLQ (docs/deploy.md)")
    print(f"and RETRY_QUEUE_URL={retry_queue_url(queue_arn)} must be in the dev stage's environment_variables")
    print(
        f"now: ORDERS_STREAM_ARN={table['LatestStreamArn']} RETRY_QUEUE_ARN={queue_arn}"
        " .venv/bin/chalice deploy --stage dev"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
