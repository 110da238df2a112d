"""One running local stack shared by the end-to-end tests whose state cannot interfere
(each test uses its own customers and orders). The stream worker's retry cap is cut to
2 so the poison-record test takes seconds; resources.json keeps the production cap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import RunningStack, running_stack

TEST_RETRY_CAP = 2


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = Path(tmp_path_factory.mktemp("devstack"))
    overrides = {"DEVSTACK_MAX_RETRY_ATTEMPTS": str(TEST_RETRY_CAP), "DEVSTACK_RETRY_DELAY": "0.05"}
    with running_stack(state_dir, overrides) as running:
        yield running
