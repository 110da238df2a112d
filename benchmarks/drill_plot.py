"""The outage drill's plot: each run's orders by state over time, from the orders' own
history timestamps, with the outage shaded."""

from __future__ import annotations

from pathlib import Path

from benchmarks.drill_report import STATES, Run, epoch

COLORS = {
    "PENDING": "tab:blue",
    "PAID": "tab:orange",
    "CONFIRMED": "tab:green",
    "REJECTED": "tab:red",
    "FAILED": "black",
    "CANCELLED": "tab:gray",
}


def plot(path: Path, runs: list[Run]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, panels = plt.subplots(len(runs), 1, figsize=(9, 3.6 * len(runs)), sharex=True, squeeze=False)
    for panel, run in zip(panels[:, 0], runs, strict=True):
        end = max((epoch(o["history"][-1]["at"]) for o in run.orders), default=run.started) - run.started
        seconds = list(range(int(end) + 2))
        counts = {state: [0] * len(seconds) for state in STATES}
        for order in run.orders:
            for entry, following in zip(order["history"], [*order["history"][1:], None], strict=True):
                begin = max(0, int(epoch(entry["at"]) - run.started))
                until = len(seconds) if following is None else int(epoch(following["at"]) - run.started)
                for second in range(begin, min(until, len(seconds))):
                    counts[entry["status"]][second] += 1
        shown = [state for state in STATES if any(counts[state])]
        colors = [COLORS[state] for state in shown]  # the same colour for a state in every panel
        panel.stackplot(seconds, *(counts[state] for state in shown), labels=shown, colors=colors)
        if run.outage:
            panel.axvspan(
                run.outage[0] - run.started,
                run.outage[1] - run.started,
                color="grey",
                alpha=0.3,
                label="payment outage",
            )
        panel.set_title("with a payment outage" if run.with_outage else "the same load without an outage")
        panel.set_ylabel("orders by state")
        panel.legend(loc="upper left", fontsize="small")
    panels[-1, 0].set_xlabel("seconds since the first order")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
