"""Cold request: a fresh interpreter that imports the app and answers one POST /orders
(an API Gateway payload-1.0 event, as the HTTP API hands it on) against a moto server,
over a fresh interpreter that imports boto3, builds a DynamoDB client and puts one item
to the same server. Paired runs (A B A B ...), median ratio: the cold start a user sees,
first request included (pydantic's first schema builds, Powertools, the first call).

The app runs from a copy of app.py and chalicelib/ staged as the Lambda zip ships them,
compiled by infrastructure/bytecode.py (the dependencies' bytecode is the venv's, written
by pip). The same copy without bytecode, as the zip shipped before, is measured in the
same rounds: on Lambda's read-only /var/task nothing is ever cached between cold starts."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from benchmarks.cold_start import wall_time
from benchmarks.common import ROOT, TABLE_NAME, Figure, bench_environ, figure_main, median, paired_ratio, paired_runs
from benchmarks.staged_app import staged_app

TARGET = 1.3


def app_code() -> str:
    """The function's side: the event is built here, so the child imports only the app."""
    from benchmarks.lambda_events import api_event
    from tests.support.orders import order_body

    event = json.dumps(api_event("POST", "/orders", "/orders", order_body()))
    return f"""
import json, sys
import app
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "orders-dev", 256, "cold-request"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-dev"
    def get_remaining_time_in_millis(self): return 10_000
response = app.app(json.loads({event!r}), Context())
sys.exit(0 if response["statusCode"] == 201 else 1)
"""


FLOOR = f"""
import boto3, uuid
boto3.client("dynamodb").put_item(
    TableName="{TABLE_NAME}", Item={{"pk": {{"S": "FLOOR#" + uuid.uuid4().hex}}, "sk": {{"S": "X"}}}}
)
"""


def measure(quick: bool) -> list[Figure]:
    from devstack.processes import free_port

    runs = 3 if quick else 15
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "devstack.moto_server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        environ = bench_environ(AWS_ENDPOINT_URL=endpoint, AWS_LAMBDA_FUNCTION_NAME="orders-dev")
        _wait(endpoint, environ)
        code = app_code()
        with staged_app(bytecode=True) as shipped, staged_app(bytecode=False) as sources:
            apps, before, floors = paired_runs(
                runs,
                lambda: wall_time(code, environ, shipped),
                lambda: wall_time(code, environ, sources),
                lambda: wall_time(FLOOR, environ),
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    ratio = paired_ratio(apps, floors)
    return [
        Figure(
            "cold request (POST /orders)",
            round(median(apps) * 1000, 1),
            round(median(floors) * 1000, 1),
            round(ratio, 2),
            f"≤ {TARGET}x",
            ratio <= TARGET,
            unit="ms wall",
            details={
                "runs": runs,
                "floor": "import boto3, build a DynamoDB client, put one item",
                "without_bytecode_ms": round(median(before) * 1000, 1),
                "without_bytecode_ratio": round(paired_ratio(before, floors), 2),
            },
        )
    ]


def _wait(endpoint: str, environ: dict[str, str]) -> None:
    import boto3

    from devstack.provision import create_table

    deadline = time.monotonic() + 20
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=environ["AWS_DEFAULT_REGION"],
        aws_access_key_id=environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
    )
    while True:
        try:
            create_table(client, TABLE_NAME)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    figure_main(measure)
