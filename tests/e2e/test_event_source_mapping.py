"""The stream worker's emulation of Lambda's event-source mapping, without processes:
retries, bisection, partial batch responses and record age."""

from __future__ import annotations

from typing import Any

import pytest

from devstack import mapping
from devstack.lambda_shapes import sequence_number

pytestmark = pytest.mark.e2e
NOW = 1_800_000_000.0


def records(count: int, created: float = NOW) -> list[dict[str, Any]]:
    return [
        {"dynamodb": {"SequenceNumber": str(100 + n), "ApproximateCreationDateTime": created}} for n in range(count)
    ]


class Function:
    """Fails fast at any record in `poison` (as chalicelib's process_batch does), or raises."""

    def __init__(self, poison: frozenset[str] = frozenset(), raises: bool = False) -> None:
        self.poison = poison
        self.raises = raises
        self.calls: list[list[str]] = []

    def __call__(self, batch: list[dict[str, Any]]) -> mapping.Result:
        numbers = [sequence_number(record) for record in batch]
        self.calls.append(numbers)
        if self.raises:
            return mapping.Result(0, f"req-{len(self.calls)}", "Unhandled")
        failed = next((index for index, number in enumerate(numbers) if number in self.poison), None)
        return mapping.Result(failed, f"req-{len(self.calls)}")


def run(batch: list[dict[str, Any]], function: Function, **settings: Any) -> tuple[list[Any], list[str]]:
    dead: list[Any] = []
    done: list[str] = []
    options = mapping.Settings(**{"max_retry_attempts": 2, "retry_delay_s": 0, **settings})
    mapping.deliver(
        batch,
        options,
        function,
        dead_letter=lambda recs, condition, last, count: dead.append(
            ([sequence_number(r) for r in recs], condition, count)
        ),
        advance=lambda record: done.append(sequence_number(record)),
        now=lambda: NOW,
        sleep=lambda seconds: None,
    )
    return dead, done


def test_a_full_success_checkpoints_after_the_last_record() -> None:
    function = Function()
    dead, done = run(records(5), function)
    assert function.calls == [["100", "101", "102", "103", "104"]]
    assert (dead, done) == ([], ["104"])


def test_a_partial_failure_checkpoints_before_the_lowest_failed_record_and_retries_the_rest() -> None:
    function = Function(poison=frozenset({"102"}))
    dead, done = run(records(5), function, bisect_on_error=False)
    assert function.calls[0] == ["100", "101", "102", "103", "104"]
    assert function.calls[1:] == [["102", "103", "104"]] * 2, "the rest, retried up to the cap"
    assert done[0] == "101"
    assert dead == [(["102", "103", "104"], "RetryAttemptsExhausted", 3)]
    assert done[-1] == "104", "the dead-lettered records are skipped"


def test_bisection_isolates_a_poison_record_and_the_records_behind_it_run() -> None:
    function = Function(poison=frozenset({"103"}))
    dead, done = run(records(8), function)
    assert function.calls == [
        ["100", "101", "102", "103", "104", "105", "106", "107"],
        ["103", "104", "105", "106", "107"],  # the rest, after the checkpoint moved to 102
        ["103", "104"],  # it failed at its first record again: bisected
        ["103"],  # failures counted: 1 (the first call), now 2: at the cap of 2 retries...
        ["103"],  # ...and 3: over it
        ["104"],
        ["105", "106", "107"],
    ]
    assert dead == [(["103"], "RetryAttemptsExhausted", 5)], "...then it is dead-lettered alone"
    assert done == ["102", "103", "104", "107"]


def test_a_function_error_splits_the_batch_in_halves_until_each_record_is_retried_alone() -> None:
    function = Function(raises=True)
    dead, done = run(records(4), function, max_retry_attempts=0)
    assert function.calls[:3] == [["100", "101", "102", "103"], ["100", "101"], ["100"]]
    assert [records_ for records_, _, _ in dead] == [["100"], ["101"], ["102"], ["103"]]
    assert done == ["100", "101", "102", "103"]


def test_without_bisection_a_function_error_retries_the_whole_batch() -> None:
    function = Function(raises=True)
    dead, _ = run(records(3), function, bisect_on_error=False)
    assert function.calls == [["100", "101", "102"]] * 3
    assert dead == [(["100", "101", "102"], "RetryAttemptsExhausted", 3)]


def test_records_older_than_the_maximum_age_are_dead_lettered_without_an_invocation() -> None:
    old = records(2, created=NOW - 7200)
    fresh = [{"dynamodb": {"SequenceNumber": "200", "ApproximateCreationDateTime": NOW}}]
    function = Function()
    dead, done = run(old + fresh, function, max_record_age_s=3600)
    assert dead == [(["100", "101"], "RecordAgeExceeded", 0)]
    assert function.calls == [["200"]]
    assert done == ["101", "200"]


@pytest.mark.parametrize(
    ("response", "failed"),
    [
        (None, None),
        ({"batchItemFailures": []}, None),
        ({"batchItemFailures": [{"itemIdentifier": "102"}, {"itemIdentifier": "101"}]}, 1),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, 0),
        ({"batchItemFailures": [{"itemIdentifier": "999"}]}, 0),
        ({"batchItemFailures": [{"wrong": "101"}]}, 0),
    ],
)
def test_a_partial_batch_response_is_read_as_lambda_reads_it(response: Any, failed: int | None) -> None:
    assert mapping.interpret(response, records(3), report_failures=True) == failed
