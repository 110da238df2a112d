"""The local stack's docs page (/docs): Swagger UI from the assets `make docs-ui`
installed, over the app's own GET /openapi.json, rendered by a real headless Chromium.

With DOCS_SCREENSHOT=<path> the screenshot is kept there (`make docs-screenshot` writes
docs/api-docs.png, the one the README shows)."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import app
from chalicelib import bootstrap
from chalicelib.entrypoints.openapi import document
from devstack.api_server import create_server
from devstack.docs_page import ASSETS, ASSETS_DIR
from devstack.processes import free_port
from tests.support.auth import policy

pytestmark = pytest.mark.e2e
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OPERATION = re.compile(r'opblock-summary-method">(\w+)</span>.*?data-path="([^"]+)".*?href="#/\w+/(\w+)"')


def needs(what: str, present: bool) -> None:
    if not present:
        # CI installs both (.ci/run); on a laptop the test says what is missing.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{what} is not installed")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    needs("Swagger UI (make docs-ui)", (ASSETS_DIR / "swagger-ui-bundle.js").is_file())
    bootstrap.use_container(bootstrap.in_memory_container())
    port = free_port()
    server = create_server("127.0.0.1", port, "dev", policy())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)
        bootstrap.use_container(None)


def get(base_url: str, path: str) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def chromium(*options: str, cwd: Path) -> str:
    needs("Chromium (apt-get install chromium)", CHROMIUM is not None)
    assert CHROMIUM is not None
    argv = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]
    argv += [f"--user-data-dir={cwd / 'profile'}", "--virtual-time-budget=20000", *options]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, check=True).stdout


def test_the_page_and_its_assets_are_served_locally_with_no_cdn(base_url: str) -> None:
    status, content_type, page = get(base_url, "/docs")
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert re.findall(r'(?:src|href)="([^"]+)"', page.decode()) == [
        "/docs/favicon-32x32.png",
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
    ]
    assert "://" not in page.decode() and '"//' not in page.decode(), "no absolute or protocol-relative URL"
    for name, expected_type in ASSETS.items():
        assert get(base_url, f"/docs/{name}")[:2] == (200, expected_type)
    assert get(base_url, "/docs/../../app.py")[0] == 404
    assert get(base_url, "/docs/index.html")[0] == 404, "only the assets the page uses"


def test_a_headless_browser_renders_every_operation_of_the_document(base_url: str, tmp_path: Path) -> None:
    dom = chromium("--dump-dom", f"{base_url}/docs", cwd=tmp_path)
    rendered = {(method, path, operation_id) for method, path, operation_id in OPERATION.findall(dom)}
    described = document(app.app.routes)
    expected = {
        (method.upper(), path, operation["operationId"])
        for path, operations in described["paths"].items()
        for method, operation in operations.items()
    }
    assert rendered == expected
    for operations in described["paths"].values():
        assert all(operation["summary"] in dom for operation in operations.values())
    assert "Orders API" in dom and "Authorize" in dom


def test_a_screenshot_of_the_page_shows_it(base_url: str, tmp_path: Path) -> None:
    shot = tmp_path / "api-docs.png"
    chromium("--window-size=1280,1900", f"--screenshot={shot}", f"{base_url}/docs#/orders/placeOrder", cwd=tmp_path)
    image = shot.read_bytes()
    assert image.startswith(b"\x89PNG") and len(image) > 50_000, "a blank page is a few KB"
    if os.environ.get("DOCS_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["DOCS_SCREENSHOT"])


def test_the_served_document_is_the_generated_one(base_url: str) -> None:
    status, content_type, body = get(base_url, "/openapi.json")
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body) == document(app.app.routes)
