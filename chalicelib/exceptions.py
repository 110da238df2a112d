"""Every error the service raises on purpose, in one place.

None of them knows about HTTP: chalicelib/entrypoints/errors.py maps them to statuses,
and the stream handler decides from them whether a record is retried.
"""

from __future__ import annotations


class OrdersError(Exception):
    """Base class: anything raised on purpose by this service."""


class SettingsError(OrdersError):
    """The environment lacks or misstates a setting; raised at start."""


class InvalidInput(OrdersError):
    """The input is well formed but breaks a rule of the order. `errors` names each field."""

    def __init__(self, title: str, errors: list[dict[str, str]]) -> None:
        super().__init__(title)
        self.title = title
        self.errors = errors


class MalformedInput(InvalidInput):
    """The input cannot even be read: bad syntax, a malformed header, id or parameter."""


class UnsupportedMediaType(InvalidInput):
    """The body is not in a format the service reads."""


class InputTooLarge(InvalidInput):
    """The body is over the size limit."""


class Unauthenticated(OrdersError):
    """The caller did not say who they are."""


class DependencyUnavailable(OrdersError):
    """A dependency (the table) throttled, timed out or failed on its side: retry later."""


class OrderNotFound(OrdersError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id} not found")
        self.order_id = order_id


class ProblemTypeNotFound(OrdersError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"no problem type {kind!r} is defined")


class OrderAlreadyExists(OrdersError):
    """A create hit an existing order id: the write was refused, nothing changed."""


class IdempotencyKeyTaken(OrdersError):
    """A create hit an existing key record: the write was refused, nothing changed."""


class IdempotencyKeyReused(OrdersError):
    """The Idempotency-Key was already used with a different payload."""


class InvalidTransition(OrdersError):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"order is {current}; cannot move to {target}")
        self.current = current
        self.target = target


class StaleOrder(OrdersError):
    """A conditional write lost a race: the stored order is not what we read."""


class GatewayUnavailable(OrdersError):
    """A payment or shipping provider failed transiently; try again later."""


class PaymentDeclined(OrdersError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ShippingRefused(OrdersError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryableProcessingError(OrdersError):
    """Processing could not finish now; the stream must deliver the record again."""


class UnprocessableRecord(OrdersError):
    """A stream record that can never succeed: it belongs in the dead-letter queue."""
