"""`make reconcile`: the operator command around the reconcile service."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib import bootstrap
from chalicelib.bootstrap import Container
from chalicelib.domain.clock import utc_now
from chalicelib.service_layer.intake import place_order
from chalicelib.settings import Settings, load_settings
from ops.reconcile import main
from tests.unit.builders import place_order_command


def test_a_dry_run_lists_stuck_orders_as_json_and_changes_nothing(
    fake_container: Container, capsys: pytest.CaptureFixture[str]
) -> None:
    placed = place_order(place_order_command(), fake_container.intake).order
    later = lambda: utc_now() + timedelta(minutes=5)  # noqa: E731
    bootstrap.use_container(replace(fake_container, processing=replace(fake_container.processing, clock=later)))

    assert main(["--older-than", "60", "--dry-run"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert report == {"dry_run": True, "redriven": [placed.order_id], "failed": [], "skipped": []}
    assert fake_container.intake.repository.get(placed.order_id) == placed


def test_a_missing_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ORDERS_TABLE", raising=False)
    bootstrap.use_container(None)
    load_settings.cache_clear()
    try:
        assert main([]) == 2
    finally:
        load_settings.cache_clear()
    assert capsys.readouterr().err.strip() == "reconcile: environment variable ORDERS_TABLE is missing"


def test_an_unreachable_table_is_one_line_not_a_traceback(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    import botocore.session
    from botocore.config import Config

    from devstack.processes import free_port

    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1)
    client = botocore.session.get_session().create_client("dynamodb", endpoint_url=closed, config=config)
    bootstrap.use_container(bootstrap.build_container(settings, client))
    try:
        assert main(["--older-than", "60"]) == 1
    finally:
        bootstrap.use_container(None)
    error = capsys.readouterr().err.strip()
    assert error.startswith("reconcile: cannot reach the orders table") and "\n" not in error
