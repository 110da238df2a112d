"""Records every AWS API call the service code makes, through a botocore event hook.

Each call is attributed to the Lambda function whose code made it, by looking at the
call stack: the stream handler in app.py, the outbox publisher in app.py, the retry
queue's consumer in app.py, any other app.py handler (the API), or the reconcile
operator command. Calls made by test setup
itself are not recorded. The IAM test in tests/deploy proves each recorded call is
allowed by that function's policy, and that the policy grants nothing no call uses.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

STREAM, EVENTS, RETRIES, API, RECONCILE = "stream", "events", "retries", "api", "reconcile"
OUTPUT_VARIABLE = "ORDERS_AWS_CALLS_OUT"


@dataclass(frozen=True)
class AwsCall:
    function: str
    service: str
    operation: str
    resources: tuple[str, ...]
    # The kinds of a transaction's items (Put, Update, Delete, ConditionCheck, Get): IAM
    # authorizes a transaction item by item, as PutItem, UpdateItem, ConditionCheckItem...
    item_kinds: tuple[str, ...] = ()


RECORDED: set[AwsCall] = set()
_lock = threading.Lock()
_installed = False


def _function_of_caller() -> str | None:
    names: list[str] = []
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith(f"{os.sep}app.py"):
            names.append(frame.f_code.co_name)
        elif f"chalicelib{os.sep}ops{os.sep}reconcile" in filename:
            return RECONCILE
        frame = frame.f_back  # type: ignore[assignment]
    if "publish_order_events" in names:
        return EVENTS
    if "process_orders" in names:
        return STREAM
    if "retry_orders" in names:
        return RETRIES
    return API if names else None


def _resources(params: dict[str, Any]) -> tuple[str, ...]:
    found = set()
    for key in ("TableName", "StreamArn", "QueueUrl"):
        if key in params:
            found.add(str(params[key]))
    if "IndexName" in params:
        found.add(f"{params['TableName']}/index/{params['IndexName']}")
    found.update(str(table) for table in params.get("RequestItems", {}))  # BatchGetItem, BatchWriteItem
    for item in params.get("TransactItems", []):
        for action in item.values():
            found.add(str(action["TableName"]))
    for entry in params.get("Entries", []):  # PutEvents: each entry names its bus (default: "default")
        if isinstance(entry, dict) and "Source" in entry:
            found.add(str(entry.get("EventBusName", "default")))
    return tuple(sorted(found))


def _record(params: dict[str, Any], model: Any, **_: Any) -> None:
    function = _function_of_caller()
    if function is None:
        return
    kinds = tuple(sorted({kind for item in params.get("TransactItems", []) for kind in item}))
    call = AwsCall(function, model.service_model.endpoint_prefix, model.name, _resources(params), kinds)
    with _lock:
        RECORDED.add(call)


def install() -> None:
    """Hook every botocore client created from now on. Idempotent."""
    global _installed
    if _installed:
        return
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build.*.*", _record)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    _installed = True
    if os.environ.get(OUTPUT_VARIABLE):
        atexit.register(dump, Path(os.environ[OUTPUT_VARIABLE]))


def dump(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sorted((asdict(call) for call in RECORDED), key=json.dumps), indent=1))


def load(path: Path) -> set[AwsCall]:
    return {
        AwsCall(c["function"], c["service"], c["operation"], tuple(c["resources"]), tuple(c.get("item_kinds", ())))
        for c in json.loads(path.read_text())
    }
