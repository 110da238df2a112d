"""The environment of the stack's processes: what Lambda would set for the function,
plus every AWS client pointed at the moto server."""

from __future__ import annotations

import json
from pathlib import Path


def stage_environment(project_dir: Path, stage: str) -> dict[str, str]:
    """The environment variables Lambda would get: config.json's global, then the stage's."""
    config = json.loads((project_dir / ".chalice" / "config.json").read_text())
    variables = dict(config.get("environment_variables", {}))
    variables.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return {name: str(value) for name, value in variables.items()}


def local_aws_environment(base: dict[str, str], endpoint: str) -> dict[str, str]:
    """Point every AWS client at moto, with dummy credentials: nothing can reach AWS."""
    env = {name: value for name, value in base.items() if name not in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's dummy credentials
        AWS_DEFAULT_REGION=base.get("AWS_DEFAULT_REGION") or "us-east-1",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONUNBUFFERED="1",
    )
    return env
