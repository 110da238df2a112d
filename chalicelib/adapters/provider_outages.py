"""The simulator's outage switch: while on, a simulated provider answers every call as
unavailable, whatever the token. It is kept in the ledger (the orders table), so every
process of a stack sees it: `make outage` turns it on from outside.

Each process reads it at most once a second per provider, so an outage starts and ends
within about a second everywhere, and a busy function pays one read a second for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from chalicelib.service_layer.ports import Ledger

Provider = Literal["payments", "shipping"]
PROVIDERS: tuple[Provider, ...] = ("payments", "shipping")
KIND = "outage"
CHECK_EVERY_S = 1.0


class ProviderOutages:
    def __init__(self, ledger: Ledger, clock: Callable[[], float] = time.time, check_every_s: float = CHECK_EVERY_S):
        self._ledger = ledger
        self._clock = clock
        self._check_every_s = check_every_s
        self._known: dict[str, tuple[float, float]] = {}  # provider -> (read at, down until)
        self._lock = threading.Lock()

    def start(self, provider: Provider, seconds: float) -> float:
        """Make `provider` unavailable for `seconds` from now (0 ends an outage); return
        when it ends, in epoch seconds."""
        until = self._clock() + seconds
        self._ledger.put(KIND, provider, {"until": repr(until)})
        with self._lock:
            self._known.pop(provider, None)
        return until

    def down_until(self, provider: Provider) -> float:
        """The end of the provider's outage in epoch seconds (0.0: none recorded)."""
        now = self._clock()
        with self._lock:
            known = self._known.get(provider)
        if known is not None and now - known[0] < self._check_every_s:
            return known[1]
        entry = self._ledger.get(KIND, provider)
        until = float(entry["until"]) if entry else 0.0
        with self._lock:
            self._known[provider] = (now, until)
        return until

    def is_down(self, provider: Provider) -> bool:
        return self._clock() < self.down_until(provider)
