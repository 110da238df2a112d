"""Least privilege, proven from what the code does: every AWS call recorded during the
integration suite and the retry path (tests/deploy/retry_path.py) is allowed by its
function's policy, and every action a policy grants, on each resource it names, is used
by some recorded call of that function, or is one the Lambda service itself needs
(tests/deploy/platform_needs.py). The policies' shape is checked in test_iam_grants.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TABLE_NAME
from tests.deploy.iam_policies import Need, allows, arn, as_list, needs, raw_policy, resolved_policy, statements
from tests.deploy.platform_needs import FUNCTIONS, PLATFORM_NEEDS
from tests.deploy.retry_path import record_retry_path
from tests.support import aws_calls
from tests.support.aws_calls import AwsCall

pytestmark = pytest.mark.deploy

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> set[AwsCall]:
    """This session's recording if the whole integration suite ran in it, else a run of
    that suite now; with the retry path's calls, which name retry_orders apart."""
    return _integration_suite(request, tmp_path_factory) | record_retry_path(TABLE_NAME)


def _integration_suite(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> set[AwsCall]:
    suite = {f"tests/integration/{path.name}" for path in (PROJECT / "tests" / "integration").glob("test_*.py")}
    ran_here = {item.nodeid.split("::")[0] for item in request.session.items} >= suite
    if ran_here and aws_calls.RECORDED:
        return set(aws_calls.RECORDED)
    out = tmp_path_factory.mktemp("aws-calls") / "calls.json"
    subprocess.run(
        [sys.executable, "-m", "pytest", "tests/integration", "-q", "-p", "no:cacheprovider"],
        cwd=PROJECT,
        env={**os.environ, aws_calls.OUTPUT_VARIABLE: str(out)},
        check=False,
        capture_output=True,
        timeout=600,
    )
    assert out.exists(), "the integration suite wrote no recording of AWS calls"
    return aws_calls.load(out)


def needs_of(calls: set[AwsCall], function: str) -> set[Need]:
    return {need for call in calls if call.function == function for need in needs(call)}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_recorded_call_is_allowed_by_its_functions_policy(recorded: set[AwsCall], function: str) -> None:
    policy = statements(resolved_policy(function, TABLE_NAME))
    required = needs_of(recorded, function)
    assert required, f"no AWS call of the {function} function was recorded: the integration suite did not run it"
    denied = sorted((need.action, need.resource) for need in required if not any(allows(s, need) for s in policy))
    assert denied == [], f"{function} would be denied: {denied}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_nothing_is_granted_that_no_call_uses(recorded: set[AwsCall], function: str) -> None:
    required = needs_of(recorded, function)
    unused = []
    raw, resolved = statements(raw_policy(function)), statements(resolved_policy(function, TABLE_NAME))
    for written, statement in zip(raw, resolved, strict=True):
        for action in as_list(statement["Action"]):
            for named, resource in zip(as_list(written["Resource"]), as_list(statement["Resource"]), strict=True):
                grant = {**statement, "Resource": resource}
                used = any(need.action == action and allows(grant, need) for need in required)
                if not used and (action, named) not in PLATFORM_NEEDS[function]:
                    unused.append((statement.get("Sid"), action, named))
    assert unused == [], f"{function} is granted actions no recorded call uses: {unused}"


def test_the_codes_only_sqs_calls_are_the_two_handlers_sends_to_the_retry_queue(recorded: set[AwsCall]) -> None:
    sent = {(call.function, need) for call in recorded for need in needs(call) if need.action.startswith("sqs:")}
    queue = arn("sqs", f"{TABLE_NAME}-retries")
    assert sent == {("stream", Need("sqs:SendMessage", queue)), ("retries", Need("sqs:SendMessage", queue))}
