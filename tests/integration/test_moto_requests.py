"""The local moto server's per-request savings (devstack/moto_requests.py): the same
answers with and without them, the handler's methods listed once per class instead of
once per request, no form-hint class per request, and connections served by a fixed
set of threads that still serve a slow request beside quick ones; and moto's request
recorder writing one whole entry at a time."""

from __future__ import annotations

import inspect
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devstack import moto_requests

TARGET = "DynamoDB_20120810."
HEADERS = {
    "Host": "dynamodb.us-east-1.amazonaws.com",
    "Content-Type": "application/x-amz-json-1.0",
    "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261130/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0",
}
TABLE = {
    "TableName": "requests",
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
}
NOT_THERE = "attribute_not_exists(pk)"
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("PutItem", {"TableName": "requests", "Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}),
    ("GetItem", {"TableName": "requests", "Key": {"pk": {"S": "a"}}, "ConsistentRead": True}),
    ("GetItem", {"TableName": "requests", "Key": {"pk": {"S": "none"}}}),
    ("PutItem", {"TableName": "requests", "Item": {"pk": {"S": "a"}}, "ConditionExpression": NOT_THERE}),
    ("DeleteItem", {"TableName": "requests", "Key": {"pk": {"S": "a"}}, "ReturnValues": "ALL_OLD"}),
]


def _answers(patched: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple[int, Any]], int, int]:
    """Each call's status and JSON answer through moto's server app, and how often the
    handler's methods were listed and a form-hint class was made."""
    import flask.debughelpers
    from moto import mock_aws
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.test import Client

    listed, hinted = [0], [0]
    real_getmembers, real_hint = inspect.getmembers, flask.debughelpers.attach_enctype_error_multidict

    def getmembers(*args: Any, **kwargs: Any) -> Any:
        listed[0] += 1
        return real_getmembers(*args, **kwargs)

    def hint(request: Any) -> None:
        hinted[0] += 1
        real_hint(request)

    monkeypatch.setattr(inspect, "getmembers", getmembers)
    monkeypatch.setattr(flask.debughelpers, "attach_enctype_error_multidict", hint)
    undo = moto_requests.install() if patched else None
    try:
        with mock_aws():  # a clean slate of moto's backends, undone afterwards
            client = Client(DomainDispatcherApplication(create_backend_app))
            client.post("/", json=TABLE, headers={**HEADERS, "X-Amz-Target": TARGET + "CreateTable"})
            listed[0] = hinted[0] = 0
            answers = []
            for action, body in CALLS * 5:
                reply = client.post("/", data=json.dumps(body), headers={**HEADERS, "X-Amz-Target": TARGET + action})
                answers.append((reply.status_code, json.loads(reply.get_data() or b"{}")))
    finally:
        if undo:
            undo()
    return answers, listed[0], hinted[0]


def test_requests_answer_as_before_with_the_handler_listed_once_and_no_form_hints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before, listed_before, hinted_before = _answers(False, monkeypatch)
    after, listed_after, hinted_after = _answers(True, monkeypatch)

    assert after == before
    assert {status for status, _ in after} == {200, 400}  # the refused condition too
    assert (listed_before, hinted_before) == (len(after), len(after))  # unpatched: once per request each
    assert (listed_after, hinted_after) == (0, 0)  # the handler class was listed on first use, before


def test_the_patches_are_undone() -> None:
    import flask.debughelpers
    import moto.core.responses
    from moto.moto_api._internal.recorder.models import Recorder

    def patched() -> tuple[object, ...]:
        return (
            moto.core.responses.method_names_from_class,
            flask.debughelpers.attach_enctype_error_multidict,
            Recorder._record_request,
        )

    originals = patched()
    moto_requests.install()()
    assert patched() == originals


RELEASE = threading.Event()  # what /slow waits for


@pytest.fixture
def pooled() -> Iterator[tuple[str, list[str]]]:
    served_by: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        served_by.append(threading.current_thread().name)
        if environ["PATH_INFO"] == "/slow":
            RELEASE.wait(timeout=30)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    server = moto_requests.PooledWSGIServer("127.0.0.1", 0, app, threads=4)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", served_by
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
        return body


