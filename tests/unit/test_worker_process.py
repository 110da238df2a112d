"""The local stack's workers keep trying to reach their source at start-up (moto may
still be starting), and give up at a deadline or when told to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable

from devstack.worker_process import connect_within


class FlakyWorker:
    def __init__(self, failures: int) -> None:
        self.stop = threading.Event()
        self.failures = failures
        self.tries = 0

    def attempt(self, action: Callable[[], object]) -> bool:
        self.tries += 1
        if self.tries <= self.failures:
            return False
        action()
        return True


def test_keeps_trying_until_the_source_answers() -> None:
    worker, connected = FlakyWorker(failures=3), []
    assert connect_within(worker, lambda: connected.append(True), timeout_s=60)
    assert worker.tries == 4
    assert connected == [True]


def test_gives_up_at_the_deadline() -> None:
    worker = FlakyWorker(failures=10**9)
    assert not connect_within(worker, lambda: None, timeout_s=0.05)
    assert worker.tries > 1


def test_gives_up_when_told_to_stop() -> None:
    worker = FlakyWorker(failures=10**9)
    worker.stop.set()
    assert not connect_within(worker, lambda: None, timeout_s=60)
    assert worker.tries == 1
