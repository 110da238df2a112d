"""Who stored an order change. Every order item carries its writer, and the processor's
stream filter (chalicelib/resources.json) passes only the writes that hand an order to
processing, so the processor never wakes for its own writes."""

from __future__ import annotations

from enum import StrEnum


class Writer(StrEnum):
    INTAKE = "intake"  # placed the order
    PROCESSOR = "processor"  # charged, shipped, finished or compensated it
    RECONCILE = "reconcile"  # re-drove or gave up on a stuck order
    CUSTOMER = "customer"  # cancelled it

    @property
    def hands_over_to_processing(self) -> bool:
        return self in _HANDS_OVER


_HANDS_OVER = frozenset({Writer.INTAKE, Writer.RECONCILE})