def test_a_fixed_set_of_threads_serves_every_connection(pooled: tuple[str, list[str]]) -> None:
    url, served_by = pooled
    threads_before = threading.active_count()

    answers = []
    clients = [threading.Thread(target=lambda: answers.extend(_get(url) for _ in range(25))) for _ in range(8)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()

    assert answers == [b"ok"] * 200
    assert len(served_by) == 200
    assert set(served_by) <= {f"moto-request-{n}" for n in range(4)}
    assert threading.active_count() == threads_before  # no thread per connection


def test_a_slow_request_does_not_hold_up_the_others(pooled: tuple[str, list[str]]) -> None:
    """A long poll holds its thread; the other threads go on serving. The slow request
    is only let go once the quick ones are answered, so a server that served them after
    it would time out here."""
    url, served_by = pooled
    RELEASE.clear()
    slow_answer: list[bytes] = []
    slow = threading.Thread(target=lambda: slow_answer.append(_get(f"{url}/slow")))
    slow.start()
    while len(served_by) < 1:
        time.sleep(0.01)
    try:
        assert [_get(url) for _ in range(20)] == [b"ok"] * 20
    finally:
        RELEASE.set()
        slow.join(timeout=10)
    assert slow_answer == [b"ok"]


class Node:
    me: Node | None = None


def test_what_survives_a_collection_is_frozen_and_garbage_is_not() -> None:
    """moto_server's housekeeping: later full collections skip moto's long-lived data,
    and nothing that was garbage at the freeze is kept by it."""
    import gc
    import weakref

    from devstack.moto_server import freeze_survivors

    held = [Node() for _ in range(20_000)]
    garbage = Node()
    garbage.me = garbage  # a reference cycle: only a collection frees it
    collected = weakref.ref(garbage)
    del garbage
    try:
        frozen = freeze_survivors()
        assert collected() is None
        assert frozen >= len(held)
        assert not any(obj is held[0] for obj in gc.get_objects())  # no longer walked
    finally:
        gc.unfreeze()
    assert any(obj is held[0] for obj in gc.get_objects())


def _record_big_requests(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """With the patches, eight threads send PutItems of ~40 KB each through moto's app
    while it records; the lines of the recording."""
    from moto import mock_aws
    from moto.moto_api import recorder
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.test import Client

    monkeypatch.setattr(recorder, "_location", str(path))
    undo = moto_requests.install()
    try:
        with mock_aws():
            app = DomainDispatcherApplication(create_backend_app)
            Client(app).post("/", json=TABLE, headers={**HEADERS, "X-Amz-Target": TARGET + "CreateTable"})
            Client(app).post("/moto-api/recorder/reset-recording")
            Client(app).post("/moto-api/recorder/start-recording")

            def send(thread: int) -> None:
                client = Client(app)
                for n in range(10):
                    item = {"pk": {"S": f"{thread}-{n}"}, "blob": {"S": "x" * 40_000}}
                    body = json.dumps({"TableName": "requests", "Item": item})
                    client.post("/", data=body, headers={**HEADERS, "X-Amz-Target": TARGET + "PutItem"})

            senders = [threading.Thread(target=send, args=(thread,)) for thread in range(8)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            Client(app).post("/moto-api/recorder/stop-recording")
    finally:
        undo()
    return [line for line in path.read_text().splitlines() if line]


def test_every_recorded_request_is_one_whole_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _record_big_requests(tmp_path / "recording", monkeypatch)

    assert len(lines) == 80
    targets = [json.loads(line)["headers"]["X-Amz-Target"] for line in lines]  # each line parses
    assert set(targets) == {TARGET + "PutItem"}


@pytest.mark.parametrize("patched", [False, True])
def test_the_recorder_records_one_request_at_a_time(patched: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.moto_api import recorder
    from moto.moto_api._internal.recorder.models import Recorder

    inside, most = [0], [0]

    def slow_record(self: Any, request: Any, body: Any = None) -> None:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
        time.sleep(0.01)
        inside[0] -= 1

    monkeypatch.setattr(Recorder, "_record_request", slow_record)
    undo = moto_requests.install() if patched else None
    try:
        callers = [threading.Thread(target=recorder._record_request, args=(None,)) for _ in range(8)]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join()
    finally:
        if undo:
            undo()
    assert most[0] == (1 if patched else 8)
