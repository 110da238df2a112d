"""`make package`: one Terraform root in build/terraform, and the CloudFormation twin.

Runs `chalice package` (the base the design card asks for), patches and renders its
Terraform as HCL beside our own files from infrastructure/terraform, and writes the
locals that tie them to chalicelib/resources.json and the app's routes. Needs no AWS
account: only a region name and the package index for the Lambda wheels.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from chalice.app import Chalice

from chalicelib.resources import load_resources
from infrastructure import bytecode, chalice_patches, hcl

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "terraform"
MERGE_TEMPLATE = Path(__file__).resolve().parent / "cloudformation" / "template.json"
BUILD = PROJECT / "build"


def chalice_package(out: Path, *options: str) -> None:
    environ = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environ.pop("ORDERS_STREAM_ARN", None)  # the mapping must reference the table resource
    command = [sys.executable, "-c", "import sys; from chalice.cli import main; sys.exit(main())"]
    subprocess.run(  # noqa: S603 - a fixed argv, no shell
        [*command, "package", "--stage", chalice_patches.PACKAGE_STAGE, *options, str(out)],
        cwd=PROJECT,
        env=environ,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    bytecode.add_bytecode(out / "deployment.zip", bytecode.imported_sources(PROJECT))


def route_keys(chalice_app: Chalice) -> list[str]:
    """One HTTP API route key per Chalice route and method, read from the app itself."""
    return sorted(f"{method} {path}" for path, methods in chalice_app.routes.items() for method in methods)


def _the_app() -> Chalice:
    sys.path.insert(0, str(PROJECT))
    import app

    return app.app


def public_route_keys(public_routes: list[str], routes: list[str]) -> list[str]:
    """The routes served without a token (resources.json api.public_routes); each must be
    a route of the app, so a typo or a renamed route fails the package step loudly."""
    unknown = sorted(set(public_routes) - set(routes))
    if unknown:
        raise ValueError(f"api.public_routes in resources.json names no route of the app: {unknown}")
    return sorted(set(public_routes))


def generated_locals(chalice: dict[str, Any], app_name: str) -> dict[str, Any]:
    resources = load_resources()
    routes = route_keys(_the_app())
    return {
        "orders_table": resources.table.model_dump(),
        "stream_mapping": resources.stream_mapping.model_dump(),
        "events_mapping": resources.events_mapping.model_dump(),
        "retry_queue": resources.retry_queue.model_dump(),
        "dead_letter_queue": resources.dead_letter_queue.model_dump(),
        "function_names": chalice_patches.function_names(chalice, app_name),
        "chalice_routes": routes,
        "public_routes": public_route_keys(resources.api.public_routes, routes),
    }


def moved_public_routes(public_routes: list[str]) -> str:
    """Before the JWT authorizer every route was aws_apigatewayv2_route.chalice; the public
    ones now live in .public. A moved block per route keeps a deployed stack's routes in
    place (a destroy and a create of the same route key would race into a conflict)."""
    blocks = [
        hcl.block(
            ["moved"],
            {
                "from": f"${{aws_apigatewayv2_route.chalice[{json.dumps(route)}]}}",
                "to": f"${{aws_apigatewayv2_route.public[{json.dumps(route)}]}}",
            },
        )
        for route in public_routes
    ]
    return "".join("\n" + "\n".join(lines) + "\n" for lines in blocks)


def _clean(root: Path) -> None:
    """Remove what an earlier run wrote; keep .terraform and any state the user has."""
    root.mkdir(parents=True, exist_ok=True)
    for path in root.glob("*.tf"):
        path.unlink()
    (root / "deployment.zip").unlink(missing_ok=True)


def build_terraform(root: Path) -> Path:
    app_name = json.loads((PROJECT / ".chalice" / "config.json").read_text())["app_name"]
    with tempfile.TemporaryDirectory() as scratch:
        chalice_package(Path(scratch), "--pkg-format", "terraform")
        chalice = json.loads((Path(scratch) / "chalice.tf.json").read_text())
        _clean(root)
        shutil.copy(Path(scratch) / "deployment.zip", root / "deployment.zip")
    patched = chalice_patches.patch(chalice, load_resources(), app_name)
    header = "# Written by `make package` from Chalice's chalice.tf.json; edit infrastructure/, not this file.\n\n"
    (root / "chalice.tf").write_text(header + hcl.document(patched))
    generated = generated_locals(chalice, app_name)
    (root / "generated.tf").write_text(
        "# Written by `make package` from chalicelib/resources.json and app.app.routes.\n\n"
        + hcl.document({"locals": generated})
        + moved_public_routes(generated["public_routes"])
    )
    for template in sorted(TEMPLATES.glob("*.tf")):
        shutil.copy(template, root / template.name)
    return root


def build_cloudformation(out: Path) -> Path:
    """SAM template from `chalice package`, merged with ours (the table, the queues, the wiring)."""
    if out.exists():
        shutil.rmtree(out)
    chalice_package(out, "--merge-template", str(MERGE_TEMPLATE))
    return out / "sam.json"


def main() -> int:
    root = build_terraform(BUILD / "terraform")
    sam = build_cloudformation(BUILD / "cloudformation")
    size = (root / "deployment.zip").stat().st_size
    print(f"Terraform root: {root.relative_to(PROJECT)} (deployment.zip {size / 1e6:.1f} MB)")
    print(f"SAM template:   {sam.relative_to(PROJECT)}")
    print("Deploy: terraform -chdir=build/terraform init && terraform -chdir=build/terraform apply")
    return 0


if __name__ == "__main__":
    sys.exit(main())
