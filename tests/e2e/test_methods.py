"""Methods no route declares get the service's error format from the local gateway:
405 problem documents with Allow, and OPTIONS 204 with Allow; never an HTML page."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest

from chalicelib import bootstrap
from devstack.api_server import create_server
from devstack.processes import free_port
from tests.support.auth import policy


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    bootstrap.use_container(bootstrap.in_memory_container())
    chosen = free_port()
    server = create_server("127.0.0.1", chosen, "dev", policy())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield chosen
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)
        bootstrap.use_container(None)


def ask(port: int, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("method", ["TRACE", "QUERY", "PURGE", "PUT", "DELETE"])
def test_an_undeclared_method_is_a_405_problem_with_allow(port: int, method: str) -> None:
    status, headers, body = ask(port, method, "/orders")
    assert status == 405 and headers["content-type"] == "application/problem+json"
    assert headers["allow"] == "GET, OPTIONS, POST"
    document = json.loads(body)
    assert document["type"] == "/problems/method-not-allowed" and document["errors"] == []


def test_options_is_a_204_with_allow(port: int) -> None:
    status, headers, body = ask(port, "OPTIONS", "/orders/01J00000000000000000000000")
    assert (status, headers["allow"], body) == (204, "GET, OPTIONS", b"")


def test_an_unknown_path_is_a_404_problem(port: int) -> None:
    status, headers, _ = ask(port, "TRACE", "/nowhere")
    assert status == 404 and headers["content-type"] == "application/problem+json"
