"""One running local stack shared by the end-to-end tests whose state cannot interfere
(each test uses its own customers and orders). The stream worker's retry cap is cut to
2 so the poison-record test takes seconds; resources.json keeps the production cap.

The processor's retry schedule is cut too: a `tok_down` order would otherwise be retried
from the retry queue for an hour (the app's default horizon). Here it gets three
attempts, the second and third from the retry queue, within a second (100 ms base
delay), and then ends FAILED, as the tests expect. The horizon stays long (60 s) so that
an order queued behind a burst still gets its three attempts; the budget, not the
horizon, ends it. tests/e2e/test_retry_queue.py runs its own stack with a short horizon.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import RunningStack, running_stack

TEST_RETRY_CAP = 2
TEST_PROCESSING_ATTEMPTS = 3
RETRY_SCHEDULE = {
    "MAX_PROCESSING_ATTEMPTS": str(TEST_PROCESSING_ATTEMPTS),
    "RETRY_BASE_DELAY_MS": "100",
    "RETRY_HORIZON_SECONDS": "60",
}
QUEUE_VISIBILITY_S = 2  # instead of the retry queue's 360 s: a message the worker held comes back soon


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = Path(tmp_path_factory.mktemp("devstack"))
    overrides = {
        "DEVSTACK_MAX_RETRY_ATTEMPTS": str(TEST_RETRY_CAP),
        "DEVSTACK_RETRY_DELAY": "0.05",
        "DEVSTACK_QUEUE_VISIBILITY_TIMEOUT": str(QUEUE_VISIBILITY_S),
        **RETRY_SCHEDULE,
    }
    with running_stack(state_dir, overrides) as running:
        yield running
