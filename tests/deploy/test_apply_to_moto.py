"""`terraform apply` of the whole packaged root against a moto server, then `destroy`.

The provider reaches moto through an override file written here only; the shipped
root has no endpoints, credentials or skip flags. After the apply, the resources are
read back from moto to check they carry the settings from resources.json and the app.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.deploy.moto_checks import (
    check_archive_retention_is_bounded,
    check_functions_and_observability,
    check_http_api,
    check_identity_variants,
    check_jwt_authorizer,
    check_local_stack_agrees,
    check_order_events,
    check_rest_and_prod_plan,
    check_stream_mapping,
    check_table,
)
from tests.deploy.moto_retry_checks import check_local_retry_queues_agree_and_redrive, check_retry_queue
from tests.deploy.terraform_cli import Terraform

pytestmark = pytest.mark.deploy

SERVICES = ("apigateway", "apigatewayv2", "cloudwatch", "dynamodb", "iam", "kms", "lambda", "logs", "sns", "sqs", "sts")
SERVICES += ("cognitoidp",)  # auth.tf: the Cognito user pool and its app client
SERVICES += ("events",)  # events.tf: the event bus, its archive, the example rule and its target


def moto_override(endpoint: str) -> str:
    endpoints = "\n".join(f'    {service} = "{endpoint}"' for service in SERVICES)
    return f"""provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {{
{endpoints}
  }}
}}
"""


def test_the_whole_root_applies_to_moto_and_destroys(
    terraform: Terraform, initialized_root: Path, moto_endpoint: str, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    shutil.copytree(initialized_root, root, symlinks=True)
    (root / "moto_override.tf").write_text(moto_override(moto_endpoint))
    try:
        started = time.monotonic()
        terraform.run(root, "apply", "-auto-approve", "-no-color", "-parallelism=20", timeout=280)
        applied_in = time.monotonic() - started
        resources = [
            address for address in terraform.run(root, "state", "list").stdout.splitlines() if address[:5] != "data."
        ]
        print(f"\napplied {len(resources)} resources to moto in {applied_in:.0f} s")
        check_table(moto_endpoint)
        check_stream_mapping(moto_endpoint)
        check_local_stack_agrees(moto_endpoint)
        check_retry_queue(moto_endpoint, terraform, root)
        check_local_retry_queues_agree_and_redrive(moto_endpoint)
        check_http_api(moto_endpoint)
        check_jwt_authorizer(moto_endpoint)
        check_functions_and_observability(moto_endpoint)
        check_order_events(moto_endpoint)
        check_rest_and_prod_plan(terraform, root)
        check_archive_retention_is_bounded(terraform, root)
        check_identity_variants(terraform, root, moto_endpoint)
    finally:
        terraform.run(root, "destroy", "-auto-approve", "-no-color", "-parallelism=20", timeout=280)
    assert terraform.run(root, "state", "list").stdout.split() == []
