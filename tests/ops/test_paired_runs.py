"""benchmarks/common.py's paired runs: every measurement warmed once, then taken in turn,
round after round, so one round's slow spell falls on all of them."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.common import paired_ratio, paired_runs


def test_measurements_are_warmed_once_then_taken_in_turn() -> None:
    calls: list[str] = []

    def take(name: str, value: float) -> Callable[[], float]:
        def measure() -> float:
            calls.append(name)
            return value + len(calls)

        return measure

    app, floor = paired_runs(3, take("app", 100.0), take("floor", 10.0))

    assert calls == ["app", "floor"] * 4, "a warm-up round, then three"
    assert app == [103.0, 105.0, 107.0]
    assert floor == [14.0, 16.0, 18.0]


def test_a_slow_round_cancels_out_of_the_paired_ratio() -> None:
    speeds = iter([1.0, 1.0, 1.0, 1.0, 3.0, 3.0, 1.0, 1.0])  # the second measured round runs 3x slow
    app, floor = paired_runs(3, lambda: 2.0 * next(speeds), lambda: 1.0 * next(speeds))
    assert paired_ratio(app, floor) == 2.0
